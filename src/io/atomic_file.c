/* atomic_file.c - write-to-temporary-then-rename (see atomic_file.h). */
#include "io/atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void af_err(char *err, size_t errlen, const char *path, const char *what, const char *why)
{
    if (err && errlen) snprintf(err, errlen, "%s: %s: %s", path, what, why);
}

jf_status jf_atomic_open(jf_atomic_file *af, const char *path, char *err, size_t errlen)
{
    af->file = NULL;
    af->path = path;
    size_t len = strlen(path) + 32;
    af->tmp = malloc(len);
    if (!af->tmp) {
        af_err(err, errlen, path, "cannot write", "out of memory");
        return JF_ERR_OUT_OF_MEMORY;
    }
    snprintf(af->tmp, len, "%s.tmp.%ld", path, (long)getpid());
    af->file = fopen(af->tmp, "wb");
    if (!af->file) {
        af_err(err, errlen, path, "cannot create", strerror(errno));
        free(af->tmp);
        af->tmp = NULL;
        return JF_ERR_IO;
    }
    return JF_OK;
}

jf_status jf_atomic_close(jf_atomic_file *af, int ok, const char *why, char *err, size_t errlen)
{
    int saved = errno;
    if (fclose(af->file) != 0 && ok) {
        ok = 0;
        saved = errno;
        why = NULL;
    }
    af->file = NULL;
    jf_status st = JF_OK;
    if (!ok) {
        af_err(err, errlen, af->path, "write failed", why ? why : strerror(saved));
        remove(af->tmp);
        st = JF_ERR_IO;
    } else if (rename(af->tmp, af->path) != 0) {
        af_err(err, errlen, af->path, "cannot rename the temporary file into place", strerror(errno));
        remove(af->tmp);
        st = JF_ERR_IO;
    }
    free(af->tmp);
    af->tmp = NULL;
    return st;
}
