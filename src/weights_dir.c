/* weights_dir.c - jf_default_weights_dir(): where an installation keeps its
 * model files. Found beside the loaded library first (libdir/../share/...,
 * the relative path CMake computed), so a moved or `cmake --install --prefix`
 * tree finds its own weights; else the data dir the build was configured for. */
#define _GNU_SOURCE /* dladdr and Dl_info in glibc's <dlfcn.h> */
#include "jfilter.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define JF_HAVE_DLADDR 1
#endif

#ifndef JF_INSTALL_WEIGHTS_DIR
#error "CMakeLists.txt defines JF_INSTALL_WEIGHTS_DIR (the configured <datadir>/jfilter/weights)"
#endif
#ifndef JF_LIB_TO_WEIGHTS
#error "CMakeLists.txt defines JF_LIB_TO_WEIGHTS (<datadir>/jfilter/weights relative to <libdir>)"
#endif

static char weights_dir[PATH_MAX];
static pthread_once_t weights_once = PTHREAD_ONCE_INIT;

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder relative to the shared object holding this function: for an
 * installed library <prefix>/lib/libjfilter.so, <prefix>/share/jfilter/weights.
 * 0 when it exists. */
static int beside_library(char *out, size_t len)
{
#ifdef JF_HAVE_DLADDR
    Dl_info dl;
    char lib[PATH_MAX], cand[PATH_MAX + sizeof JF_LIB_TO_WEIGHTS + 1];
    if (!dladdr((void *)&jf_default_weights_dir, &dl) || !dl.dli_fname) return -1;
    if (!realpath(dl.dli_fname, lib)) return -1;
    char *slash = strrchr(lib, '/');
    if (!slash) return -1;
    *slash = '\0';
    snprintf(cand, sizeof cand, "%s/%s", lib, JF_LIB_TO_WEIGHTS);
    if (!is_dir(cand) || !realpath(cand, lib) || strlen(lib) >= len) return -1;
    memcpy(out, lib, strlen(lib) + 1);
    return 0;
#else
    (void)out;
    (void)len;
    return -1;
#endif
}

static void find_weights_dir(void)
{
    if (beside_library(weights_dir, sizeof weights_dir) != 0)
        snprintf(weights_dir, sizeof weights_dir, "%s", JF_INSTALL_WEIGHTS_DIR);
}

const char *jf_default_weights_dir(void)
{
    pthread_once(&weights_once, find_weights_dir);
    return weights_dir;
}
