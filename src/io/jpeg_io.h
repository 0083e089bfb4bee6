/* jpeg_io.h - JPEG reading through libjpeg(-turbo): 8-bit gray, or colour
 * (YCbCr, RGB, CMYK/YCCK decoded to RGB) as interleaved RGB. */
#ifndef JF_JPEG_IO_H
#define JF_JPEG_IO_H

#include "io/file_image.h"

/* Decodes a JPEG held in memory; `what` names it in messages. */
jf_status jf_jpeg_read_memory(const void *data, size_t size, const char *what, jf_file_image *out,
                              char *err, size_t errlen);

#endif
