/* guided.c - the guided filter (He, Sun, Tang 2010) with gray or colour
 * guidance and its fast subsampled variant (He, Sun 2015), on device tensors
 * and as the public jf_guided_filter. Kernels: cl/guided.cl, means: ops/box.c. */
#include "filters/filters.h"
#include "ops/box.h"

#include <math.h>

/* OpenCV's ximgproc guided filter takes its window means with BORDER_REFLECT;
 * we use the same rule so results agree to float rounding. */
#define JF_GF_BORDER JF_BORDER_REFLECT

static jf_status jf_gf_subsample(jf_context *ctx, const jf_tensor *in, jf_tensor *out, int s)
{
    return JF_RUN(ctx, "guided.cl", "gf_subsample",
                  jf_grid3((size_t)out->w, (size_t)out->h, (size_t)out->c, ctx->tune.wg_pixels), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(out->h),
                  JF_KINT(out->w), JF_KINT(s));
}

/* Window statistics of the guide: means of I_k, then of I_i * I_j for i <= j
 * (order 00 01 02 11 12 22), the layout gf_coefficients reads. */
static jf_status jf_gf_guide_stats(jf_context *ctx, const jf_tensor *guide, jf_tensor *gstat,
                                   jf_tensor *tmp, int r)
{
    static const int gray[] = {0, -1, 0, 0};
    static const int colour[] = {0, -1, 1, -1, 2, -1, 0, 0, 0, 1, 0, 2, 1, 1, 1, 2, 2, 2};
    jf_tensor t = jf_tensor_wrap(tmp->buf, gstat->c, gstat->h, gstat->w);
    return jf_box_mean_products(ctx, guide, guide, guide->c == 1 ? gray : colour, gstat, &t, r,
                                JF_GF_BORDER);
}

/* Averaged coefficients mean(a_k), mean(b) of target channel c into ab,
 * which may be tstat itself (each pixel's statistics are read before its
 * coefficients are written). */
static jf_status jf_gf_coefficients(jf_context *ctx, const jf_tensor *guide, const jf_tensor *target,
                                    int c, const jf_tensor *gstat, jf_tensor *tstat, jf_tensor *ab,
                                    jf_tensor *tmp, int r, float eps)
{
    int plane = guide->h * guide->w;
    /* means of p, then of p * I_k */
    int pairs[8] = {c, -1, c, 0, c, 1, c, 2};
    jf_tensor t = jf_tensor_wrap(tmp->buf, tstat->c, tstat->h, tstat->w);
    jf_status st = jf_box_mean_products(ctx, target, guide, pairs, tstat, &t, r, JF_GF_BORDER);
    if (st == JF_OK)
        st = JF_RUN(ctx, "guided.cl", "gf_coefficients", jf_grid1((size_t)plane, ctx->tune.wg_pointwise),
                    JF_KMEM(gstat->buf), JF_KMEM(tstat->buf), JF_KMEM(ab->buf), JF_KINT(guide->c),
                    JF_KINT(plane), JF_KFLOAT(eps));
    if (st != JF_OK) return st;
    t = jf_tensor_wrap(tmp->buf, ab->c, ab->h, ab->w);
    return jf_box_mean(ctx, ab, ab, &t, r, r, JF_GF_BORDER);
}

static jf_status jf_gf_apply(jf_context *ctx, const jf_tensor *guide, const jf_tensor *ab, int c,
                             jf_tensor *out)
{
    return JF_RUN(ctx, "guided.cl", "gf_apply", jf_grid2((size_t)guide->w, (size_t)guide->h, ctx->tune.wg_pixels),
                  JF_KMEM(guide->buf), JF_KMEM(ab->buf), JF_KMEM(out->buf), JF_KINT(guide->c),
                  JF_KINT(guide->h), JF_KINT(guide->w), JF_KINT(ab->h), JF_KINT(ab->w), JF_KINT(c));
}

/* The radius at the fast filter's resolution: round(radius / s), at least one pixel. */
static int jf_gf_coarse_radius(int radius, int s)
{
    if (s == 1 || radius == 0) return radius;
    return (int)fmax(1.0, floor((double)radius / s + 0.5));
}

/* Device bytes per pixel of jf_guided_planes: guide, target and output at full
 * size, the statistics (and the fast filter's subsampled inputs) at 1/s^2. */
static double jf_gf_bytes_per_pixel(int gc, int tc, int s)
{
    int nstat = gc + gc * (gc + 1) / 2;
    double coarse = (2.0 * nstat + gc + 1 + (s > 1 ? gc + tc : 0)) * 4.0 / ((double)s * s);
    return (gc + 2.0 * tc) * 4.0 + coarse;
}

