/* conv_winograd.h - the Winograd path of jf_conv (conv_winograd.c,
 * cl/winograd.cl), called from conv.c only: stride-1 square convolutions
 * (2x2 to 9x9, as 3x3 blocks) of any dilation as F(m x m, 3 x 3), m = 2, 4 or 6. */
#ifndef JF_CONV_WINOGRAD_H
#define JF_CONV_WINOGRAD_H

#include "ops/ops.h"

/* m of the F(m x m, 3 x 3) that a path asks for (JF_CONV_WINOGRAD: 4, _F2: 2, _F6: 6),
 * 0 for the paths that are not Winograd. */
int jf_conv_winograd_tile(jf_conv_path path);
/* 1 when a kh x kw convolution of this stride can take the Winograd path. */
int jf_conv_winograd_fits(int kh, int kw, int stride);
/* Sets conv->wino_m, wino_nb and cout_pad, transforms the weights
 * (cout x cin x k x k) to U[e][vc][cout_pad] (vc: nb^2 x cin virtual
 * channels) and uploads them to conv->weight. */
jf_status jf_conv_winograd_init(jf_context *ctx, jf_conv *conv, const float *weight, int m);
/* Workspace floats per output pixel: (m+2)^2 / m^2 x nb^2 x cin (the transformed input). */
double jf_conv_winograd_ws_per_pixel(const jf_conv *conv);
/* out (cout x ho x wo) = the convolution of in, bias and activation fused. */
jf_status jf_conv_winograd_forward(jf_context *ctx, const jf_conv *conv, const jf_tensor *in, jf_tensor *out,
                                   int ho, int wo, jf_workspace *ws);

#endif
