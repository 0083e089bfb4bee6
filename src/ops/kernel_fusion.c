/* kernel_fusion.c - two per-pixel kernel maps fused under an attention map,
 * then squashed and L1-bounded (kernel in cl/kernel_fusion.cl): DAGF's
 * K = A * K_target + (1 - A) * K_guide before its guided filter. */
#include "ops/ops.h"

#include <stdio.h>

jf_status jf_fuse_kernels(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, const jf_tensor *att,
                          float scale, jf_tensor *out)
{
    int taps = a->c, plane = a->h * a->w;
    if (taps < 1 || taps > 49 || b->c != taps || out->c != taps || att->c != 1 || b->h != a->h ||
        b->w != a->w || att->h != a->h || att->w != a->w || out->h != a->h || out->w != a->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "fuse_kernels: maps %dx%dx%d and %dx%dx%d (1..49 taps each), attention %dx%dx%d "
                       "(one plane) and output %dx%dx%d must share one size",
                       a->c, a->h, a->w, b->c, b->h, b->w, att->c, att->h, att->w, out->c, out->h, out->w);
    if (!(scale != 0.0f))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "fuse_kernels: the scale is %g (the taps are divided by it)",
                       (double)scale);
    char options[32];
    snprintf(options, sizeof options, "-DJF_KF_TAPS=%d", taps); /* one build per tap count: registers */
    return jf_run(ctx, "kernel_fusion.cl", options, "fuse_kernels", jf_grid1((size_t)plane, ctx->tune.wg_pointwise),
                  JF_KARGS(JF_KMEM(a->buf), JF_KMEM(b->buf), JF_KMEM(att->buf), JF_KMEM(out->buf), JF_KINT(plane),
                           JF_KFLOAT(scale)));
}
