/* test_ops.c - every OpenCL op against its plain C reference (ref_ops.c) on
 * seeded random inputs over a grid of sizes, odd and portrait ones included. */
#include "jf_tensors.h"
#include "jf_test.h"
#include "ops/ops.h"
#include "ref_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int sizes[][2] = {{1, 1}, {7, 5}, {5, 7}, {13, 3}, {33, 17}, {17, 40}, {64, 48}};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

typedef struct conv_case {
    int cin, cout, k, stride, pad, dil, act;
} conv_case;

static void check_conv(jf_context *ctx, jf_conv_path path)
{
    static const conv_case cases[] = {
        {1, 1, 1, 1, 0, 1, 0},  {3, 5, 3, 1, 1, 1, 1},  {16, 32, 3, 1, 1, 1, 1}, {4, 17, 1, 1, 0, 1, 3},
        {2, 3, 7, 1, 0, 1, 1},  {5, 6, 2, 2, 0, 1, 2},  {3, 4, 5, 1, 0, 2, 1},   {6, 33, 3, 1, 2, 2, 2},
        {8, 16, 3, 2, 1, 1, 0}, {7, 20, 2, 2, 0, 3, 1},
        /* 1x1 layers as the heads have them: many inputs, channel counts past and short of a block of 16 */
        {128, 40, 1, 1, 0, 1, 3}, {19, 33, 1, 1, 0, 1, 2}, {5, 16, 1, 1, 0, 2, 1}, {33, 7, 1, 1, 0, 1, 0},
    };
    jf_workspace ws = {0};
    jft_seed(11 + path);
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const conv_case *cc = &cases[ci];
        for (int si = 0; si < NSIZES; si++) {
            int w = sizes[si][0], h = sizes[si][1];
            int ho = jf_conv_out_size(h, cc->k, cc->stride, cc->pad, cc->dil);
            int wo = jf_conv_out_size(w, cc->k, cc->stride, cc->pad, cc->dil);
            if (ho <= 0 || wo <= 0) continue;
            size_t nw = (size_t)cc->cout * cc->cin * cc->k * cc->k;
            float *x = jft_random((size_t)cc->cin * h * w, -1, 1), *wt = jft_random(nw, -0.5f, 0.5f), *b = jft_random(cc->cout, -1, 1);
            jf_conv conv;
            ck_assert_msg(jf_conv_init_path(ctx, &conv, wt, b, cc->cout, cc->cin, cc->k, cc->k, cc->stride,
                                            cc->pad, cc->dil, (jf_act)cc->act, 0.1f, path) == JF_OK,
                          "%s", jf_last_error(ctx));
            /* the pointwise kernel takes the 1x1 layers, the direct one the others */
            if (path == JF_CONV_POINTWISE)
                ck_assert_int_eq(conv.path, cc->k == 1 && cc->stride == 1 && cc->pad == 0 ? JF_CONV_POINTWISE
                                                                                         : JF_CONV_DIRECT);
            /* limit the activation to some channels, as merged heads do */
            if (cc->act == 3) conv.act_channels = cc->cout / 2;
            jf_tensor in = jft_upload(ctx, x, cc->cin, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, cc->cout, ho, wo), JF_OK);
            ck_assert_msg(jf_conv_forward(ctx, &conv, &in, &out, &ws) == JF_OK, "%s", jf_last_error(ctx));
            float *got = jft_download(ctx, &out);
            float *want = malloc(jf_tensor_count(&out) * sizeof *want);
            int rh, rw;
            ref_conv2d(x, cc->cin, h, w, wt, b, cc->cout, cc->k, cc->k, cc->stride, cc->pad, cc->dil, cc->act,
                       0.1f, conv.act_channels, want, &rh, &rw);
            ck_assert_int_eq(rh, ho);
            ck_assert_int_eq(rw, wo);
            jft_assert_close(got, want, jf_tensor_count(&out), 1e-4);
            free(got);
            free(want);
            free(x);
            free(wt);
            free(b);
            jf_tensor_free(&in);
            jf_tensor_free(&out);
            jf_conv_free(&conv);
        }
    }
    jf_workspace_free(&ws);
}

