/* pfm_io.h - Portable Float Map: "Pf" (gray) or "PF" (RGB), a text header
 * "W H" and a scale whose sign gives the byte order (negative: little-endian),
 * then float32 rows stored bottom to top. No library needed. */
#ifndef JF_PFM_IO_H
#define JF_PFM_IO_H

#include "io/file_image.h"

/* Decodes a PFM held in memory; `what` names it in messages. */
jf_status jf_pfm_read_memory(const void *data, size_t size, const char *what, jf_file_image *out,
                             char *err, size_t errlen);
/* Writes an F32 image with 1 or 3 channels, little-endian, atomically. */
jf_status jf_pfm_write(const char *path, const jf_file_image *img, char *err, size_t errlen);

#endif