/* How far an output pixel reaches: means of means (2r), at the coarse grid for
 * the fast filter, plus its bilinear step and the subsampling block. */
static int jf_gf_halo(int radius, int s)
{
    return s == 1 ? 2 * radius : (2 * jf_gf_coarse_radius(radius, s) + 2) * s;
}

jf_status jf_guided_planes(jf_context *ctx, const jf_tensor *guide, const jf_tensor *target,
                           jf_tensor *out, int radius, float eps, int subsample)
{
    if (guide->c != 1 && guide->c != 3)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "guided filter: the guide has %d planes (1 or 3)",
                       guide->c);
    if (target->h != guide->h || target->w != guide->w || out->c != target->c ||
        out->h != guide->h || out->w != guide->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "guided filter: guide %dx%d, target %dx%d and output %dx%d must match",
                       guide->w, guide->h, target->w, target->h, out->w, out->h);
    if (radius < 0 || subsample < 1 || !(eps >= 0.0f) || !isfinite(eps))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "guided filter: radius %d, eps %g or subsample %d is out of range", radius,
                       (double)eps, subsample);
    int gc = guide->c, s = subsample, r = radius;
    int lh = (guide->h + s - 1) / s, lw = (guide->w + s - 1) / s;
    /* the fast filter's window shrinks with the image; keep at least one pixel of it */
    r = jf_gf_coarse_radius(radius, s);
    jf_tensor gl = {0}, tl = {0}, gstat = {0}, tstat = {0}, ab = {0}, tmp = {0};
    jf_status st = JF_OK;
    if (s > 1) {
        st = jf_tensor_alloc(ctx, &gl, gc, lh, lw);
        if (st == JF_OK) st = jf_tensor_alloc(ctx, &tl, target->c, lh, lw);
        if (st == JF_OK) st = jf_gf_subsample(ctx, guide, &gl, s);
        if (st == JF_OK) st = jf_gf_subsample(ctx, target, &tl, s);
    } else {
        gl = jf_tensor_wrap(guide->buf, gc, lh, lw);
        tl = jf_tensor_wrap(target->buf, target->c, lh, lw);
    }
    int nstat = gc + gc * (gc + 1) / 2;
    /* the statistics live in the context's scratch: the next call of this size
     * finds them allocated (and their pages faulted in) */
    if (st == JF_OK) st = jf_scratch_tensor(ctx, 0, nstat, lh, lw, &gstat);
    if (st == JF_OK) st = jf_scratch_tensor(ctx, 1, gc + 1, lh, lw, &tstat);
    /* the coefficients overwrite the target statistics they come from */
    if (st == JF_OK) ab = jf_tensor_wrap(tstat.buf, gc + 1, lh, lw);
    if (st == JF_OK) st = jf_scratch_tensor(ctx, 2, nstat, lh, lw, &tmp);
    if (st == JF_OK) st = jf_gf_guide_stats(ctx, &gl, &gstat, &tmp, r);
    for (int c = 0; st == JF_OK && c < target->c; c++) {
        st = jf_gf_coefficients(ctx, &gl, &tl, c, &gstat, &tstat, &ab, &tmp, r, eps);
        if (st == JF_OK) st = jf_gf_apply(ctx, guide, &ab, c, out);
    }
    jf_tensor_free(&gl);
    jf_tensor_free(&tl);
    jf_tensor_free(&gstat);
    jf_tensor_free(&tstat);
    jf_tensor_free(&ab);
    jf_tensor_free(&tmp);
    return st;
}

/* The filter over a window of the images (guide and target views of one
 * size): its output's inner part (ox, oy, ow x oh, the whole when !crop)
 * goes to `output`, a view of that size. */
static jf_status jf_gf_window(jf_context *ctx, const jf_image *guide, const jf_image *target, jf_image *output,
                              int ox, int oy, int ow, int oh, int crop, int radius, float eps, int subsample)
{
    jf_tensor g = {0}, t = {0}, o = {0}, inner = {0};
    jf_status st = jf_image_input(ctx, guide, &g);
    if (st == JF_OK) st = jf_image_input(ctx, target, &t);
    /* uncropped, the result goes straight to the output (image.h) */
    if (st == JF_OK)
        st = crop ? jf_tensor_alloc(ctx, &o, t.c, t.h, t.w) : jf_image_output_alloc(ctx, output, &o, t.c, t.h, t.w, guide, target);
    if (st == JF_OK) st = jf_guided_planes(ctx, &g, &t, &o, radius, eps, subsample);
    jf_tensor *res = &o;
    if (st == JF_OK && crop) {
        st = jf_image_output_alloc(ctx, output, &inner, o.c, oh, ow, guide, target);
        if (st == JF_OK) st = jf_tensor_copy_rect(ctx, &o, ox, oy, &inner, 0, 0, ow, oh);
        res = &inner;
    }
    if (st == JF_OK) st = jf_image_output_finish(ctx, res, output);
    jf_tensor_free(&g);
    jf_tensor_free(&t);
    jf_tensor_free(&o);
    jf_tensor_free(&inner);
    return st;
}