START_TEST(conv_gemm_matches_reference)
{
    jf_context *ctx = jft_context();
    check_conv(ctx, JF_CONV_GEMM);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(conv_direct_matches_reference)
{
    jf_context *ctx = jft_context();
    check_conv(ctx, JF_CONV_DIRECT);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(conv_pointwise_matches_reference)
{
    jf_context *ctx = jft_context();
    check_conv(ctx, JF_CONV_POINTWISE);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(conv_winograd_matches_reference)
{
    jf_context *ctx = jft_context();
    check_conv(ctx, JF_CONV_WINOGRAD);
    check_conv(ctx, JF_CONV_WINOGRAD_F2);
    check_conv(ctx, JF_CONV_WINOGRAD_F6);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(conv_rejects_wrong_sizes)
{
    jf_context *ctx = jft_context();
    float wt[2 * 3 * 9] = {0};
    jf_conv conv;
    jf_workspace ws = {0};
    ck_assert_int_eq(jf_conv_init(ctx, &conv, wt, NULL, 2, 3, 3, 3, 1, 1, 1, JF_ACT_NONE, 0), JF_OK);
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 4, 8, 8), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 2, 8, 8), JF_OK);
    ck_assert_int_eq(jf_conv_forward(ctx, &conv, &in, &out, &ws), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "input 4x8x8"));
    jf_conv_free(&conv); /* the next init starts from a cleared struct: free this one's buffers */
    ck_assert_int_eq(jf_conv_init(ctx, &conv, wt, NULL, 0, 3, 3, 3, 1, 1, 1, JF_ACT_NONE, 0),
                     JF_ERR_INVALID_ARGUMENT);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_workspace_free(&ws);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(batchnorm_folding)
{
    /* one output, two weights: (x*w + b - m) * g / sqrt(v + eps) + beta */
    float w[2] = {1.0f, -2.0f}, b[1] = {0.5f}, g[1] = {2.0f}, be[1] = {0.25f}, m[1] = {0.1f}, v[1] = {3.0f};
    jf_fold_batchnorm(w, b, 1, 2, g, be, m, v, 1e-5f);
    float s = 2.0f / sqrtf(3.0f + 1e-5f);
    ck_assert_float_eq_tol(w[0], s, 1e-6);
    ck_assert_float_eq_tol(w[1], -2.0f * s, 1e-6);
    ck_assert_float_eq_tol(b[0], 0.4f * s + 0.25f, 1e-6);
}
END_TEST

START_TEST(space_to_depth_and_pixel_shuffle)
{
    jf_context *ctx = jft_context();
    jft_seed(3);
    for (int si = 0; si < NSIZES; si++)
        for (int f = 1; f <= 4; f++) {
            int w = sizes[si][0], h = sizes[si][1], c = 2;
            int ho = (h + f - 1) / f, wo = (w + f - 1) / f;
            float *x = jft_random((size_t)c * h * w, 0, 1);
            jf_tensor in = jft_upload(ctx, x, c, h, w), s2d, back;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &s2d, c * f * f, ho, wo), JF_OK);
            ck_assert_int_eq(jf_space_to_depth(ctx, &in, f, &s2d), JF_OK);
            float *got = jft_download(ctx, &s2d), *want = malloc(jf_tensor_count(&s2d) * sizeof(float));
            ref_space_to_depth(x, c, h, w, f, want);
            jft_assert_close(got, want, jf_tensor_count(&s2d), 0);
            /* and back: pixel shuffle inverts it exactly */
            ck_assert_int_eq(jf_tensor_alloc(ctx, &back, c, ho * f, wo * f), JF_OK);
            ck_assert_int_eq(jf_pixel_shuffle(ctx, &s2d, f, &back), JF_OK);
            float *got2 = jft_download(ctx, &back), *want2 = malloc(jf_tensor_count(&back) * sizeof(float));
            ref_pixel_shuffle(want, c, ho, wo, f, want2);
            jft_assert_close(got2, want2, jf_tensor_count(&back), 0);
            if (h % f == 0 && w % f == 0) jft_assert_close(got2, x, (size_t)c * h * w, 0);
            free(x);
            free(got);
            free(want);
            free(got2);
            free(want2);
            jf_tensor_free(&in);
            jf_tensor_free(&s2d);
            jf_tensor_free(&back);
        }
    jf_context_destroy(ctx);
}
END_TEST

/* The transposed convolution 4x4 / 2 / 1 as a re-laid 3x3 convolution and a
 * pixel shuffle, against the transposed convolution by its definition, on
 * every size (odd ones cropped to 2h - 1) and both convolution paths. */
