/* atomic_file.h - files that appear whole or not at all: writes go to
 * "<path>.tmp.<pid>", which is renamed over <path> on success and removed on
 * failure, so an error never leaves a partial output behind. */
#ifndef JF_ATOMIC_FILE_H
#define JF_ATOMIC_FILE_H

#include "jfilter.h"

#include <stdio.h>

typedef struct jf_atomic_file {
    FILE *file;        /* write here */
    const char *path;  /* borrowed */
    char *tmp;         /* owned */
} jf_atomic_file;

/* Creates the temporary file; JF_ERR_IO / JF_ERR_OUT_OF_MEMORY with a message naming path. */
jf_status jf_atomic_open(jf_atomic_file *af, const char *path, char *err, size_t errlen);
/* Closes the file; when ok, renames it into place, else (or when closing or
 * renaming fails) removes it. `why` describes a failed write (may be NULL:
 * errno is used). Returns JF_OK or JF_ERR_IO with the message in err. */
jf_status jf_atomic_close(jf_atomic_file *af, int ok, const char *why, char *err, size_t errlen);

#endif
