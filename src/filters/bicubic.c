/* bicubic.c - bicubic resizing as a filter (public jf_bicubic): any gray or
 * colour image to the output's size, in PIL's or OpenCV's convention, by the
 * models' own resize op (ops/resample.c). */
#include "filters/filters.h"
#include "ops/ops.h"

jf_status jf_bicubic(jf_context *ctx, const jf_image *target, jf_image *output, jf_bicubic_mode mode)
{
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "bicubic: the context is NULL");
    jf_status st = jf_image_validate(ctx, target, "target");
    if (st != JF_OK) return st;
    if (!output || !output->data || output->width <= 0 || output->height <= 0)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "bicubic: the output image is NULL or empty");
    if ((st = jf_filters_check_output(ctx, output, output->width, output->height,
                                      jf_image_planes(target), "bicubic")) != JF_OK)
        return st;
    if (mode != JF_BICUBIC_PIL && mode != JF_BICUBIC_OPENCV)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "bicubic: unknown mode %d (0 PIL, 1 OpenCV)",
                       (int)mode);
    jf_tensor t = {0}, o = {0};
    st = jf_image_input(ctx, target, &t);
    if (st == JF_OK) st = jf_image_output_alloc(ctx, output, &o, t.c, output->height, output->width, target, NULL);
    if (st == JF_OK)
        st = jf_resize_cubic(ctx, &t, &o, mode == JF_BICUBIC_PIL ? JF_RESIZE_PIL : JF_RESIZE_OPENCV);
    if (st == JF_OK) st = jf_image_output_finish(ctx, &o, output);
    jf_tensor_free(&t);
    jf_tensor_free(&o);
    return st;
}

jf_status jf_bicubic_enqueue(jf_context *ctx, jf_buffer target, int channels, int width, int height,
                             jf_buffer output, int out_width, int out_height, jf_bicubic_mode mode, cl_uint num_wait,
                             const cl_event *wait, cl_event *done)
{
    if (done) *done = NULL;
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "bicubic: the context is NULL");
    if (mode != JF_BICUBIC_PIL && mode != JF_BICUBIC_OPENCV)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "bicubic: unknown mode %d (0 PIL, 1 OpenCV)", (int)mode);
    const jf_region r[2] = {{target, channels, height, width, "target"},
                            {output, channels, out_height, out_width, "output"}};
    jf_tensor t[2];
    jf_status st = jf_enqueue_begin(ctx, r, 2, t, num_wait, wait, done);
    if (st == JF_OK) st = jf_resize_cubic(ctx, &t[0], &t[1], mode == JF_BICUBIC_PIL ? JF_RESIZE_PIL : JF_RESIZE_OPENCV);
    return jf_enqueue_end(ctx, st, t, 2, done);
}
