/* affinity_average.c - Fang et al.'s affinity-weighted deformable average,
 * one fused kernel per layer (cl/affinity_average.cl): 9 bilinear taps of the
 * feature maps and of every target plane, weighted by a softmax of the
 * negative squared feature distance. The same weights apply to each plane. */
#include "ops/ops.h"

#include <stdio.h>

#define JF_AA_MAX_FEAT 16
#define JF_AA_MAX_PLANES 4

jf_status jf_affinity_average(jf_context *ctx, const jf_tensor *heads, int feat0, int nfeat, int off0,
                              const jf_tensor *target, jf_tensor *out)
{
    if (nfeat < 1 || nfeat > JF_AA_MAX_FEAT || target->c < 1 || target->c > JF_AA_MAX_PLANES || feat0 < 0 ||
        off0 < 0 || feat0 + nfeat > heads->c || off0 + 18 > heads->c)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "affinity_average: features %d..%d and offsets %d..%d of a %d-plane map, %d target planes "
                       "(1..%d features, 1..%d planes)",
                       feat0, feat0 + nfeat - 1, off0, off0 + 17, heads->c, target->c, JF_AA_MAX_FEAT,
                       JF_AA_MAX_PLANES);
    if (heads->h != target->h || heads->w != target->w || out->c != target->c || out->h != target->h ||
        out->w != target->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "affinity_average: heads %dx%dx%d, target %dx%dx%d and output %dx%dx%d must share one size",
                       heads->c, heads->h, heads->w, target->c, target->h, target->w, out->c, out->h, out->w);
    if (out->buf == target->buf || out->buf == heads->buf)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "affinity_average: the output must not alias its inputs");
    char options[48];
    snprintf(options, sizeof options, "-DJF_AA_FEAT=%d -DJF_AA_PLANES=%d", nfeat, target->c);
    return jf_run(ctx, "affinity_average.cl", options, "affinity_average",
                  jf_grid2((size_t)target->w, (size_t)target->h, ctx->tune.wg_pixels),
                  JF_KARGS(JF_KMEM(heads->buf), JF_KINT(feat0), JF_KINT(off0), JF_KMEM(target->buf),
                           JF_KMEM(out->buf), JF_KINT(target->h), JF_KINT(target->w)));
}
