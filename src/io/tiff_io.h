/* tiff_io.h - TIFF in and out through libtiff: 8/16-bit unsigned and
 * 32/64-bit float samples, 1 to 4 per pixel, strips or tiles, contiguous or
 * separate planes; other 8-bit layouts through libtiff's RGBA decoder.
 * Written files are deflate-compressed, one strip per 64 KiB or so. */
#ifndef JF_TIFF_IO_H
#define JF_TIFF_IO_H

#include "io/file_image.h"

jf_status jf_tiff_read(const char *path, jf_file_image *out, char *err, size_t errlen);
/* Writes U8, U16 or F32 with 1 to 4 channels atomically. */
jf_status jf_tiff_write(const char *path, const jf_file_image *img, char *err, size_t errlen);

#endif
