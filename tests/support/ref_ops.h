/* ref_ops.h - plain C reference implementations of every OpenCL op, written
 * for clarity (double accumulation, no tricks) so the tests can check the
 * device kernels element by element. Layout: planar C x H x W float. */
#ifndef JF_REF_OPS_H
#define JF_REF_OPS_H

#include <stddef.h>

/* Maps coordinate p into [0, n) by border rule `border` (jf_border: 0 reflect,
 * 1 reflect-101, 2 replicate), periodic like OpenCV's: the twin of cl/common.cl's. */
int ref_border_index(int p, int n, int border);
/* act: 0 none, 1 relu, 2 leaky(slope), 3 sigmoid, applied to channels < act_channels. */
void ref_conv2d(const float *in, int cin, int h, int w, const float *weight, const float *bias, int cout,
                int kh, int kw, int stride, int pad, int dil, int act, float slope, int act_channels,
                float *out, int *ho, int *wo);
void ref_space_to_depth(const float *in, int c, int h, int w, int f, float *out);
void ref_pixel_shuffle(const float *in, int c_out, int h, int w, int f, float *out);
/* PyTorch's ConvTranspose2d: weight cin x cout x k x k; out is cout x ho x wo,
 * ho = (h - 1) * stride - 2 * pad + k. */
void ref_conv_transpose2d(const float *in, int cin, int h, int w, const float *weight, const float *bias, int cout,
                          int k, int stride, int pad, float *out, int *ho, int *wo);
void ref_scale_shift(const float *in, size_t n, float a, float b, float *out);
/* mode 0: PIL bicubic (a=-0.5, antialiased shrink, clipped + renormalised taps);
 * mode 1: OpenCV INTER_CUBIC (a=-0.75, replicated border). */
void ref_resize_cubic(const float *in, int c, int h, int w, float *out, int ho, int wo, int mode);
/* mode 0: float luma; mode 1: OpenCV 8-bit luma of the 8-bit-quantised input. */
void ref_rgb_to_gray(const float *in, int plane, int ri, int gi, int bi, int mode, float *out);
/* The deformable weighted average (see cl/deform.cl for the layout). */
void ref_deform_average(const float *heads_a, const float *heads_b, int hh, int hw, const float *target,
                        int height, int width, int f, int r, int window, int residual, float *out,
                        float *weights_out, float *offsets_out);

/* Fang et al.'s ops (see src/ops/ops.h for the semantics). */
void ref_instance_norm(const float *in, int c, int h, int w, const float *gamma, const float *beta, float eps,
                       const float *residual, int act, float *out);
void ref_upsample_nearest(const float *in, int c, int h, int w, int f, float *out, int ho, int wo);
void ref_append_coords(const float *in, int c, int h, int w, float *out);
void ref_affinity_average(const float *heads, int nheads, int feat0, int nfeat, int off0, const float *target,
                          int planes, int h, int w, float *out);

#endif