START_TEST(conv_transpose_matches_reference)
{
    jf_context *ctx = jft_context();
    jf_workspace ws = {0};
    jft_seed(41);
    for (int path = JF_CONV_GEMM; path <= JF_CONV_DIRECT; path++)
        for (int si = 0; si < NSIZES; si++) {
            int w = sizes[si][0], h = sizes[si][1], cin = 5, cout = 3, ho, wo;
            float *x = jft_random((size_t)cin * h * w, -1, 1);
            float *wt = jft_random((size_t)cin * cout * 16, -0.5f, 0.5f), *b = jft_random(cout, -0.5f, 0.5f);
            float *want = malloc((size_t)cout * 4 * h * w * sizeof(float));
            ref_conv_transpose2d(x, cin, h, w, wt, b, cout, 4, 2, 1, want, &ho, &wo);
            ck_assert_int_eq(ho, 2 * h);
            float *w3 = malloc((size_t)4 * cout * cin * 9 * sizeof(float)), b4[12];
            jf_conv_t_relayout(wt, b, cin, cout, w3, b4);
            jf_conv conv;
            ck_assert_int_eq(jf_conv_init_path(ctx, &conv, w3, b4, 4 * cout, cin, 3, 3, 1, 1, 1, JF_ACT_NONE, 0,
                                               path), JF_OK);
            jf_tensor in = jft_upload(ctx, x, cin, h, w);
            for (int crop = 0; crop <= 1; crop++) {
                /* the full 2h x 2w output, then the odd size one less on each axis */
                int H = 2 * h - crop, W = 2 * w - crop;
                if (H < 1 || W < 1) continue;
                jf_tensor out;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &out, cout, H, W), JF_OK);
                ck_assert_msg(jf_conv_t_forward(ctx, &conv, &in, &out, &ws) == JF_OK, "%s", jf_last_error(ctx));
                float *got = jft_download(ctx, &out), *cut = malloc((size_t)cout * H * W * sizeof(float));
                for (int c = 0; c < cout; c++)
                    for (int y = 0; y < H; y++)
                        for (int xx = 0; xx < W; xx++)
                            cut[((size_t)c * H + y) * W + xx] = want[((size_t)c * ho + y) * wo + xx];
                jft_assert_close(got, cut, (size_t)cout * H * W, 1e-5);
                free(got), free(cut);
                jf_tensor_free(&out);
            }
            /* more than one row or column cropped is not a transposed convolution's output */
            jf_tensor bad;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &bad, cout, 2 * h + 1, 2 * w), JF_OK);
            ck_assert_int_eq(jf_conv_t_forward(ctx, &conv, &in, &bad, &ws), JF_ERR_SIZE_MISMATCH);
            jf_tensor_free(&bad);
            jf_conv_free(&conv);
            jf_tensor_free(&in);
            free(x), free(wt), free(b), free(want), free(w3);
        }
    jf_workspace_free(&ws);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(scale_shift_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(42);
    for (int si = 0; si < NSIZES; si++) {
        int w = sizes[si][0], h = sizes[si][1], c = 3;
        size_t n = (size_t)c * h * w;
        float *x = jft_random(n, 0, 1), *want = malloc(n * sizeof(float));
        ref_scale_shift(x, n, 255.0f, -115.0f, want);
        jf_tensor in = jft_upload(ctx, x, c, h, w), out;
        ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, h, w), JF_OK);
        ck_assert_int_eq(jf_scale_shift(ctx, &in, 255.0f, -115.0f, &out), JF_OK);
        float *got = jft_download(ctx, &out);
        jft_assert_close(got, want, n, 1e-4);
        ck_assert_int_eq(jf_scale_shift(ctx, &in, 255.0f, -115.0f, &in), JF_OK); /* in place */
        float *got2 = jft_download(ctx, &in);
        jft_assert_close(got2, want, n, 1e-4);
        free(x), free(want), free(got), free(got2);
        jf_tensor_free(&in), jf_tensor_free(&out);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(resize_cubic_both_conventions)
{
    jf_context *ctx = jft_context();
    static const int outs[][2] = {{1, 1}, {8, 8}, {40, 24}, {23, 61}, {3, 2}};
    jft_seed(5);
    for (int mode = 0; mode <= 1; mode++)
        for (int si = 0; si < NSIZES; si++)
            for (size_t oi = 0; oi < sizeof outs / sizeof outs[0]; oi++) {
                int w = sizes[si][0], h = sizes[si][1], wo = outs[oi][0], ho = outs[oi][1];
                if (mode == 0 && (w > 15 * wo || h > 15 * ho)) continue;
                float *x = jft_random((size_t)2 * h * w, 0, 1);
                jf_tensor in = jft_upload(ctx, x, 2, h, w), out;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 2, ho, wo), JF_OK);
                ck_assert_msg(jf_resize_cubic(ctx, &in, &out, (jf_resize_mode)mode) == JF_OK, "%s",
                              jf_last_error(ctx));
                float *got = jft_download(ctx, &out), *want = malloc(jf_tensor_count(&out) * sizeof(float));
                ref_resize_cubic(x, 2, h, w, want, ho, wo, mode);
                jft_assert_close(got, want, jf_tensor_count(&out), 2e-5);
                free(x);
                free(got);
                free(want);
                jf_tensor_free(&in);
                jf_tensor_free(&out);
            }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(resize_cubic_whole_factors)
{
    /* Enlarging by 2, 4, 8 or 16 takes the phase kernels, per axis; other factors
     * (3, 5, 1) on the other axis take the general ones. Odd sizes. */
    jf_context *ctx = jft_context();
    static const int f[][2] = {{2, 2}, {4, 4}, {8, 8}, {16, 16}, {4, 3}, {3, 4}, {8, 1}, {1, 5}};
    static const int in_sizes[][2] = {{1, 1}, {3, 2}, {7, 5}, {13, 9}};
    jft_seed(9);
    for (size_t si = 0; si < sizeof in_sizes / sizeof in_sizes[0]; si++)
        for (size_t fi = 0; fi < sizeof f / sizeof f[0]; fi++) {
            int w = in_sizes[si][0], h = in_sizes[si][1], wo = w * f[fi][0], ho = h * f[fi][1];
            float *x = jft_random((size_t)2 * h * w, 0, 1);
            jf_tensor in = jft_upload(ctx, x, 2, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 2, ho, wo), JF_OK);
            ck_assert_msg(jf_resize_cubic(ctx, &in, &out, JF_RESIZE_OPENCV) == JF_OK, "%s", jf_last_error(ctx));
            float *got = jft_download(ctx, &out), *want = malloc(jf_tensor_count(&out) * sizeof(float));
            ref_resize_cubic(x, 2, h, w, want, ho, wo, JF_RESIZE_OPENCV);
            jft_assert_close(got, want, jf_tensor_count(&out), 2e-5);
            free(x), free(got), free(want);
            jf_tensor_free(&in), jf_tensor_free(&out);
        }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(resize_cubic_known_values)
{
    /* Upsampling a constant gives the constant in both conventions (weights sum to 1),
     * and OpenCV's convention reproduces a linear ramp's interior exactly. */
    jf_context *ctx = jft_context();
    float x[4 * 4];
    for (int i = 0; i < 16; i++) x[i] = 0.75f;
    jf_tensor in = jft_upload(ctx, x, 1, 4, 4), out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, 32, 32), JF_OK);
    for (int mode = 0; mode <= 1; mode++) {
        ck_assert_int_eq(jf_resize_cubic(ctx, &in, &out, (jf_resize_mode)mode), JF_OK);
        float *got = jft_download(ctx, &out);
        for (int i = 0; i < 32 * 32; i++) ck_assert_float_eq_tol(got[i], 0.75f, 1e-6);
        free(got);
    }
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(rgb_to_gray_both_modes)
{
    jf_context *ctx = jft_context();
    jft_seed(9);
    for (int si = 0; si < NSIZES; si++)
        for (int mode = 0; mode <= 1; mode++) {
            int w = sizes[si][0], h = sizes[si][1];
            float *x = jft_random((size_t)3 * h * w, 0, 1);
            jf_tensor in = jft_upload(ctx, x, 3, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, h, w), JF_OK);
            ck_assert_int_eq(jf_rgb_to_gray(ctx, &in, 2, 1, 0, (jf_gray_mode)mode, &out), JF_OK);
            float *got = jft_download(ctx, &out), *want = malloc((size_t)h * w * sizeof(float));
            ref_rgb_to_gray(x, h * w, 2, 1, 0, mode, want);
            jft_assert_close(got, want, (size_t)h * w, 1e-6);
            free(x);
            free(got);
            free(want);
            jf_tensor_free(&in);
            jf_tensor_free(&out);
        }
    jf_context_destroy(ctx);
}
END_TEST

