# jf_api.cmake - what JF_API expands to in each build jfilter.h can meet:
# the library's own Windows build exports (JF_BUILDING), a Windows consumer
# imports, one linking a static jfilter (JF_STATIC) does neither, and
# elsewhere the functions get default visibility. Preprocesses the header
# with -dM (a stand-in CL/cl.h, so no Windows headers are needed).
# Run: cmake -DCC=<compiler> -DSRC=<source dir> -P jf_api.cmake
cmake_minimum_required(VERSION 3.18) # list() keeps the empty "want" of the static case
set(cases
  "-D_WIN32 -DJF_BUILDING|__declspec\\(dllexport\\)"
  "-D_WIN32|__declspec\\(dllimport\\)"
  "-D_WIN32 -DJF_STATIC|"
  "-D__CYGWIN__|__declspec\\(dllimport\\)"
  "|__attribute__\\(\\(visibility\\(\"default\"\\)\\)\\)"
  "-DJF_BUILDING|__attribute__\\(\\(visibility\\(\"default\"\\)\\)\\)")
set(failed 0)
foreach(c ${cases})
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 defs)
  list(GET parts 1 want)
  separate_arguments(defs)
  execute_process(COMMAND ${CC} -E -dM ${defs} -I${SRC}/tests/header/fake_cl -I${SRC}/include
                          -x c ${SRC}/include/jfilter.h
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(SEND_ERROR "preprocessing with '${defs}' failed: ${err}")
    set(failed 1)
  elseif(NOT out MATCHES "#define JF_API *${want} *\n")
    string(REGEX MATCH "#define JF_API[^\n]*" got "${out}")
    message(SEND_ERROR "with '${defs}' JF_API should be '${want}', is: ${got}")
    set(failed 1)
  else()
    message(STATUS "ok: '${defs}' -> ${want}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "JF_API is wrong for some builds")
endif()
