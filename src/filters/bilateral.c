/* bilateral.c - the joint bilateral filter (OpenCV ximgproc semantics) on
 * device tensors and as the public jf_joint_bilateral. Kernel: cl/bilateral.cl. */
#include "filters/filters.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int jf_jbf_radius(int diameter, float sigma_space)
{
    int r = diameter > 0 ? diameter / 2 : (int)lrint(sigma_space * 1.5);
    return r < 1 ? 1 : r;
}

jf_status jf_jbf_planes(jf_context *ctx, const jf_tensor *guide, const jf_tensor *target,
                        jf_tensor *out, int radius, float sigma_color, float sigma_space)
{
    if ((guide->c != 1 && guide->c != 3) || (target->c != 1 && target->c != 3) || out->c != target->c)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED,
                       "joint bilateral: %d guide planes and %d target planes (1 or 3 each)",
                       guide->c, target->c);
    if (target->h != guide->h || target->w != guide->w || out->h != guide->h || out->w != guide->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "joint bilateral: guide %dx%d, target %dx%d and output %dx%d must match",
                       guide->w, guide->h, target->w, target->h, out->w, out->h);
    if (radius < 1 || radius > 255 || !(sigma_color > 0.0f) || !(sigma_space > 0.0f) ||
        !isfinite(sigma_color) || !isfinite(sigma_space))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "joint bilateral: radius %d (1..255) or sigmas %g, %g (> 0) out of range",
                       radius, (double)sigma_color, (double)sigma_space);
    /* one kernel per (guide planes, target planes), 1 or 3 each */
    char name[32];
    snprintf(name, sizeof name, "jbf_g%d_t%d", guide->c, target->c);
    return jf_bilateral_launch(ctx, name, guide, target, out, 0, radius, sigma_color, sigma_space);
}

jf_status jf_bilateral_launch(jf_context *ctx, const char *name, const jf_tensor *guide,
                              const jf_tensor *source, jf_tensor *out, int with_source_size,
                              int radius, float sigma_color, float sigma_space)
{
    /* weights exp(-d^2 / (2 sigma_space^2)) * exp(-D^2 / (2 sigma_color^2)) */
    float sc = (float)(0.5 / ((double)sigma_space * sigma_space));
    float cc = (float)(0.5 / ((double)sigma_color * sigma_color));
    jf_karg args[10];
    int n = 0;
    args[n++] = JF_KMEM(guide->buf);
    args[n++] = JF_KMEM(source->buf);
    args[n++] = JF_KMEM(out->buf);
    args[n++] = JF_KINT(guide->h);
    args[n++] = JF_KINT(guide->w);
    if (with_source_size) {
        args[n++] = JF_KINT(source->h);
        args[n++] = JF_KINT(source->w);
    }
    args[n++] = JF_KINT(radius);
    args[n++] = JF_KFLOAT(sc);
    args[n++] = JF_KFLOAT(cc);
    /* a work item computes bilateral_vec adjacent pixels (the kernel's JF_BILATERAL_VEC) */
    int vec = ctx->tune.bilateral_vec;
    jf_grid grid = jf_grid2((size_t)(guide->w + vec - 1) / vec, (size_t)guide->h, ctx->tune.wg_bilateral);
    return jf_run(ctx, "bilateral.cl", NULL, name, grid, args, n);
}

/* The public parameters (the blocking and the non-blocking call alike). */
static jf_status jf_jbf_check(jf_context *ctx, int diameter, float sigma_color, float sigma_space)
{
    if (diameter > 511 || !(sigma_color > 0.0f) || !(sigma_space > 0.0f) || !isfinite(sigma_color) ||
        !isfinite(sigma_space) || (diameter <= 0 && sigma_space > 170.0f))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "joint bilateral: need diameter <= 511 (or <= 0 to derive it from "
                       "sigma_space <= 170) and sigmas > 0 (got %d, %g, %g)",
                       diameter, (double)sigma_color, (double)sigma_space);
    return JF_OK;
}

jf_status jf_joint_bilateral_enqueue(jf_context *ctx, jf_buffer guide, int guide_channels, jf_buffer target,
                                     int target_channels, int width, int height, jf_buffer output, int diameter,
                                     float sigma_color, float sigma_space, cl_uint num_wait,
                                     const cl_event *wait, cl_event *done)
{
    if (done) *done = NULL;
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "joint bilateral: the context is NULL");
    jf_status st = jf_jbf_check(ctx, diameter, sigma_color, sigma_space);
    if (st != JF_OK) return st;
    const jf_region r[3] = {{guide, guide_channels, height, width, "guide"},
                            {target, target_channels, height, width, "target"},
                            {output, target_channels, height, width, "output"}};
    jf_tensor t[3];
    st = jf_enqueue_begin(ctx, r, 3, t, num_wait, wait, done);
    if (st == JF_OK)
        st = jf_jbf_planes(ctx, &t[0], &t[1], &t[2], jf_jbf_radius(diameter, sigma_space), sigma_color, sigma_space);
    return jf_enqueue_end(ctx, st, t, 3, done);
}

jf_status jf_joint_bilateral(jf_context *ctx, const jf_image *guide, const jf_image *target,
                             jf_image *output, int diameter, float sigma_color, float sigma_space)
{
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "joint bilateral: the context is NULL");
    jf_status st = jf_image_validate(ctx, guide, "guide");
    if (st == JF_OK) st = jf_image_validate(ctx, target, "target");
    if (st != JF_OK) return st;
    if (guide->width != target->width || guide->height != target->height)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "joint bilateral: the guide is %dx%d but the target %dx%d (they must match)",
                       guide->width, guide->height, target->width, target->height);
    if ((st = jf_filters_check_output(ctx, output, guide->width, guide->height,
                                      jf_image_planes(target), "joint bilateral")) != JF_OK)
        return st;
    if ((st = jf_jbf_check(ctx, diameter, sigma_color, sigma_space)) != JF_OK) return st;
    jf_tensor g = {0}, t = {0}, o = {0};
    st = jf_image_input(ctx, guide, &g);
    if (st == JF_OK) st = jf_image_input(ctx, target, &t);
    if (st == JF_OK) st = jf_image_output_alloc(ctx, output, &o, t.c, t.h, t.w, guide, target);
    if (st == JF_OK)
        st = jf_jbf_planes(ctx, &g, &t, &o, jf_jbf_radius(diameter, sigma_space), sigma_color,
                           sigma_space);
    if (st == JF_OK) st = jf_image_output_finish(ctx, &o, output);
    jf_tensor_free(&g);
    jf_tensor_free(&t);
    jf_tensor_free(&o);
    return st;
}
