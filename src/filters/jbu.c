/* jbu.c - joint bilateral upsampling (Kopf, Cohen, Lischinski, Uyttendaele
 * 2007) on device tensors and as the public jf_jbu. Kernel: cl/bilateral.cl. */
#include "filters/filters.h"

#include <math.h>
#include <stdio.h>

jf_status jf_jbu_planes(jf_context *ctx, const jf_tensor *guide, const jf_tensor *low,
                        jf_tensor *out, int radius, float sigma_color, float sigma_space)
{
    if ((guide->c != 1 && guide->c != 3) || (low->c != 1 && low->c != 3) || out->c != low->c)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "JBU: %d guide planes and %d target planes", guide->c,
                       low->c);
    if (out->h != guide->h || out->w != guide->w || low->h > guide->h || low->w > guide->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "JBU: the low-resolution target %dx%d must not exceed the guide %dx%d, "
                       "and the output must be the guide's size (is %dx%d)",
                       low->w, low->h, guide->w, guide->h, out->w, out->h);
    if (radius < 0 || radius > 64 || !(sigma_color > 0.0f) || !(sigma_space > 0.0f) ||
        !isfinite(sigma_color) || !isfinite(sigma_space))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "JBU: radius %d (0..64) or sigmas %g, %g (> 0) out of range", radius,
                       (double)sigma_color, (double)sigma_space);
    char name[32];
    snprintf(name, sizeof name, "jbu_g%d_t%d", guide->c, low->c);
    return jf_bilateral_launch(ctx, name, guide, low, out, 1, radius, sigma_color, sigma_space);
}

jf_status jf_jbu(jf_context *ctx, const jf_image *guide, const jf_image *low_target,
                 jf_image *output, int radius, float sigma_color, float sigma_space)
{
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "JBU: the context is NULL");
    jf_status st = jf_image_validate(ctx, guide, "guide");
    if (st == JF_OK) st = jf_image_validate(ctx, low_target, "target");
    if (st != JF_OK) return st;
    if (low_target->width > guide->width || low_target->height > guide->height)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "JBU: the target %dx%d is larger than the guide %dx%d (it must be the "
                       "low-resolution image)",
                       low_target->width, low_target->height, guide->width, guide->height);
    if ((st = jf_filters_check_output(ctx, output, guide->width, guide->height,
                                      jf_image_planes(low_target), "JBU")) != JF_OK)
        return st;
    jf_tensor g = {0}, t = {0}, o = {0};
    st = jf_image_input(ctx, guide, &g);
    if (st == JF_OK) st = jf_image_input(ctx, low_target, &t);
    if (st == JF_OK) st = jf_image_output_alloc(ctx, output, &o, t.c, g.h, g.w, guide, low_target);
    if (st == JF_OK) st = jf_jbu_planes(ctx, &g, &t, &o, radius, sigma_color, sigma_space);
    if (st == JF_OK) st = jf_image_output_finish(ctx, &o, output);
    jf_tensor_free(&g);
    jf_tensor_free(&t);
    jf_tensor_free(&o);
    return st;
}

jf_status jf_jbu_enqueue(jf_context *ctx, jf_buffer guide, int guide_channels, int width, int height,
                         jf_buffer low_target, int target_channels, int low_width, int low_height, jf_buffer output,
                         int radius, float sigma_color, float sigma_space, cl_uint num_wait, const cl_event *wait,
                         cl_event *done)
{
    if (done) *done = NULL;
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "JBU: the context is NULL");
    const jf_region r[3] = {{guide, guide_channels, height, width, "guide"},
                            {low_target, target_channels, low_height, low_width, "target"},
                            {output, target_channels, height, width, "output"}};
    jf_tensor t[3];
    jf_status st = jf_enqueue_begin(ctx, r, 3, t, num_wait, wait, done);
    if (st == JF_OK) st = jf_jbu_planes(ctx, &t[0], &t[1], &t[2], radius, sigma_color, sigma_space);
    return jf_enqueue_end(ctx, st, t, 3, done);
}
