# JfTestPython.cmake - the one Python interpreter the tests run (checkpoint
# conversion, NumPy checks, the OpenCV references, the Python package's pytest
# suite), found by FindPython3 and never taken off the PATH at test time.
#
# The first interpreter FindPython3 finds (a pyenv shim, a venv) may lack the
# modules, so when it cannot import them we look again for the system's own
# under /usr, where Debian's python3-numpy, python3-opencv and python3-pytest
# install. The NumPy COMPONENT is not asked for: it needs NumPy's C headers,
# which no test does. Sets JF_PYTHON (the interpreter) and JF_PYTHON_OK.
set(JF_PYTHON_IMPORTS "import numpy, cv2, pytest; cv2.ximgproc")

function(jf_python_has_imports exe result)
  set(ok FALSE)
  if(exe)
    execute_process(COMMAND "${exe}" -c "${JF_PYTHON_IMPORTS}" RESULT_VARIABLE rc
                    OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(ok TRUE)
    endif()
  endif()
  set(${result} ${ok} PARENT_SCOPE)
endfunction()

find_package(Python3 COMPONENTS Interpreter)
set(JF_PYTHON "${Python3_EXECUTABLE}")
jf_python_has_imports("${JF_PYTHON}" JF_PYTHON_OK)
if(NOT JF_PYTHON_OK)
  # FindPython3 keeps its pick in the cache and in plain variables: forget both
  unset(Python3_EXECUTABLE)
  unset(Python3_EXECUTABLE CACHE)
  unset(_Python3_EXECUTABLE CACHE)
  unset(_Python3_INTERPRETER_SIGNATURE CACHE)
  set(Python3_ROOT_DIR /usr)
  set(Python3_FIND_STRATEGY LOCATION)
  set(Python3_FIND_VIRTUALENV STANDARD)
  find_package(Python3 COMPONENTS Interpreter)
  jf_python_has_imports("${Python3_EXECUTABLE}" JF_PYTHON_OK)
  # when neither has them keep the first: the tests then say what is missing
  if(JF_PYTHON_OK OR NOT JF_PYTHON)
    set(JF_PYTHON "${Python3_EXECUTABLE}")
  endif()
endif()
if(NOT JF_PYTHON)
  message(FATAL_ERROR "the tests need a Python 3 interpreter (with numpy, cv2 and pytest): none was found")
endif()
if(JF_PYTHON_OK)
  message(STATUS "Python for the tests: ${JF_PYTHON} (imports numpy, cv2.ximgproc and pytest)")
else()
  message(WARNING "Python for the tests: ${JF_PYTHON}, which cannot import numpy, cv2.ximgproc and "
          "pytest (Debian: apt-get install python3-numpy python3-opencv python3-pytest); the tests "
          "that need them will fail")
endif()
