/* box.c - host side of the separable box filter (kernels in cl/box.cl):
 * a horizontal then a vertical running-sum pass. */
#include "ops/box.h"

/* Segment length of one work item: the tuned length, and at least the
 * window, so the direct sum that starts each segment costs at most one extra
 * read per output pixel. */
static int jf_box_segment(const jf_context *ctx, int r)
{
    int seg = 2 * r + 1;
    return seg < ctx->tune.box_segment ? ctx->tune.box_segment : seg;
}

static jf_status jf_box_pass(jf_context *ctx, const char *name, const jf_tensor *in, jf_tensor *out,
                             int r, jf_border border, int vertical)
{
    const jf_tune *t = &ctx->tune;
    int seg = jf_box_segment(ctx, r);
    /* box_cols: box_vec columns per work item */
    jf_grid grid = vertical ? jf_grid3((size_t)(in->w + t->box_vec - 1) / t->box_vec,
                                       (size_t)((in->h + seg - 1) / seg), (size_t)in->c, t->wg_box_cols)
                            : jf_grid3((size_t)((in->w + seg - 1) / seg), (size_t)in->h, (size_t)in->c,
                                       t->wg_box_rows);
    return JF_RUN(ctx, "box.cl", name, grid, JF_KMEM(in->buf), JF_KMEM(out->buf), JF_KINT(in->c),
                  JF_KINT(in->h), JF_KINT(in->w), JF_KINT(r), JF_KINT(border), JF_KINT(seg));
}

jf_status jf_box_mean(jf_context *ctx, const jf_tensor *in, jf_tensor *out, jf_tensor *tmp, int rx,
                      int ry, jf_border border)
{
    if (!in || !out || !tmp || in->c != out->c || in->h != out->h || in->w != out->w ||
        tmp->c != in->c || tmp->h != in->h || tmp->w != in->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "box_mean: input, output and scratch sizes differ");
    if (tmp->buf == in->buf || tmp->buf == out->buf)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "box_mean: the scratch tensor aliases the data");
    if (rx < 0 || ry < 0 || border < JF_BORDER_REFLECT || border > JF_BORDER_REPLICATE)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "box_mean: radius %dx%d or border %d is invalid",
                       rx, ry, (int)border);
    jf_status st = jf_box_pass(ctx, "box_rows", in, tmp, rx, border, 0);
    if (st != JF_OK) return st;
    return jf_box_pass(ctx, "box_cols", tmp, out, ry, border, 1);
}

jf_status jf_box_mean_products(jf_context *ctx, const jf_tensor *a, const jf_tensor *b,
                               const int *pairs, jf_tensor *out, jf_tensor *tmp, int r,
                               jf_border border)
{
    if (!a || !b || !out || !tmp || a->h != out->h || a->w != out->w || b->h != out->h ||
        b->w != out->w || tmp->c != out->c || tmp->h != out->h || tmp->w != out->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "box_mean_products: sizes differ");
    for (int c = 0; c < out->c; c++)
        if (pairs[2 * c] < 0 || pairs[2 * c] >= a->c || pairs[2 * c + 1] >= b->c)
            return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "box_mean_products: plane pair %d is invalid", c);
    if (r < 0 || border < JF_BORDER_REFLECT || border > JF_BORDER_REPLICATE)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "box_mean_products: radius %d or border %d", r,
                       (int)border);
    cl_mem pbuf = NULL;
    jf_status st = jf_buffer_create(ctx, (size_t)out->c * 2 * sizeof(int), pairs, &pbuf);
    if (st != JF_OK) return st;
    int seg = jf_box_segment(ctx, r);
    st = JF_RUN(ctx, "box.cl", "box_rows_products",
                jf_grid3((size_t)((out->w + seg - 1) / seg), (size_t)out->h, (size_t)out->c, ctx->tune.wg_box_rows),
                JF_KMEM(a->buf), JF_KMEM(b->buf), JF_KMEM(pbuf), JF_KMEM(tmp->buf), JF_KINT(out->c),
                JF_KINT(out->h), JF_KINT(out->w), JF_KINT(r), JF_KINT(border), JF_KINT(seg));
    /* OpenCL keeps the pair buffer until the kernel enqueued with it has run */
    jf_buffer_release(pbuf);
    if (st != JF_OK) return st;
    return jf_box_pass(ctx, "box_cols", tmp, out, r, border, 1);
}
