/* test_fan.c - Fan et al.'s smoothing network (src/models/fan.c) against
 * FanNet's eval-mode outputs in tests/data/fan/ (tools/train/make_fan_fixtures.py):
 * a random F = 8 model at 37 x 29 and 65 x 47 and the shipped trained weights
 * (weights/fan_smooth.safetensors) at 37 x 29, max |diff| <= 1e-4, through
 * jf_model_smooth and jf_model_run; tiles (a small memory budget) against the
 * untiled run; what the model reports about itself; a gray target refused;
 * and malformed model files, whose errors name the field at fault. */
#include "jf_files.h"
#include "jf_fixtures.h"
#include "jf_tensors.h"
#include "jf_test.h"
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAN_FIXTURES "tests/data/fan/"
#define FAN_RANDOM FAN_FIXTURES "fan_f8_random.safetensors"
#define FAN_TRAINED "weights/fan_smooth.safetensors"

/* Planes (3 x n) interleaved as pixels; caller frees. */
static float *interleave(const float *planes, size_t n)
{
    float *px = malloc(3 * n * sizeof *px);
    ck_assert_ptr_nonnull(px);
    for (size_t p = 0; p < n; p++)
        for (int c = 0; c < 3; c++) px[3 * p + c] = planes[c * n + p];
    return px;
}

/* Smooths B, G, R pixels (w x h) into out (B, G, R pixels). */
static void smooth(jf_model *m, const float *bgr, int w, int h, float *out, const jf_run_options *opt)
{
    jf_image in = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, (void *)bgr};
    jf_image o = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, out};
    ck_assert_msg(jf_model_smooth(m, &in, &o, opt) == JF_OK, "%s", jf_last_error(m->ctx));
}

/* One fixture case through jf_model_smooth and jf_model_run (guide = target). */
static void check_case(jf_model *m, const char *input, const char *output, const char *label)
{
    char rel[256];
    jf_npy in, want;
    snprintf(rel, sizeof rel, FAN_FIXTURES "%s", input);
    jft_read_npy(jft_source_path(rel), &in);
    snprintf(rel, sizeof rel, FAN_FIXTURES "%s", output);
    jft_read_npy(jft_source_path(rel), &want);
    ck_assert_int_eq(in.ndim, 3);
    ck_assert_int_eq(in.shape[0], 3);
    int h = (int)in.shape[1], w = (int)in.shape[2];
    size_t n = (size_t)w * h;
    float *px = interleave(in.data, n), *wp = interleave(want.data, n), *out = malloc(3 * n * sizeof *out);
    smooth(m, px, w, h, out, NULL);
    double d = jft_max_abs_diff(out, wp, 3 * n, NULL);
    printf("fan %s (%dx%d): max |C - PyTorch| = %.3g\n", label, w, h, d);
    jft_assert_close(out, wp, 3 * n, 1e-4);
    /* the same through jf_model_run, the input as guide and target */
    jf_image gi = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, px};
    jf_image oi = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, out};
    memset(out, 0, 3 * n * sizeof *out);
    ck_assert_msg(jf_model_run(m, &gi, &gi, &oi, NULL) == JF_OK, "%s", jf_last_error(m->ctx));
    jft_assert_close(out, wp, 3 * n, 1e-4);
    free(px), free(wp), free(out);
    jf_npy_free(&in);
    jf_npy_free(&want);
}

START_TEST(fan_random_matches_pytorch)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path(FAN_RANDOM));
    jf_model_info info = {.size = sizeof(jf_model_info)};
    ck_assert_int_eq(jf_model_get_info(m, &info), JF_OK);
    ck_assert_str_eq(info.architecture, "fan");
    ck_assert_int_eq(info.colour_target, 1);
    ck_assert_int_eq(info.gray_target, 0);
    ck_assert_int_eq(info.whole_image, 0);
    ck_assert_int_eq(info.has_lambda, 0);
    /* stride 2 down and back up: tiles start on even pixels */
    ck_assert_int_eq(m->align, 2);
    check_case(m, "odd_input.npy", "odd_output.npy", "random f8 odd");
    check_case(m, "wide_input.npy", "wide_output.npy", "random f8 wide");
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fan_trained_matches_pytorch)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path(FAN_TRAINED));
    check_case(m, "odd_input.npy", "trained_odd_output.npy", "trained odd");
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

