/* version.c - the library's version string and number, built from the
 * JF_VERSION_* numbers in jfilter.h (CMakeLists.txt checks that they equal
 * project(VERSION)). */
#include "jfilter.h"

/* JF_API exports only when the library's target defines JF_BUILDING
 * (CMakeLists.txt); on Windows a build without it would import from itself. */
#ifndef JF_BUILDING
#error "jfilter's sources must be compiled with JF_BUILDING defined"
#endif

const char *jf_version(void)
{
#define JF_STR2(x) #x
#define JF_STR(x) JF_STR2(x)
    return JF_STR(JF_VERSION_MAJOR) "." JF_STR(JF_VERSION_MINOR) "." JF_STR(JF_VERSION_PATCH);
}

int jf_version_number(void)
{
    return JF_VERSION_NUMBER;
}
