/* file_image.h - a decoded image file as every format module hands it over
 * (jf_file_image: interleaved, packed rows), the size limits they all check
 * before allocating, and the two helpers they share. The dispatcher that
 * picks a module is image_file.h; the modules include only this. */
#ifndef JF_FILE_IMAGE_H
#define JF_FILE_IMAGE_H

#include "jfilter.h"

#include <stddef.h>
#include <stdint.h>

/* Larger than any image we filter; keeps row arithmetic far from overflow. */
#define JF_FILE_MAX_DIM 65535
/* A header may claim any size: beyond this many pixels (width x height) a
 * file of any format is refused before anything is allocated for it, unless
 * $JF_MAX_PIXELS says otherwise (jf_file_max_pixels): 10^8, about 400 MB as
 * 8-bit RGBA. (libpng's own default limits are 10^6 per side, which still
 * lets a few bytes of header ask for terabytes.) */
#define JF_FILE_DEFAULT_MAX_PIXELS 100000000u

typedef enum jf_file_format {
    JF_FILE_UNKNOWN = 0,
    JF_FILE_PNG,
    JF_FILE_JPEG,
    JF_FILE_TIFF,
    JF_FILE_PFM,
    JF_FILE_NPY
} jf_file_format;

/* A decoded file: interleaved, packed rows, host byte order. */
typedef struct jf_file_image {
    int width, height;
    int channels;          /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    jf_pixel_type type;    /* JF_PIXEL_U8, JF_PIXEL_U16 or JF_PIXEL_F32 */
    jf_file_format format; /* what it was read from */
    void *pixels;          /* owned; free with jf_file_image_free */
} jf_file_image;

void jf_file_image_free(jf_file_image *img);
/* Bytes of one sample of type. */
size_t jf_file_sample_bytes(jf_pixel_type type);
/* The pixel limit in force: $JF_MAX_PIXELS (a positive whole number) or
 * JF_FILE_DEFAULT_MAX_PIXELS. A malformed JF_MAX_PIXELS gives
 * JF_ERR_INVALID_ARGUMENT with a message (*limit is then the default). */
jf_status jf_file_max_pixels(uint64_t *limit, char *err, size_t errlen);
/* Whether a w x h image declared by `what` may be decoded: JF_OK, or
 * JF_ERR_UNSUPPORTED with "<what>: the image is WxH = N pixels, more than the
 * limit of L (set the environment variable JF_MAX_PIXELS ...)", or the error
 * of jf_file_max_pixels. Every decoder calls it before allocating pixels. */
jf_status jf_file_check_pixels(const char *what, uint64_t w, uint64_t h, char *err, size_t errlen);

#endif
