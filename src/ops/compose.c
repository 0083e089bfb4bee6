/* compose.c - the affine composition out = alpha * guide + beta of a
 * spatially variant linear model (SVLRM's last step), kernel in cl/compose.cl. */
#include "ops/ops.h"

jf_status jf_affine_compose(jf_context *ctx, const jf_tensor *coeffs, const jf_tensor *guide, jf_tensor *out)
{
    if (coeffs->c != 2 || guide->c != 1 || out->c != 1 || coeffs->h != guide->h || coeffs->w != guide->w ||
        out->h != guide->h || out->w != guide->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "affine_compose: coefficients %dx%dx%d (want 2 planes), guide %dx%dx%d and output "
                       "%dx%dx%d (want 1 plane each, one size)",
                       coeffs->c, coeffs->h, coeffs->w, guide->c, guide->h, guide->w, out->c, out->h, out->w);
    int plane = guide->h * guide->w;
    return JF_RUN(ctx, "compose.cl", "affine_compose", jf_grid1((size_t)plane, ctx->tune.wg_pointwise),
                  JF_KMEM(coeffs->buf), JF_KMEM(guide->buf), JF_KMEM(out->buf), JF_KINT(plane));
}
