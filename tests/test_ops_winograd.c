/* test_ops_winograd.c - the Winograd convolution path (src/ops/conv_winograd.c,
 * cl/winograd.cl), F(2x2, 3x3), F(4x4, 3x3) and F(6x6, 3x3), against the plain C
 * convolution (ref_ops.c) on seeded random inputs: odd and tiny images,
 * channel counts that are multiples of nothing, dilations 1-4 with several
 * paddings, bias and every activation; the workspace staying within the
 * per-pixel share the models size their tiles from; and the layers that are
 * not stride-1 square falling back to the tuning table's path; kernels 2-9
 * as blocks of 3x3. */
#include "jf_tensors.h"
#include "jf_test.h"
#include "ops/ops.h"
#include "ref_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Relative tolerance: max |got - want| / max(1, max |want|), the models'
 * conformance tolerance. F(2x2) stays near float rounding (worst over the
 * grid below 4e-7, measured); F(4x4)'s transforms multiply by up to 8 and
 * 5 and its G by 1/24, so its error is about 20x larger (worst 7.6e-6 at
 * 64 channels), still well inside; F(6x6)'s output transform multiplies by
 * up to 32 and its G by 1/90, larger again. The worst of each grid goes to
 * stderr. */
#define JFT_WINO_TOL 1e-4

/* w x h; 83 is wide enough for every tile's fast input path (8 tiles of one tile row
 * inside the tensor, cl/winograd.cl) with both edges' padding masked, and for groups of
 * 8 tiles that straddle two tile rows */
static const int sizes[][2] = {{37, 29}, {1, 1}, {2, 3}, {5, 7}, {29, 37}, {83, 29}};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])
static const int channels[][2] = {{3, 5}, {17, 3}, {5, 17}, {64, 64}};
#define NCHANNELS (int)(sizeof channels / sizeof channels[0])

/* m of the Winograd path's F(m x m, 3 x 3) */
static int tile_of(jf_conv_path path)
{
    return path == JF_CONV_WINOGRAD_F2 ? 2 : path == JF_CONV_WINOGRAD_F6 ? 6 : 4;
}

static const jf_conv_path tiles[] = {JF_CONV_WINOGRAD_F2, JF_CONV_WINOGRAD, JF_CONV_WINOGRAD_F6};

/* Runs one case, returns its relative error (-1: no output at this size). */
static double run_case_k(jf_context *ctx, jf_workspace *ws, jf_conv_path path, int k, int cin, int cout, int h,
                         int w, int pad, int dil, int act)
{
    int ho = jf_conv_out_size(h, k, 1, pad, dil), wo = jf_conv_out_size(w, k, 1, pad, dil);
    if (ho <= 0 || wo <= 0) return -1;
    size_t nw = (size_t)cout * cin * k * k;
    float *x = jft_random((size_t)cin * h * w, -1, 1), *wt = jft_random(nw, -0.5f, 0.5f);
    float *b = jft_random((size_t)cout, -1, 1);
    jf_conv conv;
    ck_assert_msg(jf_conv_init_path(ctx, &conv, wt, b, cout, cin, k, k, 1, pad, dil, (jf_act)act, 0.1f, path) ==
                      JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_eq(conv.path, JF_CONV_WINOGRAD);
    ck_assert_int_eq(conv.wino_m, tile_of(path));
    if (act == JF_ACT_SIGMOID) conv.act_channels = cout / 2; /* merged heads: the activation on some only */
    jf_tensor in = jft_upload(ctx, x, cin, h, w), out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, cout, ho, wo), JF_OK);
    jf_workspace_free(ws); /* each case's own workspace, to check its size */
    ck_assert_msg(jf_conv_forward(ctx, &conv, &in, &out, ws) == JF_OK, "%s", jf_last_error(ctx));
    /* within the per-pixel share, or one block of 8 tiles where the image is smaller than that */
    double share = jf_conv_workspace_per_pixel(&conv) * ho * wo * sizeof(float);
    double block = (double)(conv.wino_m + 2) * (conv.wino_m + 2) * cin * conv.wino_nb * conv.wino_nb * 8 * sizeof(float);
    ck_assert_msg(ws->bytes <= (share > block ? share : block), "workspace %zu bytes, share %.0f", ws->bytes, share);
    float *got = jft_download(ctx, &out);
    float *want = malloc(jf_tensor_count(&out) * sizeof *want);
    int rh, rw;
    ref_conv2d(x, cin, h, w, wt, b, cout, k, k, 1, pad, dil, act, 0.1f, conv.act_channels, want, &rh, &rw);
    ck_assert_int_eq(rh, ho);
    ck_assert_int_eq(rw, wo);
    size_t n = jf_tensor_count(&out);
    double scale = 1.0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(want[i]));
    double rel = jft_max_abs_diff(got, want, n, NULL) / scale;
    ck_assert_msg(rel <= JFT_WINO_TOL, "F(%dx%d) k %d %d->%d %dx%d pad %d dil %d act %d: relative error %g",
                  conv.wino_m, conv.wino_m, k, cin, cout, w, h, pad, dil, act, rel);
    free(got), free(want), free(x), free(wt), free(b);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_conv_free(&conv);
    return rel;
}

