/* image.h - the one bridge between the public interleaved jf_image (8/16-bit
 * or float, gray/RGB/BGR/RGBA) and the planar normalized float32 device
 * tensors the filters and networks run on: checks, upload, download and the
 * one quantiser (float -> 8/16-bit: clamped to [0, 1], NaN to 0, rounded). */
#ifndef JF_IMAGE_H
#define JF_IMAGE_H

#include "runtime/runtime.h"

/* ---- checks ---- */
/* Checks an image description; msg receives what is wrong. `role` names it. */
jf_status jf_image_check(const jf_image *img, const char *role, char *msg, size_t len);
/* jf_image_check, reporting what is wrong on ctx (jf_fail). */
jf_status jf_image_validate(jf_context *ctx, const jf_image *img, const char *role);
/* Bytes per row: img->stride, or the packed row when it is 0. */
size_t jf_image_stride(const jf_image *img);
/* Planes an image becomes: 1 for gray, 3 (B, G, R) for colour (alpha dropped). */
int jf_image_planes(const jf_image *img);
/* The w x h window of img from (x, y): the same pixels, borrowed (a checked
 * image and a window inside it). */
jf_image jf_image_crop(const jf_image *img, int x, int y, int w, int h);

/* ---- image -> device ---- */
/* Allocates t (jf_image_planes(img) x height x width) and uploads img into it:
 * 8-bit / 255, 16-bit / 65535, float as is; a packed float gray image goes up
 * without a host copy. On error t is left empty. */
jf_status jf_image_upload(jf_context *ctx, const jf_image *img, jf_tensor *t);

/* jf_image_upload for inputs the kernels only read (the classical filters): on
 * a CPU device a packed float gray image is used where it lies, without a
 * copy (image.c says when). t is freed with jf_tensor_free. */
jf_status jf_image_input(jf_context *ctx, const jf_image *img, jf_tensor *t);

/* ---- device -> image ---- */
/* Downloads t (1 plane, or 3 planes B, G, R) into output, which must be
 * t's size with 1 channel for 1 plane, 3 or 4 for 3 planes: float as is,
 * integers quantised, a 4th channel set opaque. */
jf_status jf_image_download(jf_context *ctx, const jf_tensor *t, jf_image *output);

/* The tensor a filter writes its c x h x w result into, then hands to
 * jf_image_output_finish. On a CPU device, for a packed float gray output of
 * that size, it is the output's own memory (no copy, and no fresh pages for
 * the kernels to fault in: at 1080p these cost the classical filters as much
 * as their arithmetic) unless it overlaps one of the inputs in1, in2 (NULL:
 * none; the filter may read them after writing); otherwise a new device tensor, downloaded by finish.
 * Either way t is freed with jf_tensor_free, and on an error the output's
 * contents are unspecified. */
jf_status jf_image_output_alloc(jf_context *ctx, jf_image *output, jf_tensor *t, int c, int h, int w,
                                const jf_image *in1, const jf_image *in2);
jf_status jf_image_output_finish(jf_context *ctx, const jf_tensor *t, jf_image *output);

#endif
