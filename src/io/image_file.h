/* image_file.h - one reader and one writer for every image file format the
 * `jfilter` program takes, so that every command reads and writes the same
 * formats the same way:
 *
 *   read (format found from the file's first bytes, not its name):
 *     PNG   8/16-bit gray, gray+alpha, RGB, RGBA, palette (libpng)
 *     JPEG  8-bit gray or colour (libjpeg-turbo)
 *     TIFF  8/16-bit unsigned or 32/64-bit float, 1-4 samples (libtiff);
 *           other 8-bit layouts (palette, YCbCr, CMYK) through libtiff's RGBA path
 *     PFM   float32 gray ("Pf") or RGB ("PF"), either byte order
 *     NPY   uint8, uint16, float32 or float64, H x W or H x W x C
 *   write (format from the name's extension):
 *     .png  8/16-bit;  .tif/.tiff  8/16-bit or float32;  .pfm float32;  .npy float32
 *
 * Pixel types keep their meaning across formats: 8-bit and 16-bit samples are
 * integers (the library maps them to 0..1 as v/255 and v/65535), floats are
 * taken as they are. A NPY or TIFF of uint16 is therefore exactly a 16-bit
 * PNG. Errors come back as a jf_status with the file's name and the reason in
 * err; writes are atomic (a failure leaves no file). */
#ifndef JF_IMAGE_FILE_H
#define JF_IMAGE_FILE_H

#include "io/file_image.h"

/* Reads any of the formats above. Unknown content gives JF_ERR_BAD_FORMAT
 * naming the formats that are read. */
jf_status jf_file_image_read(const char *path, jf_file_image *out, char *err, size_t errlen);
/* Writes img in the format its name's extension gives. Each format takes the
 * types it can hold: PNG U8/U16, TIFF U8/U16/F32, PFM and NPY F32 (1 or 3
 * channels for PFM); anything else gives JF_ERR_UNSUPPORTED. */
jf_status jf_file_image_write(const char *path, const jf_file_image *img, char *err, size_t errlen);

/* The format a name's extension selects (JF_FILE_UNKNOWN when none does). */
jf_file_format jf_file_format_from_name(const char *path);
/* Whether a format can hold type (PNG: 8/16-bit only; PFM, NPY: float only). */
int jf_file_format_holds(jf_file_format f, jf_pixel_type type);
/* "PNG", "JPEG", ... (static). */
const char *jf_file_format_name(jf_file_format f);

#endif
