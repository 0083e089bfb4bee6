/* filters.h - the classical joint filters (guided, fast guided, joint
 * bilateral, joint bilateral upsampling, bicubic) on device tensors, and the
 * output check their public entry points share. */
#ifndef JF_FILTERS_H
#define JF_FILTERS_H

#include "image.h"
#include "runtime/runtime.h"

/* ---- the filters on planar float32 tensors (values in normalized units) ---- */

/* Guided filter: guide gc x H x W (gc = 1 or 3), target and out n x H x W.
 * subsample > 1 runs the fast guided filter (coefficients at 1/subsample). */
jf_status jf_guided_planes(jf_context *ctx, const jf_tensor *guide, const jf_tensor *target,
                           jf_tensor *out, int radius, float eps, int subsample);

/* Joint bilateral filter as OpenCV defines it: disk of `radius`, Gaussian of
 * the L1 colour distance, border reflected (101). guide gc x H x W, target/out n x H x W. */
jf_status jf_jbf_planes(jf_context *ctx, const jf_tensor *guide, const jf_tensor *target,
                        jf_tensor *out, int radius, float sigma_color, float sigma_space);

/* Joint bilateral upsampling: low n x h x w, guide gc x H x W, out n x H x W. */
jf_status jf_jbu_planes(jf_context *ctx, const jf_tensor *guide, const jf_tensor *low,
                        jf_tensor *out, int radius, float sigma_color, float sigma_space);

/* Runs one of cl/bilateral.cl's kernels (`name`: jbf_gG_tT or jbu_gG_tT) over
 * the guide's H x W: arguments guide, source, out, H, W, the source's h, w when
 * with_source_size (JBU), radius and the two Gaussians' coefficients; waits for it. */
jf_status jf_bilateral_launch(jf_context *ctx, const char *name, const jf_tensor *guide,
                              const jf_tensor *source, jf_tensor *out, int with_source_size,
                              int radius, float sigma_color, float sigma_space);

/* The radius OpenCV derives from a diameter: d/2, or round(1.5 sigma_space)
 * when d <= 0; at least 1. */
int jf_jbf_radius(int diameter, float sigma_space);

/* ---- the output image (output.c); upload, download and checks of the
 * images themselves are the image bridge's (image.h) ---- */

/* Checks that output can receive `planes` planes of width x height: the same
 * size, 1 channel for 1 plane, 3 or 4 for 3 planes. */
jf_status jf_filters_check_output(jf_context *ctx, const jf_image *output, int width, int height,
                                  int planes, const char *what);

#endif
