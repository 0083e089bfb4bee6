/* file_image.c - the helpers every format module shares (see file_image.h). */
#include "io/file_image.h"
#include "io/read_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t jf_file_sample_bytes(jf_pixel_type type)
{
    return type == JF_PIXEL_U8 ? 1 : type == JF_PIXEL_U16 ? 2 : 4;
}

void jf_file_image_free(jf_file_image *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

jf_status jf_file_max_pixels(uint64_t *limit, char *err, size_t errlen)
{
    *limit = JF_FILE_DEFAULT_MAX_PIXELS;
    const char *v = getenv("JF_MAX_PIXELS");
    if (!v || !*v) return JF_OK;
    /* digits only: strtoull would take "-1" as 2^64-1, i.e. no limit at all */
    char *end = NULL;
    errno = 0;
    unsigned long long x = *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
    if (!end || *end || errno || x == 0) {
        jf_io_errf(err, errlen, "JF_MAX_PIXELS is '%s': expected a positive whole number of pixels", v);
        return JF_ERR_INVALID_ARGUMENT;
    }
    *limit = (uint64_t)x;
    return JF_OK;
}

jf_status jf_file_check_pixels(const char *what, uint64_t w, uint64_t h, char *err, size_t errlen)
{
    uint64_t limit;
    jf_status st = jf_file_max_pixels(&limit, err, errlen);
    if (st != JF_OK) return st;
    /* w and h come from 32-bit header fields: the product cannot overflow */
    if (w * h <= limit) return JF_OK;
    jf_io_errf(err, errlen,
               "%s: the image is %llux%llu = %llu pixels, more than the limit of %llu "
               "(set the environment variable JF_MAX_PIXELS to a larger pixel count to allow it)",
               what, (unsigned long long)w, (unsigned long long)h, (unsigned long long)(w * h),
               (unsigned long long)limit);
    return JF_ERR_UNSUPPORTED;
}
