/* file_image.c - the helpers every format module shares (see file_image.h). */
#include "io/file_image.h"

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