/* A wide strip (the halo, about 255 pixels, spans its height) in the
 * smallest tiles: the stitched inner parts equal the untiled run. */
START_TEST(fan_tiles_match_whole_image)
{
    jf_context *ctx = jft_context();
    for (int pass = 0; pass < JFT_TILING_PASSES; pass++) {
        const double tol = jft_tiling_pass(pass);
        jf_model *m = jft_load_model(ctx, jft_source_path(FAN_RANDOM));
        jft_seed(17);
        int w = 600, h = 21;
        size_t n = (size_t)w * h;
        float *px = jft_random(3 * n, 0, 1), *whole = malloc(3 * n * sizeof *whole), *tiled = malloc(3 * n * sizeof *tiled);
        smooth(m, px, w, h, whole, NULL);
        jf_run_options small = {.size = sizeof(jf_run_options), .memory_budget = 1};
        ck_assert_int_lt(jf_tile_size(m, 1), w / 4);
        smooth(m, px, w, h, tiled, &small);
        printf("fan tiles (pass %d): halo %d, tile %d, max |tiled - whole| = %.3g\n", pass, m->halo, jf_tile_size(m, 1),
               jft_max_abs_diff(tiled, whole, 3 * n, NULL));
        jft_assert_close(tiled, whole, 3 * n, tol);
        free(px), free(whole), free(tiled);
        jf_model_destroy(m);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fan_refuses_gray_targets)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path(FAN_RANDOM));
    float g[64] = {0}, o[64];
    jf_image in = {sizeof(jf_image), 8, 8, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, g};
    jf_image out = {sizeof(jf_image), 8, 8, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, o};
    ck_assert_int_eq(jf_model_smooth(m, &in, &out, NULL), JF_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "colour"));
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

/* The random fixture's bytes with one metadata value replaced (same length:
 * the JSON header keeps its size). */
static void expect_bad_meta(jf_context *ctx, const char *from, const char *to, jf_status want, const char *names)
{
    size_t size = 0;
    uint8_t *data = jft_read_bytes(jft_source_path(FAN_RANDOM), &size);
    ck_assert_uint_eq(strlen(from), strlen(to));
    size_t len = strlen(from);
    char *at = NULL;
    for (size_t i = 0; !at && i + len <= size; i++)
        if (!memcmp(data + i, from, len)) at = (char *)data + i;
    ck_assert_msg(at != NULL, "'%s' not in the fixture", from);
    memcpy(at, to, strlen(to));
    jf_model *m = NULL;
    ck_assert_int_eq(jf_model_load_memory(ctx, data, size, &m), want);
    ck_assert_msg(strstr(jf_last_error(ctx), names) != NULL, "'%s' does not name %s", jf_last_error(ctx), names);
    free(data);
}

START_TEST(fan_bad_files_name_the_field)
{
    jf_context *ctx = jft_context();
    expect_bad_meta(ctx, "\"dilations\":\"2,2,4,4,8,8,16,16,1,1\"", "\"dilations\":\"2,2,4,4,8,8,16,16,1,x\"",
                    JF_ERR_BAD_FORMAT, "dilations");
    expect_bad_meta(ctx, "\"features\":\"8\"", "\"features\":\"9\"", JF_ERR_BAD_FORMAT, "conv1.weight");
    expect_bad_meta(ctx, "\"blocks\":\"10\"", "\"blocks\":\"11\"", JF_ERR_BAD_FORMAT, "blocks");
    expect_bad_meta(ctx, "\"deconv.weight\"", "\"deconv.wEight\"", JF_ERR_BAD_FORMAT, "deconv.weight");
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("fan", "fan", 900,
                         JFT_TESTS(fan_random_matches_pytorch, fan_trained_matches_pytorch, fan_tiles_match_whole_image,
                                   fan_refuses_gray_targets, fan_bad_files_name_the_field));
}
