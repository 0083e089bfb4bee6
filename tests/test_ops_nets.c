/* test_ops_nets.c - the ops the newer networks (DAGF) are built from, each
 * against its plain C reference (support/ref_nets.c) on seeded random inputs
 * over odd and portrait sizes: the per-pixel-kernel filter at 1/f input size,
 * the attention fusion of two kernel maps, sums with an activation or with an
 * upsampled coarser map, average pooling and edge-replicating padding; plus
 * the size checks that name what is wrong. */
#include "jf_tensors.h"
#include "jf_test.h"
#include "ops/ops.h"
#include "ref_nets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* W x H, odd and portrait ones included */
static const int sizes[][2] = {{1, 1}, {7, 5}, {5, 7}, {13, 3}, {33, 17}, {17, 40}, {64, 48}};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

START_TEST(pixel_kernel_filter_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(31);
    static const int ks[] = {1, 3, 5, 7};
    for (int si = 0; si < NSIZES; si++)
        for (int f = 1; f <= 3; f++)
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                int w = sizes[si][0], h = sizes[si][1], k = ks[ki], c = 1 + (si % 3) * 4; /* 1, 5, 9 channels */
                int H = h * f, W = w * f;
                float *x = jft_random((size_t)c * h * w, -1, 1), *kern = jft_random((size_t)k * k * H * W, -1, 1);
                jf_tensor in = jft_upload(ctx, x, c, h, w), kt = jft_upload(ctx, kern, k * k, H, W), out;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, H, W), JF_OK);
                ck_assert_msg(jf_pixel_kernel_filter(ctx, &in, &kt, k, f, &out) == JF_OK, "%s", jf_last_error(ctx));
                float *want = jft_alloc_floats(jf_tensor_count(&out));
                ref_pixel_kernel_filter(x, c, h, w, kern, k, f, want);
                jft_expect_tensor(ctx, &out, want, 1e-5);
                free(x);
                free(kern);
                jf_tensor_free(&in);
                jf_tensor_free(&kt);
                jf_tensor_free(&out);
            }
    jf_context_destroy(ctx);
}
END_TEST

/* f = 2, k = 3 is DAGF's filter: a nearest x2 upsampling, then 3x3 taps of
 * dilation 2 at the upsampled size, zeros outside. */
START_TEST(pixel_kernel_filter_is_upsample_then_dilated_gather)
{
    jf_context *ctx = jft_context();
    jft_seed(32);
    int c = 3, h = 9, w = 6, H = 18, W = 12;
    float *x = jft_random((size_t)c * h * w, -1, 1), *kern = jft_random((size_t)9 * H * W, -1, 1);
    float *want = jft_alloc_floats((size_t)c * H * W);
    size_t plane = (size_t)H * W;
    for (int ci = 0; ci < c; ci++)
        for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++) {
                double acc = 0;
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int uy = y + 2 * (ky - 1), ux = xx + 2 * (kx - 1); /* in the upsampled map */
                        if (uy < 0 || uy >= H || ux < 0 || ux >= W) continue;
                        acc += (double)kern[(3 * ky + kx) * plane + (size_t)y * W + xx] *
                               x[((size_t)ci * h + uy / 2) * w + ux / 2];
                    }
                want[ci * plane + (size_t)y * W + xx] = (float)acc;
            }
    jf_tensor in = jft_upload(ctx, x, c, h, w), kt = jft_upload(ctx, kern, 9, H, W), out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, H, W), JF_OK);
    ck_assert_msg(jf_pixel_kernel_filter(ctx, &in, &kt, 3, 2, &out) == JF_OK, "%s", jf_last_error(ctx));
    jft_expect_tensor(ctx, &out, want, 1e-5);
    /* sizes that do not fit are refused, naming the shapes */
    jf_tensor bad;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &bad, c, H - 1, W), JF_OK);
    ck_assert_int_eq(jf_pixel_kernel_filter(ctx, &in, &kt, 3, 2, &bad), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "pixel_kernel_filter"));
    ck_assert_int_eq(jf_pixel_kernel_filter(ctx, &in, &kt, 4, 2, &out), JF_ERR_INVALID_ARGUMENT);
    free(x);
    free(kern);
    jf_tensor_free(&in);
    jf_tensor_free(&kt);
    jf_tensor_free(&out);
    jf_tensor_free(&bad);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fuse_kernels_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(33);
    static const int taps[] = {1, 9, 25, 49};
    /* scales where the L1 bound is active everywhere (0.4), nowhere (4.5) and mixed (1.5); a negative one */
    static const float scales[] = {0.4f, 4.5f, 1.5f, -2.0f};
    for (int si = 0; si < NSIZES; si++)
        for (size_t ti = 0; ti < sizeof taps / sizeof taps[0]; ti++) {
            int w = sizes[si][0], h = sizes[si][1], kk = taps[ti], plane = w * h;
            float scale = scales[(si + ti) % 4];
            /* logits of a few units, attention outside [0, 1] too (DAGF's is not squashed) */
            float *a = jft_random((size_t)kk * plane, -4, 4), *b = jft_random((size_t)kk * plane, -4, 4);
            float *att = jft_random((size_t)plane, -1.5f, 2.5f);
            jf_tensor ta = jft_upload(ctx, a, kk, h, w), tb = jft_upload(ctx, b, kk, h, w);
            jf_tensor tt = jft_upload(ctx, att, 1, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, kk, h, w), JF_OK);
            ck_assert_msg(jf_fuse_kernels(ctx, &ta, &tb, &tt, scale, &out) == JF_OK, "%s", jf_last_error(ctx));
            float *want = jft_alloc_floats((size_t)kk * plane);
            ref_fuse_kernels(a, b, att, plane, kk, scale, want);
            jft_expect_tensor(ctx, &out, want, 2e-6);
            free(a);
            free(b);
            free(att);
            jf_tensor_free(&ta);
            jf_tensor_free(&tb);
            jf_tensor_free(&tt);
            jf_tensor_free(&out);
        }
    jf_context_destroy(ctx);
}
END_TEST

