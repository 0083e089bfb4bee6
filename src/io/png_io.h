/* png_io.h - PNG in and out through libpng: 8- and 16-bit, gray, gray+alpha,
 * RGB, RGBA and palette images. Writes go to a temporary file renamed into
 * place, so a failed write never leaves a partial output behind. */
#ifndef JF_PNG_IO_H
#define JF_PNG_IO_H

#include "jfilter.h"

#include <stddef.h>


typedef struct jf_png {
    int width, height;
    int channels;     /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    int bit_depth;    /* 8 or 16 (lower depths are expanded to 8, palettes to RGB(A)) */
    void *pixels;     /* interleaved, packed rows; uint8_t or uint16_t in host byte order; owned */
} jf_png;

/* Reads a PNG. Malformed or truncated files give JF_ERR_BAD_FORMAT with the
 * file name and libpng's reason in err; unreadable ones JF_ERR_IO; one that
 * declares more pixels than the limit of file_image.h (jf_file_max_pixels:
 * $JF_MAX_PIXELS, default 10^8) JF_ERR_UNSUPPORTED, before any pixel memory
 * is allocated, with a message naming the limit and JF_MAX_PIXELS. Each side
 * is also capped at 65535. */
jf_status jf_png_read(const char *path, jf_png *out, char *err, size_t errlen);
/* Decodes a PNG held in memory (same rules). */
jf_status jf_png_read_memory(const void *data, size_t size, const char *what, jf_png *out,
                             char *err, size_t errlen);
/* Writes img (channels 1..4, bit depth 8 or 16) atomically. */
jf_status jf_png_write(const char *path, const jf_png *img, char *err, size_t errlen);
void jf_png_free(jf_png *img);

#endif
