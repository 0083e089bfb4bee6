/* npy.h - the consumer application's own minimal .npy reader and writer (the
 * library does no file I/O): C-order uint8, uint16 or float32 arrays of
 * shape (H, W) or (H, W, C), little-endian. */
#ifndef CONSUMER_NPY_H
#define CONSUMER_NPY_H

#include <jfilter.h>

/* Reads path into *img (data malloc'ed, the caller frees img->data). 0 or -1 (printed). */
int npy_read(const char *path, jf_image *img);
/* Writes a tightly packed float32 image as (H, W) or (H, W, C). 0 or -1 (printed). */
int npy_write_f32(const char *path, const jf_image *img);

#endif
