/* test_ops_fang.c - the ops Fang et al.'s network is built from, each against
 * its plain C reference (support/ref_ops.c) on seeded random inputs over odd
 * and portrait sizes: instance normalisation (with and without the fused
 * residual and ReLU), nearest upsampling, the coordinate planes and the fused
 * affinity-weighted deformable average (1 and 3 target planes, offsets that
 * leave the image); plus the size checks that name what is wrong. */
#include "jf_tensors.h"
#include "jf_test.h"
#include "ops/ops.h"
#include "ref_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* W x H, odd and portrait ones included */
static const int sizes[][2] = {{1, 1}, {7, 5}, {5, 7}, {13, 3}, {33, 17}, {17, 40}, {64, 48}, {37, 29}};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

START_TEST(instance_norm_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(16);
    for (int si = 0; si < NSIZES; si++)
        for (int variant = 0; variant < 3; variant++) { /* plain, ReLU, residual + ReLU in place */
            int w = sizes[si][0], h = sizes[si][1], c = 1 + si % 4 * 3;
            size_t n = (size_t)c * h * w;
            /* an offset far from 0 checks the shifted sums */
            float *x = jft_random(n, 2.0f, 3.0f + si), *r = jft_random(n, -1, 1);
            float *g = jft_random((size_t)c, 0.5f, 1.5f), *b = jft_random((size_t)c, -0.5f, 0.5f);
            jf_tensor in = jft_upload(ctx, x, c, h, w), res = jft_upload(ctx, r, c, h, w), out;
            cl_mem gb, bb;
            ck_assert_int_eq(jf_buffer_create(ctx, sizeof(float) * c, g, &gb), JF_OK);
            ck_assert_int_eq(jf_buffer_create(ctx, sizeof(float) * c, b, &bb), JF_OK);
            jf_tensor *dst = &out;
            if (variant == 2) dst = &in;
            else ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, h, w), JF_OK);
            jf_act act = variant ? JF_ACT_RELU : JF_ACT_NONE;
            ck_assert_msg(jf_instance_norm(ctx, &in, gb, bb, 1e-5f, variant == 2 ? &res : NULL, act, dst) == JF_OK,
                          "%s", jf_last_error(ctx));
            float *want = jft_alloc_floats(n);
            ref_instance_norm(x, c, h, w, g, b, 1e-5f, variant == 2 ? r : NULL, act, want);
            /* a 1x1 plane has variance 0: the output is beta */
            jft_expect_tensor(ctx, dst, want, 2e-5);
            free(x);
            free(r);
            free(g);
            free(b);
            jf_buffer_release(gb);
            jf_buffer_release(bb);
            jf_tensor_free(&in);
            jf_tensor_free(&res);
            if (variant != 2) jf_tensor_free(&out);
        }
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 2, 8, 8), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 3, 8, 8), JF_OK);
    ck_assert_int_eq(jf_instance_norm(ctx, &in, in.buf, in.buf, 1e-5f, NULL, JF_ACT_NONE, &out), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "instance_norm: input 2x8x8"));
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(upsample_nearest_and_coords_match_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(17);
    for (int si = 0; si < NSIZES; si++)
        for (int f = 1; f <= 3; f++) {
            int W = sizes[si][0], H = sizes[si][1], c = 1 + si % 3, h = (H + f - 1) / f, w = (W + f - 1) / f;
            float *x = jft_random((size_t)c * h * w, -1, 1);
            jf_tensor in = jft_upload(ctx, x, c, h, w), out;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, H, W), JF_OK);
            ck_assert_msg(jf_upsample_nearest(ctx, &in, f, &out) == JF_OK, "%s", jf_last_error(ctx));
            float *want = jft_alloc_floats((size_t)c * H * W);
            ref_upsample_nearest(x, c, h, w, f, want, H, W);
            jft_expect_tensor(ctx, &out, want, 0);
            free(x);
            jf_tensor_free(&in);
            jf_tensor_free(&out);
        }
    for (int si = 0; si < NSIZES; si++) {
        int w = sizes[si][0], h = sizes[si][1], c = si % 2 ? 3 : 1;
        float *x = jft_random((size_t)c * h * w, 0, 1);
        jf_tensor in = jft_upload(ctx, x, c, h, w), out;
        ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c + 2, h, w), JF_OK);
        ck_assert_msg(jf_append_coords(ctx, &in, &out) == JF_OK, "%s", jf_last_error(ctx));
        float *want = jft_alloc_floats((size_t)(c + 2) * h * w);
        ref_append_coords(x, c, h, w, want);
        jft_expect_tensor(ctx, &out, want, 1e-6);
        free(x);
        jf_tensor_free(&in);
        jf_tensor_free(&out);
    }
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 2, 4, 4), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 2, 9, 8), JF_OK);
    ck_assert_int_eq(jf_upsample_nearest(ctx, &in, 2, &out), JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "the input must be 2x5x4"));
    ck_assert_int_eq(jf_append_coords(ctx, &in, &out), JF_ERR_SIZE_MISMATCH);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(affinity_average_matches_reference)
{
    jf_context *ctx = jft_context();
    jft_seed(18);
    for (int si = 0; si < NSIZES; si++)
        for (int planes = 1; planes <= 3; planes += 2)
            for (int layer = 0; layer < 2; layer++) {
                int w = sizes[si][0], h = sizes[si][1], nfeat = 5, nheads = nfeat + 36;
                size_t plane = (size_t)h * w;
                float *hd = jft_random((size_t)nheads * plane, -1, 1);
                /* offsets up to +-2.5 pixels: taps leave the image near the borders */
                for (size_t i = nfeat * plane; i < (size_t)nheads * plane; i++) hd[i] *= 2.5f;
                float *t = jft_random((size_t)planes * plane, 0, 1);
                jf_tensor heads = jft_upload(ctx, hd, nheads, h, w), tg = jft_upload(ctx, t, planes, h, w), out;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &out, planes, h, w), JF_OK);
                int off0 = nfeat + 18 * layer;
                ck_assert_msg(jf_affinity_average(ctx, &heads, 0, nfeat, off0, &tg, &out) == JF_OK, "%s",
                              jf_last_error(ctx));
                float *want = jft_alloc_floats((size_t)planes * plane);
                ref_affinity_average(hd, nheads, 0, nfeat, off0, t, planes, h, w, want);
                jft_expect_tensor(ctx, &out, want, 1e-5);
                free(hd);
                free(t);
                jf_tensor_free(&heads);
                jf_tensor_free(&tg);
                jf_tensor_free(&out);
            }
    jf_tensor heads, tg, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &heads, 23, 6, 5), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &tg, 3, 6, 5), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, 6, 5), JF_OK);
    ck_assert_int_eq(jf_affinity_average(ctx, &heads, 0, 5, 5, &tg, &out), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_affinity_average(ctx, &heads, 0, 5, 6, &tg, &tg), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "offsets 6..23 of a 23-plane map"));
    jf_tensor_free(&heads);
    jf_tensor_free(&tg);
    jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("ops_fang", "ops", 0,
                         JFT_TESTS(instance_norm_matches_reference, upsample_nearest_and_coords_match_reference,
                                   affinity_average_matches_reference));
}
