/* box.c - host side of the separable box filter (kernels in cl/box.cl):
 * a horizontal then a vertical running-sum pass. */
#include "ops/box.h"

/* Segment length of one work item: at least the window, so the direct sum
 * that starts each segment costs at most one extra read per output pixel. */
static int jf_box_segment(int r)
{
    int seg = 2 * r + 1;
    return seg < 64 ? 64 : seg;
}

static jf_status jf_box_pass(jf_context *ctx, const char *name, const jf_tensor *in, jf_tensor *out,
                             int r, jf_border border, int vertical)
{
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "box.cl", name, &k);
    if (st != JF_OK) return st;
    int seg = jf_box_segment(r), b = (int)border;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &in->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &out->buf);
    JF_ARG(ctx, k, 2, in->c);
    JF_ARG(ctx, k, 3, in->h);
    JF_ARG(ctx, k, 4, in->w);
    JF_ARG(ctx, k, 5, r);
    JF_ARG(ctx, k, 6, b);
    if ((st = JF_ARG(ctx, k, 7, seg)) != JF_OK) return st;
    size_t g[3], l[3];
    if (vertical) {
        g[0] = (size_t)(in->w + 7) / 8; /* eight columns per work item */
        g[1] = (size_t)((in->h + seg - 1) / seg);
        l[0] = 8;
        l[1] = 1;
    } else {
        g[0] = (size_t)((in->w + seg - 1) / seg);
        g[1] = (size_t)in->h;
        l[0] = 1;
        l[1] = 16;
    }
    g[2] = (size_t)in->c;
    l[2] = 1;
    return jf_launch(ctx, k, 3, g, l, name);
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

int jf_border_index_host(int p, int n, jf_border border)
{
    if (p >= 0 && p < n) return p;
    if (border == JF_BORDER_REPLICATE || n == 1) return p < 0 ? 0 : n - 1;
    int period = border == JF_BORDER_REFLECT_101 ? 2 * n - 2 : 2 * n;
    p %= period;
    if (p < 0) p += period;
    if (p < n) return p;
    return border == JF_BORDER_REFLECT_101 ? period - p : period - 1 - p;
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
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "box.cl", "box_rows_products", &k);
    if (st != JF_OK) return st;
    cl_mem pbuf = NULL;
    if ((st = jf_buffer_create(ctx, (size_t)out->c * 2 * sizeof(int), pairs, &pbuf)) != JF_OK) return st;
    int seg = jf_box_segment(r), bo = (int)border;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &a->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &b->buf);
    jf_arg(ctx, k, 2, sizeof(cl_mem), &pbuf);
    jf_arg(ctx, k, 3, sizeof(cl_mem), &tmp->buf);
    JF_ARG(ctx, k, 4, out->c);
    JF_ARG(ctx, k, 5, out->h);
    JF_ARG(ctx, k, 6, out->w);
    JF_ARG(ctx, k, 7, r);
    JF_ARG(ctx, k, 8, bo);
    st = JF_ARG(ctx, k, 9, seg);
    size_t g[3] = {(size_t)((out->w + seg - 1) / seg), (size_t)out->h, (size_t)out->c}, l[3] = {1, 16, 1};
    if (st == JF_OK) st = jf_launch(ctx, k, 3, g, l, "box_rows_products");
    /* OpenCL keeps the pair buffer until the kernel enqueued with it has run */
    clReleaseMemObject(pbuf);
    if (st != JF_OK) return st;
    return jf_box_pass(ctx, "box_cols", tmp, out, r, border, 1);
}
