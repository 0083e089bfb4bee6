/* pixel_filter.c - the per-pixel-kernel filter over many channels with an
 * input at 1/f of the output's size (kernel in cl/pixel_filter.cl): DAGF's
 * nearest x2 + dilation-2 gather with f = 2, a plain per-pixel k x k filter
 * with f = 1. */
#include "ops/ops.h"

#include <stdio.h>

jf_status jf_pixel_kernel_filter(jf_context *ctx, const jf_tensor *in, const jf_tensor *kernels, int k, int f,
                                 jf_tensor *out)
{
    if (k < 1 || k > 7 || k % 2 == 0 || f < 1)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "pixel_kernel_filter: kernel %d (odd, 1..7), factor %d", k, f);
    int H = in->h * f, W = in->w * f;
    if (kernels->c != k * k || kernels->h != H || kernels->w != W || out->c != in->c || out->h != H ||
        out->w != W)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "pixel_kernel_filter: input %dx%dx%d by %d needs %dx%dx%d kernels and a %dx%dx%d output, "
                       "got %dx%dx%d and %dx%dx%d",
                       in->c, in->h, in->w, f, k * k, H, W, in->c, H, W, kernels->c, kernels->h, kernels->w,
                       out->c, out->h, out->w);
    char options[32];
    snprintf(options, sizeof options, "-DJF_PF_K=%d", k); /* one build per kernel size: the taps unroll */
    return jf_run(ctx, "pixel_filter.cl", options, "pixel_kernel_filter",
                  jf_grid2((size_t)W, (size_t)H, ctx->tune.wg_pixels),
                  JF_KARGS(JF_KMEM(in->buf), JF_KMEM(kernels->buf), JF_KMEM(out->buf), JF_KINT(in->c),
                           JF_KINT(in->h), JF_KINT(in->w), JF_KINT(H), JF_KINT(W), JF_KINT(f)));
}
