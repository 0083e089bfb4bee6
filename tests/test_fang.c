/* test_fang.c - Fang et al.'s model (src/models/fang.c) against the PyTorch
 * reference (tools/train/fang.py, float64) in tests/data/fang/ (written by
 * tools/train/make_fang_fixtures.py): random-weight models with a B, G, R guide
 * and with a gray guide, odd sizes 37 x 29 and 65 x 47, two lambdas each run
 * one after the other on one model (the conditioned weights are recomputed),
 * colour targets (smoothing: jf_model_smooth and jf_model_run with
 * guide = target) and a gray target (joint filtering); the trained fang_l0 in
 * weights/ when its fixtures exist; max |diff| <= 1e-4. Also: the model's info,
 * a lambda outside the range and an image too large for the budget (no
 * tiling) fail with messages that say so. */
#include "jf_fixtures.h"
#include "jf_test.h"
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FANG_FIXTURES "tests/data/fang/"

static const float lambdas_l0[2] = {0.005f, 0.1f}, lambdas_wls[2] = {0.3f, 4.0f};

static void read_npy(const char *fmt, const char *a, const char *b, int l, jf_npy *out)
{
    char rel[256], name[128];
    snprintf(name, sizeof name, fmt, a, b, l);
    snprintf(rel, sizeof rel, FANG_FIXTURES "%s", name);
    jft_read_npy(jft_source_path(rel), out);
}

/* Planes (c x n) interleaved as pixels; caller frees. */
static float *interleave(const float *planes, int c, size_t n)
{
    float *px = malloc((size_t)c * n * sizeof *px);
    ck_assert_ptr_nonnull(px);
    for (size_t p = 0; p < n; p++)
        for (int k = 0; k < c; k++) px[c * p + k] = planes[k * n + p];
    return px;
}

/* Runs one case: the colour image smoothed (run and smooth), the gray target filtered. */
static void check_case(jf_model *m, const char *kind, const char *name, int l, float lambda, const char *prefix)
{
    jf_npy guide, target, want_c, want_g;
    read_npy("%s%s_guide.npy", "", name, 0, &guide);
    read_npy("%s%s_target.npy", "", name, 0, &target);
    char stem[64];
    snprintf(stem, sizeof stem, "%s%s", prefix, kind);
    read_npy("%s_%s_l%d_colour.npy", stem, name, l, &want_c);
    read_npy("%s_%s_l%d_gray.npy", stem, name, l, &want_g);
    int h = (int)guide.shape[1], w = (int)guide.shape[2];
    size_t n = (size_t)w * h;
    float *g = interleave(guide.data, 3, n), *wc = interleave(want_c.data, 3, n);
    float *out = malloc(3 * n * sizeof *out);
    ck_assert_ptr_nonnull(out);
    jf_run_options opt = {.size = sizeof opt};
    opt.lambda = lambda;
    jf_image gi = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, g};
    jf_image oi = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, out};
    ck_assert_msg(jf_model_run(m, &gi, &gi, &oi, &opt) == JF_OK, "%s", jf_last_error(m->ctx));
    double d = jft_max_abs_diff(out, wc, 3 * n, NULL);
    printf("fang %s%s %s (%dx%d) lambda %g colour: max |C - PyTorch| = %.3g\n", prefix, kind, name, w, h,
           (double)lambda, d);
    jft_assert_close(out, wc, 3 * n, 1e-4);
    memset(out, 0, 3 * n * sizeof *out);
    ck_assert_msg(jf_model_smooth(m, &gi, &oi, &opt) == JF_OK, "%s", jf_last_error(m->ctx));
    jft_assert_close(out, wc, 3 * n, 1e-4);

    jf_image ti = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, target.data};
    jf_image o1 = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    ck_assert_msg(jf_model_run(m, &gi, &ti, &o1, &opt) == JF_OK, "%s", jf_last_error(m->ctx));
    d = jft_max_abs_diff(out, want_g.data, n, NULL);
    printf("fang %s%s %s (%dx%d) lambda %g gray target: max |C - PyTorch| = %.3g\n", prefix, kind, name, w, h,
           (double)lambda, d);
    jft_assert_close(out, want_g.data, n, 1e-4);
    free(g);
    free(wc);
    free(out);
    jf_npy_free(&guide);
    jf_npy_free(&target);
    jf_npy_free(&want_c);
    jf_npy_free(&want_g);
}

