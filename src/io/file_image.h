/* file_image.h - a decoded image file as every format module hands it over
 * (jf_file_image: interleaved, packed rows), the size limits they all check
 * before allocating, and the two helpers they share. The dispatcher that
 * picks a module is image_file.h; the modules include only this. */
#ifndef JF_FILE_IMAGE_H
#define JF_FILE_IMAGE_H

#include "jfilter.h"

#include <stddef.h>

/* Larger than any image we filter; keeps row arithmetic far from overflow. */
#define JF_FILE_MAX_DIM 65535
/* A header may claim any size: beyond this many pixels a file is refused
 * before anything is allocated (2^28 = 16384 x 16384). */
#define JF_FILE_MAX_PIXELS ((size_t)1 << 28)

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

#endif
