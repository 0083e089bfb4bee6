/* test_dkn.c - DKN against the published shift-and-stitch reference in
 * ../shared/conformance/dkn_rand (seeded random weights with offsets large
 * enough to leave the window): the output, and through the internal hook the
 * stitched kernel weights and offsets, each to 1e-4; tiled = untiled; the
 * progress callback sees every step; the FLOP counts of both schedules. */
#include "jf_fixtures.h"
#include "jf_test.h"
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D_DIR "conformance/dkn_rand/"

static const char *dkn_model(void)
{
    return jft_converted_model(D_DIR "dkn_rand.pth", "dkn_rand", "--arch dkn --scale 8");
}

/* Host planes B, G, R of an RGB image, normalised. */
static float *bgr_planes(const jf_image *img)
{
    size_t n = (size_t)img->width * img->height;
    float *p = malloc(3 * n * sizeof(float));
    const unsigned char *rgb = img->data;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) p[c * n + i] = rgb[i * 3 + 2 - c] / 255.0f;
    return p;
}

START_TEST(dkn_matches_reference_with_maps)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, dkn_model());
    jf_image guide, target;
    jft_read_png(jft_shared_path(D_DIR "rgb.png"), &guide);
    jft_read_png(jft_shared_path(D_DIR "lr.png"), &target);
    int W = guide.width, H = guide.height;
    size_t n = (size_t)W * H;
    jf_npy want, ww, wo;
    jft_read_npy(jft_shared_path(D_DIR "expected.npy"), &want);
    jft_read_npy(jft_shared_path(D_DIR "weight.npy"), &ww);
    jft_read_npy(jft_shared_path(D_DIR "offset.npy"), &wo);
    ck_assert_int_eq(ww.shape[0], 9);
    ck_assert_int_eq(wo.shape[0], 18);

    /* public API: the output */
    float *out = malloc(n * sizeof(float));
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    ck_assert_msg(jf_model_run(m, &guide, &target, &o, NULL) == JF_OK, "%s", jf_last_error(ctx));
    jft_assert_close(out, want.data, n, 1e-4);

    /* internal hook: the stitched kernel maps */
    float *g = bgr_planes(&guide), *t = malloc(n * sizeof(float)), *maps = malloc(27 * n * sizeof(float));
    for (size_t i = 0; i < n; i++) t[i] = ((unsigned char *)target.data)[i] / 255.0f;
    jf_tensor gt, tt, ot, et;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &gt, 3, H, W), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &tt, 1, H, W), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &ot, 1, H, W), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &et, 27, H, W), JF_OK);
    ck_assert_int_eq(jf_tensor_upload(ctx, &gt, g), JF_OK);
    ck_assert_int_eq(jf_tensor_upload(ctx, &tt, t), JF_OK);
    ck_assert_msg(jf_run_tiled(m, &gt, &tt, &ot, &et, NULL) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_eq(jf_tensor_download(ctx, &et, maps), JF_OK);
    ck_assert_int_eq(jf_tensor_download(ctx, &ot, out), JF_OK);
    jft_assert_close(out, want.data, n, 1e-4);
    jft_assert_close(maps, ww.data, 9 * n, 1e-4);
    jft_assert_close(maps + 9 * n, wo.data, 18 * n, 1e-4);

    jf_tensor_free(&gt), jf_tensor_free(&tt), jf_tensor_free(&ot), jf_tensor_free(&et);
    free(g), free(t), free(maps), free(out);
    free(guide.data), free(target.data);
    jf_npy_free(&want), jf_npy_free(&ww), jf_npy_free(&wo);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

static int record(void *user, int done, int total)
{
    int *r = user;
    ck_assert_int_gt(done, r[0]); /* strictly increasing */
    r[0] = done;
    r[1] = total;
    r[2]++;
    return 0;
}

START_TEST(dkn_tiled_equals_untiled_with_progress)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, dkn_model());
    /* a 150x110 crop of the FDKN inputs: not a multiple of 4 either way */
    jf_image guide, target;
    jft_read_png(jft_shared_path("conformance/fdkn_x8/rgb.png"), &guide);
    jft_read_png(jft_shared_path("conformance/fdkn_x8/lr.png"), &target);
    jf_image g = jft_crop(&guide, 300, 200, 150, 110), t = jft_crop(&target, 300, 200, 150, 110);
    size_t n = 150 * 110;
    float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
    jf_image oa = {sizeof(jf_image), 150, 110, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, a}, ob = oa;
    ob.data = b;
    int rec[3] = {0, 0, 0};
    jf_run_options whole = {.size = sizeof(jf_run_options), .progress = record, .progress_user = rec};
    ck_assert_msg(jf_model_run(m, &g, &t, &oa, &whole) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_eq(rec[1], 17); /* 2 branches x 8 layers + the deformable average */
    ck_assert_int_eq(rec[0], rec[1]);
    ck_assert_int_eq(rec[2], 17);

    /* the smallest budget that still gives tiles of 64: 3 x 2 tiles */
    size_t budget = 1 << 20;
    while (jf_tile_size(m, budget) < 64) budget += budget / 4;
    ck_assert_int_lt(jf_tile_size(m, budget), 150);
    memset(rec, 0, sizeof rec);
    jf_run_options tiled = {.size = sizeof(jf_run_options), .memory_budget = budget, .progress = record, .progress_user = rec};
    ck_assert_msg(jf_model_run(m, &g, &t, &ob, &tiled) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_ge(rec[1], 4 * 17);
    ck_assert_int_eq(rec[0], rec[1]);
    jft_assert_close(b, a, n, 1e-6);
    free(a), free(b), free(guide.data), free(target.data);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(dkn_flop_counts)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, dkn_model());
    double one = 0, sixteen = 0;
    ck_assert_int_eq(jf_model_flops(m, 640, 480, &one), JF_OK);
    ck_assert_int_eq(jf_model_flops_reference(m, 640, 480, &sixteen), JF_OK);
    /* per pixel and branch pair the one-pass schedule does ~1.16 M multiply-adds */
    ck_assert_double_gt(one, 2 * 1.1e6 * 640 * 480);
    ck_assert_double_lt(one, 2 * 1.3e6 * 640 * 480);
    /* 4096 x 4096 under the default budget (fits a 2 GiB device): tiles whose
     * estimated footprint, halo included, stays inside 1.5 GiB */
    int inner = jf_tile_size(m, (size_t)1536 << 20);
    int side = inner + 2 * m->arch->halo(m);
    ck_assert_int_ge(inner, 256);
    ck_assert_double_le((double)side * side * m->arch->bytes_per_pixel(m), 1536.0 * (1 << 20));
    ck_assert_int_le((4096 + inner - 1) / inner, 16);
    /* the SGEMM path's im2col matrix (1600 floats a pixel for conv5) shrinks the tiles */
    setenv("JF_CONV", "gemm", 1);
    jf_model *mg = NULL;
    ck_assert_int_eq(jf_model_load(ctx, dkn_model(), &mg), JF_OK);
    unsetenv("JF_CONV");
    int inner_gemm = jf_tile_size(mg, (size_t)1536 << 20);
    double bpp = mg->arch->bytes_per_pixel(mg) + mg->ws_bytes_per_pixel;
    side = inner_gemm + 2 * mg->arch->halo(mg);
    ck_assert_int_lt(inner_gemm, inner);
    ck_assert_double_ge(mg->ws_bytes_per_pixel, 4.0 * 1600);
    ck_assert_double_le((double)side * side * bpp, 1536.0 * (1 << 20));
    jf_model_destroy(mg);
    /* "about a third less arithmetic" than 16 shifted passes */
    ck_assert_msg(one < 0.8 * sixteen && one > 0.6 * sixteen, "one pass %.1f GFLOP, 16 passes %.1f GFLOP",
                  one / 1e9, sixteen / 1e9);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("dkn", "dkn", 1200,
                         JFT_TESTS(dkn_matches_reference_with_maps,
                                   dkn_tiled_equals_untiled_with_progress, dkn_flop_counts));
}