static void check_model(const char *kind, const float *lambdas)
{
    jf_context *ctx = jft_context();
    char rel[128];
    snprintf(rel, sizeof rel, FANG_FIXTURES "fang_random_%s.safetensors", kind);
    jf_model *m = jft_load_model(ctx, jft_source_path(rel));
    jf_model_info info = {.size = sizeof info};
    ck_assert_int_eq(jf_model_get_info(m, &info), JF_OK);
    ck_assert_str_eq(info.architecture, "fang");
    ck_assert_int_eq(info.gray_target, 1);
    ck_assert_int_eq(info.colour_target, 1);
    ck_assert_int_eq(info.whole_image, 1);
    ck_assert_int_eq(info.has_lambda, 1);
    /* lambdas alternate so every run recomputes the conditioned weights */
    for (int rep = 0; rep < 2; rep++)
        for (int l = 0; l < 2; l++) check_case(m, kind, rep ? "odd2" : "odd", l, lambdas[l], "");
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}

START_TEST(fang_bgr_guide_matches_pytorch) { check_model("bgr", lambdas_l0); }
END_TEST

START_TEST(fang_gray_guide_matches_pytorch) { check_model("gray", lambdas_wls); }
END_TEST

/* The shipped fang_l0 against its PyTorch outputs (fixtures written by
 * make_fang_fixtures.py --trained weights/fang_l0.safetensors). */
START_TEST(fang_trained_l0_matches_pytorch)
{
    char rel[128];
    snprintf(rel, sizeof rel, FANG_FIXTURES "trained_l0_odd_l0_colour.npy");
    if (access(jft_source_path("weights/fang_l0.safetensors"), R_OK) || access(jft_source_path(rel), R_OK)) {
        printf("fang: no trained fang_l0 fixtures, skipped\n");
        return;
    }
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path("weights/fang_l0.safetensors"));
    static const float lambdas[2] = {0.005f, 0.1f};
    for (int l = 0; l < 2; l++) check_case(m, "l0", "odd", l, lambdas[l], "trained_");
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fang_refuses_what_it_cannot_do)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path(FANG_FIXTURES "fang_random_bgr.safetensors"));
    static float px[3 * 64 * 40], out[3 * 64 * 40]; /* above the 32-pixel tile floor */
    jf_image gi = {sizeof(jf_image), 64, 40, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, px};
    jf_image oi = {sizeof(jf_image), 64, 40, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, out};
    jf_run_options opt = {.size = sizeof opt};
    opt.lambda = 0.5f; /* the file's range is 0.002 .. 0.2 */
    ck_assert_int_eq(jf_model_smooth(m, &gi, &oi, &opt), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "outside the range"));
    opt.lambda = 0.0f; /* the default, 0.02 */
    ck_assert_msg(jf_model_smooth(m, &gi, &oi, &opt) == JF_OK, "%s", jf_last_error(ctx));
    /* a budget the whole image fits (about 4 MB of maps at 64x40) but a square tile with a halo
     * would not: the model runs whole, the same output as with the default budget */
    static float out2[3 * 64 * 40];
    jf_image oi2 = oi;
    oi2.data = out2;
    opt.memory_budget = 8u << 20;
    ck_assert_msg(jf_model_smooth(m, &gi, &oi2, &opt) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_eq(memcmp(out, out2, sizeof out), 0);
    opt.memory_budget = 1000; /* far below one image: no tiles to fall back on */
    ck_assert_int_eq(jf_model_smooth(m, &gi, &oi, &opt), JF_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "does not run in tiles"));
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("fang", "models", 0,
                         JFT_TESTS(fang_bgr_guide_matches_pytorch, fang_gray_guide_matches_pytorch,
                                   fang_trained_l0_matches_pytorch, fang_refuses_what_it_cannot_do));
}