jf_status jf_guided_filter(jf_context *ctx, const jf_image *guide, const jf_image *target,
                           jf_image *output, int radius, float eps, int subsample)
{
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "guided filter: the context is NULL");
    jf_status st = jf_image_validate(ctx, guide, "guide");
    if (st == JF_OK) st = jf_image_validate(ctx, target, "target");
    if (st != JF_OK) return st;
    if (guide->width != target->width || guide->height != target->height)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "guided filter: the guide is %dx%d but the target %dx%d (they must match)",
                       guide->width, guide->height, target->width, target->height);
    if ((st = jf_filters_check_output(ctx, output, guide->width, guide->height,
                                      jf_image_planes(target), "guided filter")) != JF_OK)
        return st;
    if (radius < 0 || radius > 65535 || !(eps >= 0.0f) || !isfinite(eps) || subsample < 1 ||
        subsample > 64)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "guided filter: need radius >= 0, eps >= 0 and subsample in 1..64 "
                       "(got %d, %g, %d)",
                       radius, (double)eps, subsample);
    /* tiles when the maps would not fit the context's memory budget */
    int W = guide->width, H = guide->height, s = subsample;
    double bpp = jf_gf_bytes_per_pixel(jf_image_planes(guide), jf_image_planes(target), s);
    int halo = jf_gf_halo(radius, s);
    double side = sqrt((double)jf_memory_budget(ctx, 0) / bpp);
    int inner = ((int)side - 2 * halo) / s * s;
    if (inner < 4 * s + 32) inner = (4 * s + 32) / s * s;
    if ((double)W * H * bpp <= (double)jf_memory_budget(ctx, 0) || (W <= inner && H <= inner))
        return jf_gf_window(ctx, guide, target, output, 0, 0, W, H, 0, radius, eps, s);
    for (int iy0 = 0; st == JF_OK && iy0 < H; iy0 += inner) {
        for (int ix0 = 0; st == JF_OK && ix0 < W; ix0 += inner) {
            int ix1 = ix0 + inner < W ? ix0 + inner : W, iy1 = iy0 + inner < H ? iy0 + inner : H;
            /* the read window: grown by the halo, on the subsampling grid, clipped to the image */
            int rx0 = ix0 - halo > 0 ? (ix0 - halo) / s * s : 0, ry0 = iy0 - halo > 0 ? (iy0 - halo) / s * s : 0;
            int rx1 = ix1 + halo < W ? ix1 + halo : W, ry1 = iy1 + halo < H ? iy1 + halo : H;
            jf_image gv = jf_image_crop(guide, rx0, ry0, rx1 - rx0, ry1 - ry0);
            jf_image tv = jf_image_crop(target, rx0, ry0, rx1 - rx0, ry1 - ry0);
            jf_image ov = jf_image_crop(output, ix0, iy0, ix1 - ix0, iy1 - iy0);
            st = jf_gf_window(ctx, &gv, &tv, &ov, ix0 - rx0, iy0 - ry0, ix1 - ix0, iy1 - iy0, 1, radius, eps, s);
        }
    }
    return st;
}

jf_status jf_guided_filter_enqueue(jf_context *ctx, jf_buffer guide, int guide_channels, jf_buffer target,
                                   int target_channels, int width, int height, jf_buffer output, int radius,
                                   float eps, int subsample, cl_uint num_wait, const cl_event *wait,
                                   cl_event *done)
{
    if (done) *done = NULL;
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "guided filter: the context is NULL");
    if ((guide_channels != 1 && guide_channels != 3) || (target_channels != 1 && target_channels != 3) ||
        width <= 0 || height <= 0 || subsample > 64)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "guided filter: %d guide channels (1 or 3), %d target channels (1 or 3), size %dx%d or "
                       "subsample %d (1..64)", guide_channels, target_channels, width, height, subsample);
    const jf_region r[3] = {{guide, guide_channels, height, width, "guide"},
                            {target, target_channels, height, width, "target"},
                            {output, target_channels, height, width, "output"}};
    jf_tensor t[3];
    jf_status st = jf_enqueue_begin(ctx, r, 3, t, num_wait, wait, done);
    if (st == JF_OK) st = jf_guided_planes(ctx, &t[0], &t[1], &t[2], radius, eps, subsample);
    return jf_enqueue_end(ctx, st, t, 3, done);
}
