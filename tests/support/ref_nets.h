/* ref_nets.h - plain C references of the ops the newer networks (DAGF) are
 * built from: the per-pixel-kernel filter, the attention fusion of two kernel
 * maps, sums with an activation or an upsampled coarser map, average pooling
 * and edge-replicating padding. Written for clarity (double accumulation);
 * layout planar C x H x W float, as the ops in src/ops/. */
#ifndef JF_REF_NETS_H
#define JF_REF_NETS_H

#include <stddef.h>

/* in C x h x w, kern k*k x f*h x f*w, out C x f*h x f*w (see jf_pixel_kernel_filter). */
void ref_pixel_kernel_filter(const float *in, int channels, int h, int w, const float *kern, int k, int f,
                             float *out);
/* a, b, out: taps x plane; att: plane (see jf_fuse_kernels). */
void ref_fuse_kernels(const float *a, const float *b, const float *att, int plane, int taps, float scale,
                      float *out);
/* act: 0 none, 1 relu, 2 leaky(slope), 3 sigmoid. */
void ref_add_act(const float *a, const float *b, size_t n, int act, float slope, float *out);
/* out = a + scale * up_f(b), a C x H x W, b C x ceil(H/f) x ceil(W/f). */
void ref_add_upsampled(const float *a, const float *b, int channels, int H, int W, int f, float scale,
                       float *out);
/* in C x H x W, out C x h x w with h = floor or ceil of H/f (the partial block's mean). */
void ref_avg_pool(const float *in, int channels, int H, int W, int f, int h, int w, float *out);
/* in C x h x w at the top-left of out C x H x W, last row/column replicated. */
void ref_pad_replicate(const float *in, int channels, int h, int w, int H, int W, float *out);

#endif