static void check_deform(jf_context *ctx, int f, int r, int window, int residual, float offset_range)
{
    for (int si = 0; si < NSIZES; si++) {
        int W = sizes[si][0], H = sizes[si][1];
        int hw = (W + f - 1) / f, hh = (H + f - 1) / f, kk = r * r, ch = 3 * kk * f * f;
        size_t hn = (size_t)ch * hh * hw;
        float *ha = jft_random(hn, 0.05f, 1), *hb = jft_random(hn, 0.05f, 1), *tg = jft_random((size_t)H * W, 0, 1);
        /* offsets: the product of two branches, spread wide enough to leave the window */
        for (size_t i = (size_t)kk * f * f * hh * hw; i < hn; i++) {
            ha[i] = jft_uniform(-offset_range, offset_range);
            hb[i] = jft_uniform(-2, 2);
        }
        jf_tensor a = jft_upload(ctx, ha, ch, hh, hw), b = jft_upload(ctx, hb, ch, hh, hw), t = jft_upload(ctx, tg, 1, H, W), o, wm, om;
        ck_assert_int_eq(jf_tensor_alloc(ctx, &o, 1, H, W), JF_OK);
        ck_assert_int_eq(jf_tensor_alloc(ctx, &wm, kk, H, W), JF_OK);
        ck_assert_int_eq(jf_tensor_alloc(ctx, &om, 2 * kk, H, W), JF_OK);
        jf_deform_params p = {f, r, window, residual};
        ck_assert_msg(jf_deform_average(ctx, &a, &b, &t, &p, &o, &wm, &om) == JF_OK, "%s", jf_last_error(ctx));
        float *got = jft_download(ctx, &o), *gw = jft_download(ctx, &wm), *go = jft_download(ctx, &om);
        float *want = malloc((size_t)H * W * sizeof(float)), *ww = malloc((size_t)kk * H * W * sizeof(float)),
              *wo = malloc((size_t)2 * kk * H * W * sizeof(float));
        ref_deform_average(ha, hb, hh, hw, tg, H, W, f, r, window, residual, want, ww, wo);
        jft_assert_close(got, want, (size_t)H * W, 1e-5);
        jft_assert_close(gw, ww, (size_t)kk * H * W, 1e-6);
        jft_assert_close(go, wo, (size_t)2 * kk * H * W, 1e-6);
        /* without the map outputs the result is the same */
        ck_assert_int_eq(jf_deform_average(ctx, &a, &b, &t, &p, &o, NULL, NULL), JF_OK);
        float *got2 = jft_download(ctx, &o);
        jft_assert_close(got2, want, (size_t)H * W, 1e-5);
        free(ha), free(hb), free(tg), free(got), free(gw), free(go), free(want), free(ww), free(wo), free(got2);
        jf_tensor_free(&a), jf_tensor_free(&b), jf_tensor_free(&t), jf_tensor_free(&o);
        jf_tensor_free(&wm), jf_tensor_free(&om);
    }
}

