/* image.h - conversion between the public interleaved jf_image (8/16-bit or
 * float, gray/RGB/BGR/RGBA) and the planar normalized float32 the networks use. */
#ifndef JF_IMAGE_H
#define JF_IMAGE_H

#include "jfilter.h"

/* Checks an image description; msg receives what is wrong. `role` names it. */
jf_status jf_image_check(const jf_image *img, const char *role, char *msg, size_t len);
/* Planar copy: gray images give 1 plane; colour images give 3 planes in
 * B, G, R order (alpha dropped). 8-bit / 255, 16-bit / 65535, float as is. */
void jf_image_to_planes(const jf_image *img, float *planes);
/* Writes one plane into a 1-channel image: float as is, integers clamped and rounded. */
void jf_plane_to_image(const float *plane, jf_image *img);
size_t jf_image_stride(const jf_image *img);

#endif
