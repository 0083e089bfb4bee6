/* version.c - the library's version string, built from the JF_VERSION_* numbers
 * in jfilter.h (keep them equal to project(VERSION) in CMakeLists.txt). */
#include "jfilter.h"

const char *jf_version(void)
{
#define JF_STR2(x) #x
#define JF_STR(x) JF_STR2(x)
    return JF_STR(JF_VERSION_MAJOR) "." JF_STR(JF_VERSION_MINOR) "." JF_STR(JF_VERSION_PATCH);
}