START_TEST(deform_average_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(21);
    check_deform(ctx, 4, 3, 15, 1, 4.0f);   /* FDKN layout, residual */
    check_deform(ctx, 4, 3, 15, 0, 1.0f);   /* FDKN layout, L1-normalised */
    check_deform(ctx, 1, 3, 15, 1, 6.0f);   /* DKN layout, offsets far outside the window */
    check_deform(ctx, 2, 5, 9, 0, 2.0f);    /* other kernel and window sizes */
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(deform_average_rejects_bad_heads)
{
    jf_context *ctx = jft_context();
    jf_tensor a, t, o;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &a, 10, 4, 4), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &t, 1, 16, 16), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &o, 1, 16, 16), JF_OK);
    jf_deform_params p = {4, 3, 15, 1};
    ck_assert_int_eq(jf_deform_average(ctx, &a, &a, &t, &p, &o, NULL, NULL), JF_ERR_SIZE_MISMATCH);
    p.kernel = 9;
    ck_assert_int_eq(jf_deform_average(ctx, &a, &a, &t, &p, &o, NULL, NULL), JF_ERR_UNSUPPORTED);
    jf_tensor_free(&a), jf_tensor_free(&t), jf_tensor_free(&o);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("ops", "ops", 900,
                         JFT_TESTS(conv_gemm_matches_reference, conv_direct_matches_reference, conv_pointwise_matches_reference,
                                   conv_winograd_matches_reference,
                                   conv_rejects_wrong_sizes, batchnorm_folding,
                                   space_to_depth_and_pixel_shuffle, conv_transpose_matches_reference,
                                   scale_shift_matches_reference, resize_cubic_both_conventions,
                                   resize_cubic_whole_factors,
                                   resize_cubic_known_values, rgb_to_gray_both_modes,
                                   deform_average_matches_reference,
                                   deform_average_rejects_bad_heads));
}
