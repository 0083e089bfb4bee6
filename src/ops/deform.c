/* deform.c - host side of the fused deformable weighted average (cl/deform.cl). */
#include "ops/ops.h"

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
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "deform.cl", "deform_average", &k);
    if (st != JF_OK) return st;
    cl_mem wmem = save ? weights_out->buf : out->buf; /* unused when save == 0 */
    cl_mem omem = save ? offsets_out->buf : out->buf;
    int heads_w = heads_a->w, heads_h = heads_a->h;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &heads_a->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &heads_b->buf);
    jf_arg(ctx, k, 2, sizeof(cl_mem), &target->buf);
    jf_arg(ctx, k, 3, sizeof(cl_mem), &out->buf);
    jf_arg(ctx, k, 4, sizeof(cl_mem), &wmem);
    jf_arg(ctx, k, 5, sizeof(cl_mem), &omem);
    JF_ARG(ctx, k, 6, W);
    JF_ARG(ctx, k, 7, H);
    JF_ARG(ctx, k, 8, heads_w);
    JF_ARG(ctx, k, 9, heads_h);
    JF_ARG(ctx, k, 10, f);
    JF_ARG(ctx, k, 11, r);
    JF_ARG(ctx, k, 12, p->window);
    JF_ARG(ctx, k, 13, p->residual);
    if ((st = JF_ARG(ctx, k, 14, save)) != JF_OK) return st;
    size_t g[2] = {(size_t)W, (size_t)H}, l[2] = {16, 4};
    return jf_launch(ctx, k, 2, g, l, "deform_average");
}
