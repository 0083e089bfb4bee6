/* jf_files.c - byte files for the file-format suites (see jf_files.h). */
#include "jf_files.h"

#include "jf_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

const char *jft_scratch_file(const char *name, char *buf, size_t cap)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", jft_binary_path("io_scratch"));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
    snprintf(buf, cap, "%s/%ld_%s", dir, (long)getpid(), name);
    return buf;
}

void jft_write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    if (n) ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

uint8_t *jft_read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    b[sz] = '\0'; /* so a text check (strstr) stops inside the buffer */
    *n = (size_t)sz;
    return b;
}

int jft_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}
