/* read_file.h - what the src/io readers share: messages into the caller's
 * error buffer, and opening (or reading whole) a file that must be a regular
 * file of known size. */
#ifndef JF_READ_FILE_H
#define JF_READ_FILE_H

#include "jfilter.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* printf into err[errlen]; nothing when err is NULL or errlen 0 (callers may
 * pass no buffer). */
void jf_io_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Opens path for binary reading and gives its size in bytes. JF_ERR_IO with
 * "<path>: cannot open: <why>", "<path>: not a regular file" (a directory
 * opens fine on Linux and reports a nonsense size) or "<path>: cannot
 * determine the file size: <why>"; *f is then NULL. */
jf_status jf_io_open_regular(const char *path, FILE **f, long *size, char *err, size_t errlen);

/* Reads the whole regular file into *data (malloc'd, the caller frees it;
 * never NULL on success, even for an empty file) and its length into *size.
 * Errors as jf_io_open_regular, plus "<path>: read error: <why>" (JF_ERR_IO)
 * and JF_ERR_OUT_OF_MEMORY; *data is then NULL. */
jf_status jf_io_read_all(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen);

#endif
