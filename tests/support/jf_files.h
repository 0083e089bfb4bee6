/* jf_files.h - byte files for the file-format suites (test_io_*.c): a
 * per-process scratch path, whole-file writes and reads that fail the test
 * on error, and a check on an error message's text. */
#ifndef JF_FILES_H
#define JF_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* "<build>/io_scratch/<pid>_<name>" in a caller buffer (jft_binary_path's
 * buffer is shared); creates the directory. */
const char *jft_scratch_file(const char *name, char *buf, size_t cap);
/* Writes data[0..n) to path, replacing it. */
void jft_write_bytes(const char *path, const void *data, size_t n);
/* The whole file in a malloc'd buffer, NUL-terminated one past the end;
 * *n gets its size. */
uint8_t *jft_read_bytes(const char *path, size_t *n);
int jft_file_exists(const char *path);

/* Asserts that the message err contains text. */
#define jft_assert_err_has(err, text) \
    ck_assert_msg(strstr((err), (text)) != NULL, "message \"%s\" lacks \"%s\"", (err), (text))

#endif
