/* test_filters_ops.c - Check suite for the classical filters' device code
 * against plain C (double precision) implementations of the definitions
 * (tests/support/ref_filters.c): box means, guided filter (gray/colour guide,
 * 1/3 target channels), joint bilateral filter, JBU, bicubic wrapper, and the
 * public API's handling of bad input. Random inputs over odd, portrait and tiny
 * sizes, with windows larger than the image. */
#include "jf_tensors.h"
#include "jf_test.h"
#include "ref_filters.h"
#include "ref_ops.h"

#include "filters/filters.h"
#include "ops/box.h"
#include "ops/ops.h"

#include <stdio.h>
#include <stdlib.h>

static const int sizes[][2] = {{1, 1}, {7, 5}, {5, 7}, {33, 17}, {64, 48}, {3, 130}};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

/* ---- tests ------------------------------------------------------------ */

START_TEST(box_matches_direct_sums)
{
    jf_context *ctx = jft_context();
    const int radii[] = {0, 1, 2, 5, 40};
    const jf_border borders[] = {JF_BORDER_REFLECT, JF_BORDER_REFLECT_101, JF_BORDER_REPLICATE};
    jft_seed(11);
    for (int s = 0; s < NSIZES; s++) {
        int h = sizes[s][0], w = sizes[s][1], c = 2;
        size_t n = (size_t)c * h * w;
        float *x = jft_random_planes(c, h, w), *want = malloc(n * sizeof(float));
        double *xd = malloc(n * sizeof(double)), *wd = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++) xd[i] = x[i];
        jf_tensor in = jft_upload(ctx, x, c, h, w), out, tmp;
        ck_assert_int_eq(jf_tensor_alloc(ctx, &out, c, h, w), JF_OK);
        ck_assert_int_eq(jf_tensor_alloc(ctx, &tmp, c, h, w), JF_OK);
        for (int ri = 0; ri < 5; ri++)
            for (int bi = 0; bi < 3; bi++) {
                ref_box(xd, wd, c, h, w, radii[ri], borders[bi]);
                for (size_t i = 0; i < n; i++) want[i] = (float)wd[i];
                ck_assert_int_eq(jf_box_mean(ctx, &in, &out, &tmp, radii[ri], radii[ri], borders[bi]), JF_OK);
                float *got = jft_download(ctx, &out);
                jft_assert_close(got, want, n, 2e-6);
                free(got);
            }
        /* in place, as the guided filter uses it */
        ck_assert_int_eq(jf_box_mean(ctx, &in, &in, &tmp, 3, 3, JF_BORDER_REFLECT), JF_OK);
        ref_box(xd, wd, c, h, w, 3, JF_BORDER_REFLECT);
        for (size_t i = 0; i < n; i++) want[i] = (float)wd[i];
        float *got = jft_download(ctx, &in);
        jft_assert_close(got, want, n, 2e-6);
        ck_assert_int_eq(jf_box_mean(ctx, &in, &out, &in, 1, 1, JF_BORDER_REFLECT), JF_ERR_INVALID_ARGUMENT);
        free(got);
        free(x);
        free(want);
        free(xd);
        free(wd);
        jf_tensor_free(&in);
        jf_tensor_free(&out);
        jf_tensor_free(&tmp);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(box_products_match_direct_sums)
{
    /* means of a[i] * b[j] (and of a[i] alone) without product images */
    jf_context *ctx = jft_context();
    const int pairs[] = {0, -1, 1, -1, 0, 0, 1, 2, 0, 2};
    const int np = 5;
    jft_seed(13);
    for (int s = 0; s < NSIZES; s++)
        for (int r = 0; r <= 9; r += 3) {
            int h = sizes[s][0], w = sizes[s][1];
            size_t P = (size_t)h * w;
            float *a = jft_random_planes(2, h, w), *b = jft_random_planes(3, h, w), *want = malloc(np * P * sizeof(float));
            double *prod = malloc(np * P * sizeof(double)), *wd = malloc(np * P * sizeof(double));
            for (int c = 0; c < np; c++)
                for (size_t i = 0; i < P; i++)
                    prod[c * P + i] = (double)a[pairs[2 * c] * P + i] * (pairs[2 * c + 1] < 0 ? 1.0 : b[pairs[2 * c + 1] * P + i]);
            ref_box(prod, wd, np, h, w, r, JF_BORDER_REFLECT);
            for (size_t i = 0; i < np * P; i++) want[i] = (float)wd[i];
            jf_tensor at = jft_upload(ctx, a, 2, h, w), bt = jft_upload(ctx, b, 3, h, w), out, tmp;
            ck_assert_int_eq(jf_tensor_alloc(ctx, &out, np, h, w), JF_OK);
            ck_assert_int_eq(jf_tensor_alloc(ctx, &tmp, np, h, w), JF_OK);
            ck_assert_int_eq(jf_box_mean_products(ctx, &at, &bt, pairs, &out, &tmp, r, JF_BORDER_REFLECT), JF_OK);
            float *got = jft_download(ctx, &out);
            jft_assert_close(got, want, np * P, 2e-6);
            const int badpairs[] = {0, -1, 1, -1, 0, 0, 1, 3, 0, 2};
            ck_assert_int_eq(jf_box_mean_products(ctx, &at, &bt, badpairs, &out, &tmp, r, JF_BORDER_REFLECT),
                             JF_ERR_INVALID_ARGUMENT);
            free(got);
            free(a);
            free(b);
            free(want);
            free(prod);
            free(wd);
            jf_tensor_free(&at);
            jf_tensor_free(&bt);
            jf_tensor_free(&out);
            jf_tensor_free(&tmp);
        }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(box_long_rows_stay_accurate)
{
    /* 4000-pixel rows: the running sum must not drift (the segments bound it) */
    jf_context *ctx = jft_context();
    int h = 3, w = 4000, r = 7;
    jft_seed(12);
    float *x = jft_random_planes(1, h, w), *want = malloc((size_t)h * w * sizeof(float));
    double *xd = malloc((size_t)h * w * sizeof(double)), *wd = malloc((size_t)h * w * sizeof(double));
    for (int i = 0; i < h * w; i++) xd[i] = x[i];
    ref_box(xd, wd, 1, h, w, r, JF_BORDER_REFLECT_101);
    for (int i = 0; i < h * w; i++) want[i] = (float)wd[i];
    jf_tensor in = jft_upload(ctx, x, 1, h, w), out, tmp;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, h, w), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &tmp, 1, h, w), JF_OK);
    ck_assert_int_eq(jf_box_mean(ctx, &in, &out, &tmp, r, 1, JF_BORDER_REFLECT_101), JF_OK);
    /* the reference used a square window: redo it with ry = 1 by summing rows */
    for (int y = 0; y < h; y++)
        for (int xx = 0; xx < w; xx++) {
            double s = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -r; dx <= r; dx++)
                    s += xd[(size_t)ref_border_index(y + dy, h, JF_BORDER_REFLECT_101) * w +
                            ref_border_index(xx + dx, w, JF_BORDER_REFLECT_101)];
            want[(size_t)y * w + xx] = (float)(s / (3.0 * (2 * r + 1)));
        }
    float *got = jft_download(ctx, &out);
    jft_assert_close(got, want, (size_t)h * w, 2e-6);
    free(got);
    free(x);
    free(want);
    free(xd);
    free(wd);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_tensor_free(&tmp);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(guided_matches_definition)
{
    jf_context *ctx = jft_context();
    const int radii[] = {1, 3, 50};
    const float epss[] = {1e-3f, 0.1f};
    jft_seed(21);
    for (int s = 0; s < NSIZES; s++)
        for (int gc = 1; gc <= 3; gc += 2)
            for (int n = 1; n <= 3; n += 2)
                for (int ri = 0; ri < 3; ri++)
                    for (int ei = 0; ei < 2; ei++) {
                        int h = sizes[s][0], w = sizes[s][1];
                        size_t P = (size_t)h * w;
                        float *g = jft_random_planes(gc, h, w), *t = jft_random_planes(n, h, w);
                        float *want = malloc(n * P * sizeof(float));
                        ref_guided(g, gc, t, n, h, w, radii[ri], epss[ei], want);
                        jf_tensor gt = jft_upload(ctx, g, gc, h, w), tt = jft_upload(ctx, t, n, h, w), ot;
                        ck_assert_int_eq(jf_tensor_alloc(ctx, &ot, n, h, w), JF_OK);
                        ck_assert_int_eq(jf_guided_planes(ctx, &gt, &tt, &ot, radii[ri], epss[ei], 1), JF_OK);
                        float *got = jft_download(ctx, &ot);
                        jft_assert_close(got, want, n * P, 1e-4);
                        free(got);
                        free(g);
                        free(t);
                        free(want);
                        jf_tensor_free(&gt);
                        jf_tensor_free(&tt);
                        jf_tensor_free(&ot);
                    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(guided_edge_cases)
{
    jf_context *ctx = jft_context();
    int h = 9, w = 11;
    size_t P = (size_t)h * w;
    float *g = jft_random_planes(3, h, w), *t = jft_random_planes(1, h, w), *c = malloc(P * sizeof(float));
    /* radius 0: every window is one pixel, no variance, the target comes back */
    jf_tensor gt = jft_upload(ctx, g, 3, h, w), tt = jft_upload(ctx, t, 1, h, w), ot;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &ot, 1, h, w), JF_OK);
    ck_assert_int_eq(jf_guided_planes(ctx, &gt, &tt, &ot, 0, 1e-3f, 1), JF_OK);
    float *got = jft_download(ctx, &ot);
    jft_assert_close(got, t, P, 1e-6);
    free(got);
    /* a constant guide with eps = 0: no edges to keep, the output is the box mean */
    for (size_t i = 0; i < 3 * P; i++) g[i] = 0.25f;
    ck_assert_int_eq(jf_tensor_upload(ctx, &gt, g), JF_OK);
    ck_assert_int_eq(jf_guided_planes(ctx, &gt, &tt, &ot, 2, 0.0f, 1), JF_OK);
    got = jft_download(ctx, &ot);
    double *td = malloc(P * sizeof(double));
    for (size_t i = 0; i < P; i++) td[i] = t[i];
    double *m = ref_box_reflect(td, h, w, 2), *mm = ref_box_reflect(m, h, w, 2);
    for (size_t i = 0; i < P; i++) c[i] = (float)mm[i];
    jft_assert_close(got, c, P, 1e-5);
    ck_assert_int_eq(jf_guided_planes(ctx, &gt, &tt, &ot, 2, -1.0f, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_guided_planes(ctx, &gt, &tt, &ot, 2, 0.1f, 0), JF_ERR_INVALID_ARGUMENT);
    free(got);
    free(td);
    free(m);
    free(mm);
    free(g);
    free(t);
    free(c);
    jf_tensor_free(&gt);
    jf_tensor_free(&tt);
    jf_tensor_free(&ot);
    jf_context_destroy(ctx);
}
END_TEST

/* An image larger than the memory budget runs in tiles (guided.c): the result
 * equals the untiled run's up to the running sums' rounding (measured: 1.3e-6
 * exact, 4e-5 fast), for the exact and the fast filter, gray and colour guides. */
START_TEST(guided_tiles_equal_whole)
{
    jf_context *ctx = jft_context();
    enum { W = 1200, H = 800 }; /* past 16 MiB for each case: 3x3 tiles exact, 2x2 fast */
    static float g[W * H * 3], t[W * H], whole[W * H], tiled[W * H];
    jft_seed(21);
    jft_fill(g, (size_t)W * H * 3, 0.0f, 1.0f);
    jft_fill(t, (size_t)W * H, 0.0f, 1.0f);
    const struct { int gc, r, s; } cases[] = {{3, 8, 1}, {1, 5, 1}, {3, 8, 4}};
    for (int k = 0; k < 3; k++) {
        jf_image gi = {sizeof gi, W, H, cases[k].gc, JF_PIXEL_F32, JF_ORDER_RGB, 0, g};
        jf_image ti = {sizeof ti, W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, t};
        jf_image wo = {sizeof wo, W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, whole};
        jf_image to = {sizeof to, W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, tiled};
        ck_assert_int_eq(jf_context_set_memory_budget(ctx, 0), JF_OK);
        ck_assert_int_eq(jf_guided_filter(ctx, &gi, &ti, &wo, cases[k].r, 1e-3f, cases[k].s), JF_OK);
        ck_assert_int_eq(jf_context_set_memory_budget(ctx, (size_t)16 << 20), JF_OK); /* several tiles */
        ck_assert_msg(jf_guided_filter(ctx, &gi, &ti, &to, cases[k].r, 1e-3f, cases[k].s) == JF_OK, "%s",
                      jf_last_error(ctx));
        size_t at = 0;
        double d = jft_max_abs_diff(tiled, whole, (size_t)W * H, &at);
        printf("guided tiles (guide %d planes, r %d, s %d): max |tiled - whole| %.3g at (%zu, %zu)\n", cases[k].gc,
               cases[k].r, cases[k].s, d, at % W, at / W);
        /* the running sums start at each tile's edge: float rounding, which the fast
         * filter's 3x3 inverses of near-singular windows amplify (doubling the halo
         * leaves it as large, so it is no missing context) */
        jft_assert_close(tiled, whole, (size_t)W * H, cases[k].s == 1 ? 5e-6 : 1e-4);
    }
    ck_assert_int_eq(jf_context_set_memory_budget(ctx, 1000), JF_ERR_INVALID_ARGUMENT);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(jbf_matches_definition)
{
    jf_context *ctx = jft_context();
    const int radii[] = {1, 4, 9};
    jft_seed(31);
    for (int s = 0; s < NSIZES; s++)
        for (int gc = 1; gc <= 3; gc += 2)
            for (int n = 1; n <= 3; n += 2)
                for (int ri = 0; ri < 3; ri++) {
                    int h = sizes[s][0], w = sizes[s][1];
                    size_t P = (size_t)h * w;
                    float sc = ri == 1 ? 0.05f : 0.3f, ss = 1.0f + ri;
                    float *g = jft_random_planes(gc, h, w), *t = jft_random_planes(n, h, w);
                    float *want = malloc(n * P * sizeof(float));
                    ref_jbf(g, gc, t, n, h, w, radii[ri], sc, ss, want);
                    jf_tensor gt = jft_upload(ctx, g, gc, h, w), tt = jft_upload(ctx, t, n, h, w), ot;
                    ck_assert_int_eq(jf_tensor_alloc(ctx, &ot, n, h, w), JF_OK);
                    ck_assert_int_eq(jf_jbf_planes(ctx, &gt, &tt, &ot, radii[ri], sc, ss), JF_OK);
                    float *got = jft_download(ctx, &ot);
                    jft_assert_close(got, want, n * P, 2e-6);
                    free(got);
                    free(g);
                    free(t);
                    free(want);
                    jf_tensor_free(&gt);
                    jf_tensor_free(&tt);
                    jf_tensor_free(&ot);
                }
    ck_assert_int_eq(jf_jbf_radius(9, 3.0f), 4);
    ck_assert_int_eq(jf_jbf_radius(0, 3.0f), 4);  /* rint(4.5) = 4, as cvRound */
    ck_assert_int_eq(jf_jbf_radius(-1, 5.0f), 8); /* rint(7.5) = 8 */
    ck_assert_int_eq(jf_jbf_radius(1, 5.0f), 1);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(jbu_matches_definition)
{
    jf_context *ctx = jft_context();
    /* low and high sizes: integer factors, non-integer ones, portrait, 1x1 */
    const int cases[][4] = {{4, 5, 16, 20}, {5, 7, 17, 23}, {9, 3, 27, 9}, {1, 1, 6, 4}, {12, 16, 48, 64}};
    jft_seed(41);
    for (int ci = 0; ci < 5; ci++)
        for (int gc = 1; gc <= 3; gc += 2)
            for (int n = 1; n <= 3; n += 2) {
                int lh = cases[ci][0], lw = cases[ci][1], h = cases[ci][2], w = cases[ci][3];
                int r = 1 + ci % 3;
                float sc = 0.1f, ss = 0.5f + ci * 0.5f;
                size_t P = (size_t)h * w;
                float *g = jft_random_planes(gc, h, w), *t = jft_random_planes(n, lh, lw);
                float *want = malloc(n * P * sizeof(float));
                ref_jbu(g, gc, t, n, lh, lw, h, w, r, sc, ss, want);
                jf_tensor gt = jft_upload(ctx, g, gc, h, w), tt = jft_upload(ctx, t, n, lh, lw), ot;
                ck_assert_int_eq(jf_tensor_alloc(ctx, &ot, n, h, w), JF_OK);
                ck_assert_int_eq(jf_jbu_planes(ctx, &gt, &tt, &ot, r, sc, ss), JF_OK);
                float *got = jft_download(ctx, &ot);
                jft_assert_close(got, want, n * P, 2e-6);
                /* a constant target stays constant whatever the guide */
                for (size_t i = 0; i < (size_t)n * lh * lw; i++) t[i] = 0.375f;
                for (size_t i = 0; i < n * P; i++) want[i] = 0.375f;
                ck_assert_int_eq(jf_tensor_upload(ctx, &tt, t), JF_OK);
                ck_assert_int_eq(jf_jbu_planes(ctx, &gt, &tt, &ot, r, sc, ss), JF_OK);
                free(got);
                got = jft_download(ctx, &ot);
                jft_assert_close(got, want, n * P, 1e-6);
                free(got);
                free(g);
                free(t);
                free(want);
                jf_tensor_free(&gt);
                jf_tensor_free(&tt);
                jf_tensor_free(&ot);
            }
    jf_context_destroy(ctx);
}
END_TEST

/* An interleaved image over caller memory. */
static jf_image image(int w, int h, int c, jf_pixel_type t, void *data)
{
    jf_image im = {sizeof(jf_image), w, h, c, t, JF_ORDER_RGB, 0, data};
    return im;
}

START_TEST(jbu_follows_guide_edges)
{
    /* a step edge between low-resolution pixels: JBU puts it where the guide
     * has it, bicubic smears it over several pixels */
    jf_context *ctx = jft_context();
    enum { W = 64, H = 16, F = 4, E = 27 };
    float guide[H * W], truth[H * W], low[(H / F) * (W / F)], up[H * W], bic[H * W];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            guide[y * W + x] = x < E ? 0.1f : 0.9f;
            truth[y * W + x] = x < E ? 0.2f : 0.8f;
        }
    for (int y = 0; y < H / F; y++) /* area average, as a sensor would */
        for (int x = 0; x < W / F; x++) {
            float s = 0;
            for (int j = 0; j < F; j++)
                for (int i = 0; i < F; i++) s += truth[(y * F + j) * W + x * F + i];
            low[y * (W / F) + x] = s / (F * F);
        }
    jf_image g = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, guide};
    jf_image l = {sizeof(jf_image), W / F, H / F, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, low};
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, up}, ob = o;
    ob.data = bic;
    ck_assert_int_eq(jf_jbu(ctx, &g, &l, &o, 2, 0.05f, 1.0f), JF_OK);
    ck_assert_int_eq(jf_bicubic(ctx, &l, &ob, JF_BICUBIC_OPENCV), JF_OK);
    double ej = jft_max_abs_diff(up, truth, H * W, NULL), eb = jft_max_abs_diff(bic, truth, H * W, NULL);
    printf("jbu step edge: max error %.3f (bicubic %.3f)\n", ej, eb);
    ck_assert_msg(ej < 0.5 * eb, "JBU error %g is not well below bicubic's %g", ej, eb);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(public_api_channels_and_types)
{
    jf_context *ctx = jft_context();
    int w = 13, h = 10;
    size_t P = (size_t)w * h;
    jft_seed(51);
    float *guide = jft_random_planes(1, h, 3 * w), *target = jft_random_planes(1, h, 3 * w);
    float *rgb = malloc(3 * P * sizeof(float)), *gray = malloc(P * sizeof(float));
    uint16_t *rgba16 = malloc(4 * P * sizeof(uint16_t));
    jf_image g = image(w, h, 3, JF_PIXEL_F32, guide), t = image(w, h, 3, JF_PIXEL_F32, target);
    jf_image o = image(w, h, 3, JF_PIXEL_F32, rgb), o16 = image(w, h, 4, JF_PIXEL_U16, rgba16);
    /* a colour target is filtered per channel: channel k equals filtering plane k alone */
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, &o, 2, 0.01f, 1), JF_OK);
    for (int k = 0; k < 3; k++) {
        float *tk = malloc(P * sizeof(float)), *ok = malloc(P * sizeof(float));
        for (size_t i = 0; i < P; i++) tk[i] = target[3 * i + k];
        jf_image t1 = image(w, h, 1, JF_PIXEL_F32, tk), o1 = image(w, h, 1, JF_PIXEL_F32, ok);
        ck_assert_int_eq(jf_guided_filter(ctx, &g, &t1, &o1, 2, 0.01f, 1), JF_OK);
        for (size_t i = 0; i < P; i++) ck_assert_float_eq_tol(rgb[3 * i + k], ok[i], 1e-6f);
        free(tk);
        free(ok);
    }
    /* the same into 16-bit RGBA: rounded, alpha opaque */
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, &o16, 2, 0.01f, 1), JF_OK);
    for (size_t i = 0; i < P; i++) {
        for (int k = 0; k < 3; k++) {
            float v = rgb[3 * i + k] * 65535.0f;
            v = v < 0 ? 0 : v > 65535.0f ? 65535.0f : v;
            ck_assert_int_le(abs((int)rgba16[4 * i + k] - (int)lrintf(v)), 1);
        }
        ck_assert_int_eq(rgba16[4 * i + 3], 65535);
    }
    /* BGR output order swaps the channels */
    float *bgr = malloc(3 * P * sizeof(float));
    jf_image ob = image(w, h, 3, JF_PIXEL_F32, bgr);
    ob.order = JF_ORDER_BGR;
    ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &t, &ob, 5, 0.1f, 2.0f), JF_OK);
    ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &t, &o, 5, 0.1f, 2.0f), JF_OK);
    for (size_t i = 0; i < P; i++) {
        ck_assert_float_eq_tol(bgr[3 * i], rgb[3 * i + 2], 1e-6f);
        ck_assert_float_eq_tol(bgr[3 * i + 2], rgb[3 * i], 1e-6f);
    }
    /* bicubic of a constant image is that constant, both conventions, any size */
    for (size_t i = 0; i < P; i++) gray[i] = 0.625f;
    float big[26 * 17];
    jf_image tg = image(w, h, 1, JF_PIXEL_F32, gray), ob2 = image(26, 17, 1, JF_PIXEL_F32, big);
    for (int mode = 0; mode < 2; mode++) {
        ck_assert_int_eq(jf_bicubic(ctx, &tg, &ob2, (jf_bicubic_mode)mode), JF_OK);
        for (int i = 0; i < 26 * 17; i++) ck_assert_float_eq_tol(big[i], 0.625f, 1e-6f);
    }
    free(guide);
    free(target);
    free(rgb);
    free(gray);
    free(rgba16);
    free(bgr);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(public_api_rejects_bad_input)
{
    jf_context *ctx = jft_context();
    float a[6 * 4 * 3] = {0}, b[6 * 4 * 3] = {0}, c[12 * 8 * 3] = {0};
    jf_image g = image(6, 4, 1, JF_PIXEL_F32, a), t = image(6, 4, 1, JF_PIXEL_F32, b);
    jf_image o = image(6, 4, 1, JF_PIXEL_F32, c);
    ck_assert_int_eq(jf_guided_filter(NULL, &g, &t, &o, 1, 0.1f, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_guided_filter(ctx, NULL, &t, &o, 1, 0.1f, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert(strstr(jf_last_error(ctx), "guide") != NULL);
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, NULL, 1, 0.1f, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, &o, -1, 0.1f, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, &o, 1, NAN, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, &o, 1, 0.1f, 0), JF_ERR_INVALID_ARGUMENT);
    jf_image small = image(5, 4, 1, JF_PIXEL_F32, b);
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &small, &o, 1, 0.1f, 1), JF_ERR_SIZE_MISMATCH);
    ck_assert(strstr(jf_last_error(ctx), "5x4") != NULL);
    jf_image o3 = image(6, 4, 3, JF_PIXEL_F32, c);
    ck_assert_int_eq(jf_guided_filter(ctx, &g, &t, &o3, 1, 0.1f, 1), JF_ERR_SIZE_MISMATCH);
    ck_assert(strstr(jf_last_error(ctx), "channels") != NULL);
    jf_image two = image(6, 4, 2, JF_PIXEL_F32, b);
    ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &two, &o, 5, 0.1f, 2.0f), JF_ERR_UNSUPPORTED);
    ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &t, &o, 5, 0.0f, 2.0f), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &t, &o, 5, 0.1f, -2.0f), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &t, &o, 513, 0.1f, 2.0f), JF_ERR_INVALID_ARGUMENT);
    jf_image big = image(12, 8, 1, JF_PIXEL_F32, c);
    ck_assert_int_eq(jf_jbu(ctx, &g, &big, &o, 2, 0.1f, 1.0f), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_jbu(ctx, &g, &t, &o, 2, 0.1f, 0.0f), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_jbu(ctx, &big, &t, &o, 2, 0.1f, 1.0f), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_bicubic(ctx, &t, NULL, JF_BICUBIC_PIL), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_bicubic(ctx, &t, &o, (jf_bicubic_mode)7), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_bicubic(ctx, &t, &o3, JF_BICUBIC_PIL), JF_ERR_SIZE_MISMATCH);
    jf_image nodata = image(6, 4, 1, JF_PIXEL_F32, NULL);
    ck_assert_int_eq(jf_bicubic(ctx, &nodata, &o, JF_BICUBIC_PIL), JF_ERR_INVALID_ARGUMENT);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("filters_ops", "filters_ops", 900,
                         JFT_TESTS(box_matches_direct_sums, box_products_match_direct_sums,
                                   box_long_rows_stay_accurate, guided_matches_definition,
                                   guided_edge_cases, guided_tiles_equal_whole, jbf_matches_definition,
                                   jbu_matches_definition, jbu_follows_guide_edges,
                                   public_api_channels_and_types, public_api_rejects_bad_input));
}
