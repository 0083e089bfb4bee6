# tests/sanitizers/env.cmake - the sanitizer runtime options every test of a
# JF_SANITIZE build runs under (JF_SANITIZER_ENV, added to each ctest test's
# ENVIRONMENT), also written to <build>/sanitizer_env.sh for scripts that run
# the programs themselves (tests/fuzz/run.sh). Set explicitly rather than left
# to the runtimes' defaults, so a report always stops the test and says where.
# PoCL needs nothing special here: clang links the ASan runtime statically
# into each executable, so there is no link order to verify
# (verify_asan_link_order is for gcc's shared libasan) and PoCL's threads and
# in-process LLVM run under it unchanged. Leak checking is on (LSan, with the
# suppressions of lsan.supp); the stricter checks (string functions read to
# the terminator, init order, stack use after return) cost little here.
set(JF_SANITIZER_ENV "")
if(JF_SANITIZE)
  set(JF_LSAN_SUPP ${CMAKE_SOURCE_DIR}/tests/sanitizers/lsan.supp)
  set(JF_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1"
    "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:report_error_type=1"
    "LSAN_OPTIONS=suppressions=${JF_LSAN_SUPP}:print_suppressions=0"
    # tests that would load the library into an uninstrumented Python skip that part
    "JF_SANITIZED=1")
  set(_sh "# written by tests/sanitizers/env.cmake: source before running a sanitized program\n")
  foreach(kv ${JF_SANITIZER_ENV})
    string(APPEND _sh "export ${kv}\n")
  endforeach()
  file(WRITE ${CMAKE_BINARY_DIR}/sanitizer_env.sh "${_sh}")
endif()