/* The fused kernel's L1 norm is at most 1, reached where the bound is active. */
START_TEST(fuse_kernels_bounds_the_l1_norm)
{
    jf_context *ctx = jft_context();
    jft_seed(34);
    int w = 21, h = 11, plane = w * h, kk = 9;
    float *a = jft_random((size_t)kk * plane, -3, 3), *b = jft_random((size_t)kk * plane, -3, 3);
    float *att = jft_random((size_t)plane, 0, 1);
    jf_tensor ta = jft_upload(ctx, a, kk, h, w), tb = jft_upload(ctx, b, kk, h, w), tt = jft_upload(ctx, att, 1, h, w);
    jf_tensor out, wrong;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, kk, h, w), JF_OK);
    ck_assert_int_eq(jf_fuse_kernels(ctx, &ta, &tb, &tt, 0.1f, &out), JF_OK);
    float *got = jft_download(ctx, &out);
    for (int p = 0; p < plane; p++) {
        double l1 = 0;
        for (int t = 0; t < kk; t++) l1 += fabs(got[(size_t)t * plane + p]);
        /* tanh(s)/0.1 with s > 0 sums far above 1: normalised to 1 / (1 + 1e-4 / sum) */
        ck_assert_double_le(l1, 1.0 + 1e-6);
        ck_assert_double_ge(l1, 1.0 - 1e-3);
    }
    free(got);
    ck_assert_int_eq(jf_fuse_kernels(ctx, &ta, &tb, &tt, 0.0f, &out), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &wrong, 2, h, w), JF_OK);
    ck_assert_int_eq(jf_fuse_kernels(ctx, &ta, &tb, &wrong, 1.0f, &out), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "attention 2x"));
    free(a);
    free(b);
    free(att);
    jf_tensor_free(&ta);
    jf_tensor_free(&tb);
    jf_tensor_free(&tt);
    jf_tensor_free(&out);
    jf_tensor_free(&wrong);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(add_act_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(35);
    static const float slopes[] = {0.25f, -0.2f, 0.0f, 1.5f};
    for (int si = 0; si < NSIZES; si++)
        for (int act = 0; act <= 3; act++) {
            int w = sizes[si][0], h = sizes[si][1], c = 1 + si % 4;
            size_t n = (size_t)c * h * w;
            float slope = slopes[(si + act) % 4];
            float *a = jft_random(n, -1, 1), *b = jft_random(n, -1, 1);
            jf_tensor ta = jft_upload(ctx, a, c, h, w), tb = jft_upload(ctx, b, c, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, h, w), JF_OK);
            ck_assert_msg(jf_add_act(ctx, &ta, &tb, (jf_act)act, slope, &out) == JF_OK, "%s", jf_last_error(ctx));
            float *want = jft_alloc_floats(n);
            ref_add_act(a, b, n, act, slope, want);
            jft_expect_tensor(ctx, &out, want, 1e-6);
            /* in place: the result over the first operand */
            ck_assert_int_eq(jf_add_act(ctx, &ta, &tb, (jf_act)act, slope, &ta), JF_OK);
            want = jft_alloc_floats(n);
            ref_add_act(a, b, n, act, slope, want);
            jft_expect_tensor(ctx, &ta, want, 1e-6);
            free(a);
            free(b);
            jf_tensor_free(&ta);
            jf_tensor_free(&tb);
            jf_tensor_free(&out);
        }
    jf_tensor x, y;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &x, 2, 4, 5), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &y, 2, 5, 4), JF_OK);
    ck_assert_int_eq(jf_add_act(ctx, &x, &y, JF_ACT_NONE, 0, &x), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "add: 2x4x5 + 2x5x4"));
    jf_tensor_free(&x);
    jf_tensor_free(&y);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(add_upsampled_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(36);
    for (int si = 0; si < NSIZES; si++)
        for (int f = 1; f <= 4; f++) {
            int W = sizes[si][0], H = sizes[si][1], c = 1 + si % 3, h = (H + f - 1) / f, w = (W + f - 1) / f;
            float scale = 0.7f - 0.3f * f;
            float *a = jft_random((size_t)c * H * W, -1, 1), *b = jft_random((size_t)c * h * w, -1, 1);
            jf_tensor ta = jft_upload(ctx, a, c, H, W), tb = jft_upload(ctx, b, c, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, H, W), JF_OK);
            ck_assert_msg(jf_add_upsampled(ctx, &ta, &tb, f, scale, &out) == JF_OK, "%s", jf_last_error(ctx));
            float *want = jft_alloc_floats((size_t)c * H * W);
            ref_add_upsampled(a, b, c, H, W, f, scale, want);
            jft_expect_tensor(ctx, &out, want, 1e-6);
            if (f > 1) {
                /* a coarse map of the wrong size is refused, with the size it needs */
                jf_tensor wrong;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &wrong, c, h + 1, w), JF_OK);
                ck_assert_int_eq(jf_add_upsampled(ctx, &ta, &wrong, f, scale, &out), JF_ERR_SIZE_MISMATCH);
                ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "add_upsampled"));
                jf_tensor_free(&wrong);
            }
            free(a);
            free(b);
            jf_tensor_free(&ta);
            jf_tensor_free(&tb);
            jf_tensor_free(&out);
        }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(avg_pool_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(37);
    for (int si = 0; si < NSIZES; si++)
        for (int f = 1; f <= 8; f *= 2)
            for (int ceil_size = 0; ceil_size <= 1; ceil_size++) {
                int W = sizes[si][0], H = sizes[si][1], c = 1 + si % 3;
                int h = ceil_size ? (H + f - 1) / f : H / f, w = ceil_size ? (W + f - 1) / f : W / f;
                if (h < 1 || w < 1) continue;
                float *x = jft_random((size_t)c * H * W, -1, 1);
                jf_tensor in = jft_upload(ctx, x, c, H, W), out;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, h, w), JF_OK);
                ck_assert_msg(jf_avg_pool(ctx, &in, f, &out) == JF_OK, "%s", jf_last_error(ctx));
                float *want = jft_alloc_floats((size_t)c * h * w);
                ref_avg_pool(x, c, H, W, f, h, w, want);
                jft_expect_tensor(ctx, &out, want, 1e-6);
                free(x);
                jf_tensor_free(&in);
                jf_tensor_free(&out);
            }
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 1, 17, 9), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, 6, 2), JF_OK); /* rows 4 or 5 */
    ck_assert_int_eq(jf_avg_pool(ctx, &in, 4, &out), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "rows 4 or 5"));
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(pad_replicate_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(38);
    static const int grow[][2] = {{0, 0}, {1, 0}, {0, 3}, {15, 11}};
    for (int si = 0; si < NSIZES; si++)
        for (size_t gi = 0; gi < sizeof grow / sizeof grow[0]; gi++) {
            int w = sizes[si][0], h = sizes[si][1], c = 1 + si % 3, W = w + grow[gi][0], H = h + grow[gi][1];
            float *x = jft_random((size_t)c * h * w, -1, 1);
            jf_tensor in = jft_upload(ctx, x, c, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, H, W), JF_OK);
            ck_assert_msg(jf_pad_replicate(ctx, &in, &out) == JF_OK, "%s", jf_last_error(ctx));
            float *want = jft_alloc_floats((size_t)c * H * W);
            ref_pad_replicate(x, c, h, w, H, W, want);
            jft_expect_tensor(ctx, &out, want, 0); /* copies: bit for bit */
            free(x);
            jf_tensor_free(&in);
            jf_tensor_free(&out);
        }
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 2, 8, 8), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 2, 7, 9), JF_OK);
    ck_assert_int_eq(jf_pad_replicate(ctx, &in, &out), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "pad_replicate: 2x8x8 into 2x7x9"));
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("ops_nets", "ops", 0,
                         JFT_TESTS(pixel_kernel_filter_matches_reference, pixel_kernel_filter_is_upsample_then_dilated_gather,
                                   fuse_kernels_matches_reference, fuse_kernels_bounds_the_l1_norm,
                                   add_act_matches_reference, add_upsampled_matches_reference,
                                   avg_pool_matches_reference, pad_replicate_matches_reference));
}
