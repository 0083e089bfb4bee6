/* test_svlrm.c - SVLRM against the reference re-implementation's outputs in
 * ../shared/conformance/svlrm_x8 (output, alpha, beta to 1e-4; through the
 * library's own upsampling of low.png to 1e-2), the x4/x16 and ReLU variants,
 * and the tiling promise: tiled runs equal untiled ones (SVLRM and FDKN). */
#include "jf_fixtures.h"
#include "jf_test.h"
#include "models/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_DIR "conformance/svlrm_x8/"

static const char *svlrm_model(int scale)
{
    char rel[128], name[64], args[64];
    snprintf(rel, sizeof rel, "conformance/svlrm_weights/svlrm_x%d.pth", scale);
    snprintf(name, sizeof name, "svlrm_x%d_published", scale);
    snprintf(args, sizeof args, "--arch svlrm --scale %d", scale);
    return jft_converted_model(rel, name, args);
}

START_TEST(svlrm_matches_reference)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, svlrm_model(8));
    jf_model_info info = {.size = sizeof(jf_model_info)};
    jf_model_get_info(m, &info);
    ck_assert_str_eq(info.architecture, "svlrm");
    ck_assert_str_eq(info.upsample, "opencv");
    jf_image guide, up, low;
    jft_read_png(jft_shared_path(C_DIR "guide.png"), &guide);
    jft_read_png(jft_shared_path(C_DIR "up.png"), &up);
    jft_read_png(jft_shared_path(C_DIR "low.png"), &low);
    jf_npy want, wa, wb;
    jft_read_npy(jft_shared_path(C_DIR "expected.npy"), &want);
    jft_read_npy(jft_shared_path(C_DIR "alpha.npy"), &wa);
    jft_read_npy(jft_shared_path(C_DIR "beta.npy"), &wb);
    size_t n = (size_t)guide.width * guide.height;
    float *out = malloc(n * sizeof(float)), *alpha = malloc(n * sizeof(float)), *beta = malloc(n * sizeof(float));
    jf_image o = {sizeof(jf_image), guide.width, guide.height, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    jf_run_options opt = {.size = sizeof(jf_run_options), .alpha = alpha, .beta = beta};
    ck_assert_msg(jf_model_run(m, &guide, &up, &o, &opt) == JF_OK, "%s", jf_last_error(ctx));
    jft_assert_close(out, want.data, n, 1e-4);
    jft_assert_close(alpha, wa.data, n, 1e-4);
    jft_assert_close(beta, wb.data, n, 1e-4);
    /* output = alpha * guide + beta holds pixel by pixel */
    for (size_t i = 0; i < n; i++)
        ck_assert_float_eq_tol(out[i], alpha[i] * (((unsigned char *)guide.data)[i] / 255.0f) + beta[i], 1e-5);

    /* the low-resolution input through the library's own OpenCV-style upsampling */
    opt = (jf_run_options){.size = sizeof(jf_run_options), .scale = 8};
    ck_assert_msg(jf_model_run(m, &guide, &low, &o, &opt) == JF_OK, "%s", jf_last_error(ctx));
    jft_assert_close(out, want.data, n, 1e-2);

    free(out), free(alpha), free(beta);
    free(guide.data), free(up.data), free(low.data);
    jf_npy_free(&want), jf_npy_free(&wa), jf_npy_free(&wb);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(svlrm_other_scales_and_relu)
{
    jf_context *ctx = jft_context();
    jf_image guide, up;
    jft_read_png(jft_shared_path(C_DIR "guide.png"), &guide);
    jft_read_png(jft_shared_path(C_DIR "up.png"), &up);
    size_t n = (size_t)guide.width * guide.height;
    float *out = malloc(n * sizeof(float));
    jf_image o = {sizeof(jf_image), guide.width, guide.height, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    /* copies: the fixture returns a static buffer */
    char *paths[3] = {strdup(svlrm_model(4)), strdup(svlrm_model(16)),
                      strdup(jft_converted_model("conformance/svlrm_weights/svlrm_x8.pth", "svlrm_x8_relu",
                                                 "--arch svlrm --scale 8 --activation relu"))};
    float *leaky = malloc(n * sizeof(float));
    for (int i = 0; i < 3; i++) {
        jf_model *m = jft_load_model(ctx, paths[i]);
        ck_assert_msg(jf_model_run(m, &guide, &up, &o, NULL) == JF_OK, "%s", jf_last_error(ctx));
        double se = 0, moved = 0;
        for (size_t p = 0; p < n; p++) {
            ck_assert(isfinite(out[p]));
            double d = out[p] - ((unsigned char *)up.data)[p] / 255.0;
            se += d * d;
            if (i == 2) moved = fmax(moved, fabs(out[p] - leaky[p]));
        }
        if (i < 2) {
            /* a depth refiner stays near its input: RMSE to the upsampled input under 0.1 */
            ck_assert_msg(sqrt(se / n) < 0.1, "model %s: RMSE to its input %.3f", paths[i], sqrt(se / n));
            if (i == 0) {
                /* keep the x8 leaky result of the same weights for the ReLU comparison below */
                jf_model *m8 = jft_load_model(ctx, svlrm_model(8));
                jf_image lo = o;
                lo.data = leaky;
                ck_assert_int_eq(jf_model_run(m8, &guide, &up, &lo, NULL), JF_OK);
                jf_model_destroy(m8);
            }
        } else {
            /* the activation comes from the metadata: the same weights under ReLU compute something else */
            ck_assert_msg(moved > 1e-3, "ReLU metadata changed nothing (max diff %g)", moved);
        }
        jf_model_destroy(m);
        free(paths[i]);
    }
    free(leaky);
    free(out), free(guide.data), free(up.data);
    jf_context_destroy(ctx);
}
END_TEST

static int count_calls(void *user, int done, int total)
{
    int *calls = user;
    ck_assert_int_le(done, total);
    calls[0]++;
    calls[1] = total;
    return 0;
}

static int cancel_at_two(void *user, int done, int total)
{
    (void)user;
    (void)total;
    return done >= 2;
}

/* Runs m on guide/target untiled and with a budget small enough for several
 * tiles; both results (and the coefficients, when asked) must agree within
 * tol (jft_tiling_pass). */
static void check_tiling(jf_context *ctx, jf_model *m, const jf_image *guide, const jf_image *target, int coeffs,
                         double tol)
{
    size_t n = (size_t)guide->width * guide->height;
    float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
    float *ca = coeffs ? malloc(2 * n * sizeof(float)) : NULL, *cb = coeffs ? malloc(2 * n * sizeof(float)) : NULL;
    jf_image oa = {sizeof(jf_image), guide->width, guide->height, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, a}, ob = oa;
    ob.data = b;
    int calls[2] = {0, 0};
    jf_run_options whole = {.size = sizeof(jf_run_options), .alpha = ca, .beta = ca ? ca + n : NULL, .progress = count_calls, .progress_user = calls};
    ck_assert_msg(jf_model_run(m, guide, target, &oa, &whole) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_eq(calls[1], 1);
    size_t budget = 1; /* tiny: the smallest tile size decides */
    ck_assert_int_lt(jf_tile_size(m, budget), guide->width);
    calls[0] = calls[1] = 0;
    jf_run_options tiled = {.size = sizeof(jf_run_options), .memory_budget = budget, .alpha = cb, .beta = cb ? cb + n : NULL,
                            .progress = count_calls, .progress_user = calls};
    ck_assert_msg(jf_model_run(m, guide, target, &ob, &tiled) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_gt(calls[1], 3);
    ck_assert_int_eq(calls[0], calls[1]);
    jft_assert_close(b, a, n, tol);
    if (coeffs) jft_assert_close(cb, ca, 2 * n, tol);
    /* a progress callback that asks to stop ends the run with JF_ERR_CANCELLED */
    tiled.progress = cancel_at_two;
    ck_assert_int_eq(jf_model_run(m, guide, target, &ob, &tiled), JF_ERR_CANCELLED);
    free(a), free(b), free(ca), free(cb);
}

START_TEST(tiled_equals_untiled)
{
    jf_context *ctx = jft_context();
    for (int pass = 0; pass < JFT_TILING_PASSES; pass++) {
        const double tol = jft_tiling_pass(pass);
        jf_image guide, up;
        jft_read_png(jft_shared_path(C_DIR "guide.png"), &guide);
        jft_read_png(jft_shared_path(C_DIR "up.png"), &up);
        jf_model *m = jft_load_model(ctx, svlrm_model(8));
        check_tiling(ctx, m, &guide, &up, 1, tol);
        jf_model_destroy(m);
        free(guide.data), free(up.data);

        /* FDKN on a 301x233 crop (not a multiple of 4, tiles on the 4x4 grid) */
        jft_read_png(jft_shared_path("conformance/fdkn_x8/rgb.png"), &guide);
        jft_read_png(jft_shared_path("conformance/fdkn_x8/lr.png"), &up);
        jf_image g = jft_crop(&guide, 0, 0, 301, 233), t = jft_crop(&up, 0, 0, 301, 233);
        m = jft_load_model(ctx, jft_converted_model("conformance/fdkn_x8/FDKN_8x", "fdkn_x8_published", "--arch fdkn --scale 8"));
        check_tiling(ctx, m, &g, &t, 0, tol);
        jf_model_destroy(m);
        free(guide.data), free(up.data);
    }
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("svlrm", "svlrm", 900,
                         JFT_TESTS(svlrm_matches_reference, svlrm_other_scales_and_relu,
                                   tiled_equals_untiled));
}
