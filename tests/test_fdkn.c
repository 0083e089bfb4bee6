/* test_fdkn.c - FDKN against the published model's reference output in
 * ../shared/conformance/fdkn_x8 (1e-4 max abs), through the host-image API and
 * the device-buffer API, plus sizes that are not multiples of 4 and the
 * low-resolution path. */
#include "jf_fixtures.h"
#include "jf_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *fdkn_model(void)
{
    return jft_converted_model("conformance/fdkn_x8/FDKN_8x", "fdkn_x8_published", "--arch fdkn --scale 8");
}

START_TEST(fdkn_matches_published_output)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, fdkn_model());
    jf_model_info info = {.size = sizeof(jf_model_info)};
    ck_assert_int_eq(jf_model_get_info(m, &info), JF_OK);
    ck_assert_str_eq(info.architecture, "fdkn");
    ck_assert_int_eq(info.scale, 8);
    ck_assert_int_eq(info.residual, 1);
    jf_image guide, target;
    jft_read_png(jft_shared_path("conformance/fdkn_x8/rgb.png"), &guide);
    jft_read_png(jft_shared_path("conformance/fdkn_x8/lr.png"), &target);
    jf_npy want;
    jft_read_npy(jft_shared_path("conformance/fdkn_x8/expected.npy"), &want);
    ck_assert_int_eq(want.shape[0], guide.height);
    ck_assert_int_eq(want.shape[1], guide.width);
    float *out = malloc((size_t)guide.width * guide.height * sizeof(float));
    jf_image o = {sizeof(jf_image), guide.width, guide.height, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    ck_assert_msg(jf_model_run(m, &guide, &target, &o, NULL) == JF_OK, "%s", jf_last_error(ctx));
    jft_assert_close(out, want.data, (size_t)guide.width * guide.height, 1e-4);

    /* the same through cl_mem buffers: planes B, G, R normalised to [0,1] */
    size_t plane = (size_t)guide.width * guide.height;
    float *planes = malloc(plane * 4 * sizeof(float));
    const unsigned char *rgb = guide.data, *lr = target.data;
    for (size_t p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) planes[c * plane + p] = rgb[p * 3 + (2 - c)] / 255.0f;
        planes[3 * plane + p] = lr[p] / 255.0f;
    }
    cl_int e;
    cl_context clctx;
    clGetCommandQueueInfo(jf_context_queue(ctx), CL_QUEUE_CONTEXT, sizeof clctx, &clctx, NULL);
    cl_mem g = clCreateBuffer(clctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, plane * 3 * sizeof(float), planes, &e);
    cl_mem t = clCreateBuffer(clctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, plane * sizeof(float),
                              planes + 3 * plane, &e);
    cl_mem ob = clCreateBuffer(clctx, CL_MEM_WRITE_ONLY, plane * sizeof(float), NULL, &e);
    ck_assert_msg(jf_model_run_buffers(m, g, 3, guide.width, guide.height, t, 1, guide.width, guide.height, ob, NULL) ==
                      JF_OK,
                  "%s", jf_last_error(ctx));
    ck_assert_int_eq(clEnqueueReadBuffer(jf_context_queue(ctx), ob, CL_TRUE, 0, plane * sizeof(float), out, 0,
                                         NULL, NULL),
                     CL_SUCCESS);
    jft_assert_close(out, want.data, plane, 1e-4);
    clReleaseMemObject(g);
    clReleaseMemObject(t);
    clReleaseMemObject(ob);
    free(planes);
    free(out);
    free(guide.data);
    free(target.data);
    jf_npy_free(&want);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fdkn_any_size_and_low_resolution)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, fdkn_model());
    jf_image guide, target;
    jft_read_png(jft_shared_path("conformance/fdkn_x8/rgb.png"), &guide);
    jft_read_png(jft_shared_path("conformance/fdkn_x8/lr.png"), &target);
    jf_npy want;
    jft_read_npy(jft_shared_path("conformance/fdkn_x8/expected.npy"), &want);

    /* A crop that is not a multiple of 4 (a view into the same pixels via stride):
     * away from the crop's edges (beyond the network's reach) it still matches. */
    int cw = 301, ch = 203, x0 = 160, y0 = 120;
    jf_image g = jft_crop(&guide, x0, y0, cw, ch), t = jft_crop(&target, x0, y0, cw, ch);
    float *out = malloc((size_t)cw * ch * sizeof(float));
    jf_image o = {sizeof(jf_image), cw, ch, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    ck_assert_msg(jf_model_run(m, &g, &t, &o, NULL) == JF_OK, "%s", jf_last_error(ctx));
    double worst = 0;
    for (int y = 40; y < ch - 40; y++)
        for (int x = 40; x < cw - 40; x++) {
            double d = out[(size_t)y * cw + x] - want.data[(size_t)(y + y0) * guide.width + x + x0];
            worst = d > worst ? d : -d > worst ? -d : worst;
        }
    ck_assert_msg(worst <= 1e-4, "interior of a 301x203 crop differs by %g", worst);

    /* A low-resolution target (80x60 for a 640x480 guide) is upsampled x8 first:
     * wrong scales are refused, the right one runs and stays in range. */
    unsigned char *low = malloc(80 * 60);
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 80; x++) low[y * 80 + x] = ((const unsigned char *)target.data)[(y * 8 + 4) * 640 + x * 8 + 4];
    jf_image lt = {sizeof(jf_image), 80, 60, 1, JF_PIXEL_U8, JF_ORDER_RGB, 0, low};
    float *full = malloc(640 * 480 * sizeof(float));
    jf_image fo = {sizeof(jf_image), 640, 480, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, full};
    jf_run_options opt = {.size = sizeof(jf_run_options), .scale = 4};
    ck_assert_int_eq(jf_model_run(m, &guide, &lt, &fo, &opt), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "x4"));
    opt.scale = 8;
    ck_assert_msg(jf_model_run(m, &guide, &lt, &fo, &opt) == JF_OK, "%s", jf_last_error(ctx));
    double err = 0;
    for (int i = 0; i < 640 * 480; i++) {
        double d = full[i] - want.data[i];
        err += d * d;
    }
    err = sqrt(err / (640 * 480)) * 255;
    /* a nearest-sampled x8 input is far rougher than lr.png, but stays close to the reference */
    ck_assert_msg(err < 12.0, "RMSE against the reference output %.2f (0..255)", err);

    free(low);
    free(full);
    free(out);
    free(guide.data);
    free(target.data);
    jf_npy_free(&want);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fdkn_matches_through_sgemm_path)
{
    /* the path GPUs take by default: im2col + CLBlast SGEMM */
    setenv("JF_CONV", "gemm", 1);
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, fdkn_model());
    unsetenv("JF_CONV");
    jf_image guide, target;
    jft_read_png(jft_shared_path("conformance/fdkn_x8/rgb.png"), &guide);
    jft_read_png(jft_shared_path("conformance/fdkn_x8/lr.png"), &target);
    jf_npy want;
    jft_read_npy(jft_shared_path("conformance/fdkn_x8/expected.npy"), &want);
    size_t n = (size_t)guide.width * guide.height;
    float *out = malloc(n * sizeof(float));
    jf_image o = {sizeof(jf_image), guide.width, guide.height, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    ck_assert_msg(jf_model_run(m, &guide, &target, &o, NULL) == JF_OK, "%s", jf_last_error(ctx));
    jft_assert_close(out, want.data, n, 1e-4);
    free(out), free(guide.data), free(target.data);
    jf_npy_free(&want);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("fdkn", "conformance", 900,
                         JFT_TESTS(fdkn_matches_published_output, fdkn_any_size_and_low_resolution,
                                   fdkn_matches_through_sgemm_path));
}