static double run_case(jf_context *ctx, jf_workspace *ws, jf_conv_path path, int cin, int cout, int h, int w,
                       int pad, int dil, int act)
{
    return run_case_k(ctx, ws, path, 3, cin, cout, h, w, pad, dil, act);
}

static void check_grid(jf_conv_path path, uint64_t seed)
{
    jf_context *ctx = jft_context();
    jf_workspace ws = {0};
    jft_seed(seed);
    double worst = 0;
    int cases = 0;
    for (int dil = 1; dil <= 4; dil++)
        for (int ci = 0; ci < NCHANNELS; ci++)
            for (int si = 0; si < NSIZES; si++) {
                const int pads[] = {0, 1, dil};
                for (int pi = 0; pi < 3; pi++) {
                    if (pi == 2 && dil == 1) continue; /* pad d = 1 is the case above */
                    int act = (dil + ci + si + pi) % 4; /* every activation, spread over the grid */
                    double rel = run_case(ctx, &ws, path, channels[ci][0], channels[ci][1], sizes[si][1],
                                          sizes[si][0], pads[pi], dil, act);
                    if (rel < 0) continue;
                    worst = fmax(worst, rel);
                    cases++;
                }
            }
    fprintf(stderr, "winograd F(%dx%d, 3x3): %d cases, worst relative error %.3g\n",
            tile_of(path), tile_of(path), cases, worst);
    jf_workspace_free(&ws);
    jf_context_destroy(ctx);
}

/* Other kernel sizes as blocks of 3x3 (2x2 and 3x3: one block; 4-6: 2 x 2; 7-9: 3 x 3),
 * DKN's shapes among them (7x7, 5x5 dilated 2 and 4, 2x2 dilated), both tiles. */
START_TEST(winograd_larger_kernels_match_reference)
{
    jf_context *ctx = jft_context();
    jf_workspace ws = {0};
    jft_seed(109);
    static const int ks[] = {2, 4, 5, 6, 7, 9};
    double worst = 0;
    int cases = 0;
    for (int f = 0; f < 3; f++)
        for (int ki = 0; ki < (int)(sizeof ks / sizeof ks[0]); ki++)
            for (int dil = 1; dil <= 4; dil += 3)
                for (int si = 0; si < NSIZES; si++) {
                    const int k = ks[ki], pad = (si % 2) ? dil * (k - 1) / 2 : 0;
                    double rel = run_case_k(ctx, &ws, tiles[f], k, 5 + si, 17 - si,
                                            sizes[si][1] + 10, sizes[si][0] + 12, pad, dil, (k + si) % 4);
                    if (rel < 0) continue;
                    worst = fmax(worst, rel);
                    cases++;
                }
    /* DKN's widest: 64 > 128, 5x5 dilated 4, unpadded */
    worst = fmax(worst, run_case_k(ctx, &ws, JF_CONV_WINOGRAD, 5, 64, 128, 41, 47, 0, 4, JF_ACT_RELU));
    worst = fmax(worst, run_case_k(ctx, &ws, JF_CONV_WINOGRAD_F6, 5, 64, 128, 41, 47, 0, 4, JF_ACT_RELU));
    fprintf(stderr, "winograd, kernels 2-9 as 3x3 blocks: %d cases, worst relative error %.3g\n", cases + 2, worst);
    ck_assert_int_gt(cases, 30);
    jf_workspace_free(&ws);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(winograd_f2_matches_reference)
{
    check_grid(JF_CONV_WINOGRAD_F2, 101);
}
END_TEST

START_TEST(winograd_f4_matches_reference)
{
    check_grid(JF_CONV_WINOGRAD, 103);
}
END_TEST

START_TEST(winograd_f6_matches_reference)
{
    check_grid(JF_CONV_WINOGRAD_F6, 105);
}
END_TEST

/* Every activation with and without bias on one mid-sized case, every tile. */
START_TEST(winograd_each_activation)
{
    jf_context *ctx = jft_context();
    jf_workspace ws = {0};
    jft_seed(107);
    for (int f = 0; f < 3; f++)
        for (int act = JF_ACT_NONE; act <= JF_ACT_SIGMOID; act++)
            run_case(ctx, &ws, tiles[f], 17, 17, 29, 37, 1, 1, act);
    /* no bias: zeros */
    float wt[2 * 3 * 9], x[3 * 5 * 4];
    for (int i = 0; i < 54; i++) wt[i] = 0.01f * i - 0.2f;
    for (int i = 0; i < 60; i++) x[i] = 0.03f * i - 0.5f;
    jf_conv conv;
    ck_assert_int_eq(jf_conv_init_path(ctx, &conv, wt, NULL, 2, 3, 3, 3, 1, 1, 1, JF_ACT_LEAKY, 0.2f,
                                       JF_CONV_WINOGRAD), JF_OK);
    jf_tensor in = jft_upload(ctx, x, 3, 5, 4), out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 2, 5, 4), JF_OK);
    ck_assert_int_eq(jf_conv_forward(ctx, &conv, &in, &out, &ws), JF_OK);
    float *got = jft_download(ctx, &out), want[2 * 5 * 4];
    int rh, rw;
    ref_conv2d(x, 3, 5, 4, wt, NULL, 2, 3, 3, 1, 1, 1, JF_ACT_LEAKY, 0.2f, 2, want, &rh, &rw);
    jft_assert_close(got, want, 40, 1e-5);
    free(got);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_conv_free(&conv);
    jf_workspace_free(&ws);
    jf_context_destroy(ctx);
}
END_TEST

