/* deform.c - host side of the fused deformable weighted average (cl/deform.cl). */
#include "ops/ops.h"

#include <stdio.h>

jf_status jf_deform_average(jf_context *ctx, const jf_tensor *heads_a, const jf_tensor *heads_b,
                            const jf_tensor *target, const jf_deform_params *p, jf_tensor *out,
                            jf_tensor *weights_out, jf_tensor *offsets_out)
{
    int f = p->factor, r = p->kernel;
    int W = target->w, H = target->h;
    int hw = (W + f - 1) / f, hh = (H + f - 1) / f;
    int need = 3 * r * r * f * f;
    if (r < 1 || r > 7 || p->window < 1 || f < 1)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "deformable average: kernel %d, window %d, factor %d",
                       r, p->window, f);
    if (heads_a->c != need || heads_b->c != need || heads_a->w < hw || heads_a->h < hh ||
        heads_b->w != heads_a->w || heads_b->h != heads_a->h || target->c != 1 || out->c != 1 ||
        out->w != W || out->h != H)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "deformable average: heads %dx%dx%d / %dx%dx%d (need %d channels covering %dx%d), "
                       "target %dx%dx%d, output %dx%dx%d",
                       heads_a->c, heads_a->h, heads_a->w, heads_b->c, heads_b->h, heads_b->w, need, hh,
                       hw, target->c, target->h, target->w, out->c, out->h, out->w);
    int save = weights_out && offsets_out;
    if (save && (weights_out->c != r * r || offsets_out->c != 2 * r * r || weights_out->w != W ||
                 weights_out->h != H || offsets_out->w != W || offsets_out->h != H))
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "deformable average: map outputs of the wrong size");
    cl_mem wmem = save ? weights_out->buf : out->buf; /* unused when save == 0 */
    cl_mem omem = save ? offsets_out->buf : out->buf;
    char options[32];
    snprintf(options, sizeof options, "-DJF_DEFORM_R=%d", r); /* the tap loops unrolled (cl/deform.cl) */
    return jf_run(ctx, "deform.cl", options, "deform_average", jf_grid2((size_t)W, (size_t)H, ctx->tune.wg_pixels),
                  JF_KARGS(JF_KMEM(heads_a->buf), JF_KMEM(heads_b->buf), JF_KMEM(target->buf), JF_KMEM(out->buf),
                           JF_KMEM(wmem), JF_KMEM(omem), JF_KINT(W), JF_KINT(H), JF_KINT(heads_a->w),
                           JF_KINT(heads_a->h), JF_KINT(f), JF_KINT(r), JF_KINT(p->window), JF_KINT(p->residual),
                           JF_KINT(save)));
}
