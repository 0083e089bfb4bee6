/* read_file.c - error messages and checked file opening for the src/io
 * readers (see read_file.h). */
#include "io/read_file.h"

#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

void jf_io_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

jf_status jf_io_open_regular(const char *path, FILE **f, long *size, char *err, size_t errlen)
{
    *f = fopen(path, "rb");
    if (!*f) {
        jf_io_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return JF_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(*f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        jf_io_errf(err, errlen, "%s: not a regular file", path);
        fclose(*f);
        *f = NULL;
        return JF_ERR_IO;
    }
    if (fseek(*f, 0, SEEK_END) != 0 || (*size = ftell(*f)) < 0 || fseek(*f, 0, SEEK_SET) != 0) {
        jf_io_errf(err, errlen, "%s: cannot determine the file size: %s", path, strerror(errno));
        fclose(*f);
        *f = NULL;
        return JF_ERR_IO;
    }
    return JF_OK;
}

jf_status jf_io_read_all(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    *data = NULL;
    *size = 0;
    FILE *f;
    long end;
    jf_status st = jf_io_open_regular(path, &f, &end, err, errlen);
    if (st != JF_OK) return st;
    size_t n = (size_t)end;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        jf_io_errf(err, errlen, "%s: out of memory (%zu bytes)", path, n);
        fclose(f);
        return JF_ERR_OUT_OF_MEMORY;
    }
    if (n && fread(buf, 1, n, f) != n) {
        jf_io_errf(err, errlen, "%s: read error: %s", path,
                   ferror(f) ? strerror(errno) : "file shrank while reading");
        fclose(f);
        free(buf);
        return JF_ERR_IO;
    }
    fclose(f);
    *data = buf;
    *size = n;
    return JF_OK;
}