/* wino_gemm_out's register block follows the device (8 tiles a work-item where a float16
 * is one register, 6 where it is two: ctx->wino_gemm_tiles); this device runs one of them
 * in the grids above, so here the other one too, on F(4x4) and every dilation. */
START_TEST(winograd_both_gemm_blocks)
{
    static const int blocks[] = {6, 8};
    for (int bi = 0; bi < 2; bi++) {
        jf_context *ctx = jft_context();
        ctx->wino_gemm_tiles = blocks[bi]; /* before any program is built: it is a build option */
        jf_workspace ws = {0};
        jft_seed(211 + (uint64_t)bi);
        double worst = 0;
        for (int dil = 1; dil <= 4; dil++)
            for (int ci = 0; ci < NCHANNELS; ci++)
                for (int si = 0; si < NSIZES; si++) {
                    double rel = run_case(ctx, &ws, JF_CONV_WINOGRAD, channels[ci][0], channels[ci][1],
                                          sizes[si][1], sizes[si][0], dil, dil, (dil + ci + si) % 4);
                    worst = fmax(worst, rel);
                }
        fprintf(stderr, "winograd F(4x4), %d tiles a work-item: worst relative error %.3g\n", blocks[bi], worst);
        jf_workspace_free(&ws);
        jf_context_destroy(ctx);
    }
}
END_TEST

/* Layers Winograd does not cover take the tuning table's path (1x1 ones on CPUs: the pointwise kernel). */
START_TEST(winograd_falls_back_on_other_layers)
{
    jf_context *ctx = jft_context();
    float wt[4 * 2 * 25] = {0};
    jf_conv_path table = ctx->tune.conv_direct ? JF_CONV_DIRECT : JF_CONV_GEMM;
    static const int shapes[][2] = {{5, 2}, {1, 1}, {3, 2}}; /* k, stride */
    for (int i = 0; i < 3; i++) {
        jf_conv conv;
        ck_assert_int_eq(jf_conv_init_path(ctx, &conv, wt, NULL, 4, 2, shapes[i][0], shapes[i][0], shapes[i][1], 0, 1,
                                           JF_ACT_NONE, 0, JF_CONV_WINOGRAD), JF_OK);
        const int pointwise = shapes[i][0] == 1 && shapes[i][1] == 1 && table == JF_CONV_DIRECT;
        ck_assert_int_eq(conv.path, pointwise ? JF_CONV_POINTWISE : table);
        ck_assert_int_eq(conv.wino_m, 0);
        jf_conv_free(&conv);
    }
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("ops_winograd", "winograd", 900,
                         JFT_TESTS(winograd_f2_matches_reference, winograd_f4_matches_reference, winograd_f6_matches_reference,
                                   winograd_larger_kernels_match_reference, winograd_each_activation,
                                   winograd_both_gemm_blocks, winograd_falls_back_on_other_layers));
}
