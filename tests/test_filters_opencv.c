/* test_filters_opencv.c - Check suite: the classical filters against OpenCV
 * (cv2.ximgproc.guidedFilter, jointBilateralFilter, cv2.resize INTER_CUBIC)
 * on the real images of ../shared/data/lu, and the fast guided filter's error
 * against the full one. References come from tests/filters_reference.py, run
 * at test time with the Python CMake chose for the tests (JF_PYTHON, one that
 * imports cv2.ximgproc); when it cannot, the suite FAILS, it does not skip. */
#include "jf_test.h"

#include "io/npy.h"
#include "io/png_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char ref_dir[4096];
static char ref_error[8192] = "the OpenCV references were not generated";
static int have_refs = 0;

/* Runs the reference script with the tests' Python (JF_PYTHON). */
static void make_references(void)
{
    char script[4096], data[4096], cmd[20480];
    snprintf(ref_dir, sizeof ref_dir, "%s", jft_binary_path("filters_ref"));
    snprintf(script, sizeof script, "%s", jft_source_path("tests/filters_reference.py"));
    snprintf(data, sizeof data, "%s", jft_shared_path("data/lu"));
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' '%s' > '%s.log' 2>&1", JF_PYTHON, script, data,
             ref_dir, ref_dir);
    if (access(data, R_OK) != 0) {
        snprintf(ref_error, sizeof ref_error, "the Lu images %s are missing (the shared data set, "
                 "JF_SHARED_DIR)", data);
        return;
    }
    int rc = system(cmd);
    int code = rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    if (code == 0) {
        have_refs = 1;
        printf("filters_opencv: references by %s in %s\n", JF_PYTHON, ref_dir);
        return;
    }
    snprintf(ref_error, sizeof ref_error,
             "no python with cv2.ximgproc produced the references: %s exited %d (see %s.log);"
             " install OpenCV's contrib modules (Debian: python3-opencv)",
             JF_PYTHON, code, ref_dir);
}

/* A reference array: "<ref_dir>/<name>.npy", shape checked. */
static float *load(const char *name, int *h, int *w, int *c)
{
    ck_assert_msg(have_refs, "%s", ref_error);
    char path[8192], err[1024];
    snprintf(path, sizeof path, "%s/%s.npy", ref_dir, name);
    jf_npy a;
    ck_assert_msg(jf_npy_read(path, &a, err, sizeof err) == JF_OK, "%s", err);
    ck_assert(a.ndim == 2 || a.ndim == 3);
    *h = (int)a.shape[0];
    *w = (int)a.shape[1];
    *c = a.ndim == 3 ? (int)a.shape[2] : 1;
    return a.data;
}

typedef struct ref_img {
    float *data;
    jf_image img;
} ref_img;

static ref_img load_image(const char *name)
{
    ref_img r;
    int h, w, c;
    r.data = load(name, &h, &w, &c);
    jf_image im = {sizeof(jf_image), w, h, c, JF_PIXEL_F32, JF_ORDER_RGB, 0, r.data};
    r.img = im;
    return r;
}

static float *output_like(const jf_image *t, jf_image *out)
{
    size_t n = (size_t)t->width * t->height * t->channels;
    float *d = calloc(n, sizeof(float));
    ck_assert_ptr_nonnull(d);
    jf_image o = {sizeof(jf_image), t->width, t->height, t->channels, JF_PIXEL_F32, JF_ORDER_RGB, 0, d};
    *out = o;
    return d;
}

static double mean_abs_diff(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += fabs((double)a[i] - b[i]);
    return s / (double)n;
}

/* Compares one result with a reference file, prints and asserts the worst difference. */
static void check_against(const char *what, const float *got, const char *ref_name, size_t n, double tol)
{
    int h, w, c;
    float *want = load(ref_name, &h, &w, &c);
    ck_assert_uint_eq((size_t)h * w * c, n);
    double d = jft_max_abs_diff(got, want, n, NULL);
    printf("filters_opencv: %-34s max |diff| %.3g (mean %.3g) vs %s\n", what, d,
           mean_abs_diff(got, want, n), ref_name);
    jft_assert_close(got, want, n, tol);
    free(want);
}

static const char *const images[] = {"lu01_", "lu03_"};

START_TEST(guided_gray_guide_matches_opencv)
{
    jf_context *ctx = jft_context();
    const struct { int r; float eps; const char *tag; } cases[] = {
        {8, 1e-2f, "gf_g_r8_e2"}, {4, 1e-4f, "gf_g_r4_e4"}, {300, 1e-3f, "gf_g_r300_e3"}};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%sgray", images[i]);
        ref_img g = load_image(name);
        snprintf(name, sizeof name, "%sdepth", images[i]);
        ref_img t = load_image(name);
        jf_image o;
        float *out = output_like(&t.img, &o);
        for (int k = 0; k < 3; k++) {
            ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &o, cases[k].r, cases[k].eps, 1), JF_OK);
            snprintf(name, sizeof name, "%s%s", images[i], cases[k].tag);
            check_against("guided, gray guide", out, name, (size_t)o.width * o.height, 1e-4);
        }
        free(out);
        free(g.data);
        free(t.data);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(guided_colour_guide_matches_opencv)
{
    jf_context *ctx = jft_context();
    const struct { int r; float eps; const char *tag; } cases[] = {{8, 1e-2f, "gf_c_r8_e2"},
                                                                  {3, 4e-2f, "gf_c_r3_e4e2"}};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%scolor_rgb", images[i]);
        ref_img g = load_image(name);
        snprintf(name, sizeof name, "%sdepth", images[i]);
        ref_img t = load_image(name);
        jf_image o;
        float *out = output_like(&t.img, &o);
        size_t n = (size_t)o.width * o.height;
        for (int k = 0; k < 2; k++) {
            ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &o, cases[k].r, cases[k].eps, 1), JF_OK);
            snprintf(name, sizeof name, "%s%s", images[i], cases[k].tag);
            check_against("guided, colour guide", out, name, n, 1e-4);
        }
        /* eps = 1e-4: OpenCV's float32 colour path drifts on these near-singular
         * windows; the float64 evaluation of the definition is the reference */
        ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &o, 8, 1e-4f, 1), JF_OK);
        snprintf(name, sizeof name, "%sgf64_c_r8_e4", images[i]);
        check_against("guided, colour guide, eps 1e-4", out, name, n, 1e-4);
        int h, w, c;
        snprintf(name, sizeof name, "%sgf_c_r8_e4_cv", images[i]);
        float *cv = load(name, &h, &w, &c);
        snprintf(name, sizeof name, "%sgf64_c_r8_e4", images[i]);
        float *f64 = load(name, &h, &w, &c);
        printf("filters_opencv: (OpenCV itself vs float64 at eps 1e-4: max |diff| %.3g)\n",
               jft_max_abs_diff(cv, f64, n, NULL));
        free(cv);
        free(f64);
        /* a colour target under the colour guide: per channel, as OpenCV does it */
        jf_image oc;
        float *outc = output_like(&g.img, &oc);
        ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &g.img, &oc, 5, 1e-2f, 1), JF_OK);
        snprintf(name, sizeof name, "%sgf_cc_r5_e2", images[i]);
        check_against("guided, colour target", outc, name, 3 * n, 1e-4);
        free(outc);
        free(out);
        free(g.data);
        free(t.data);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(fast_guided_error_against_full)
{
    jf_context *ctx = jft_context();
    const char *guides[] = {"gray", "color_rgb"};
    for (int i = 0; i < 2; i++)
        for (int gi = 0; gi < 2; gi++) {
            char name[64];
            snprintf(name, sizeof name, "%s%s", images[i], guides[gi]);
            ref_img g = load_image(name);
            snprintf(name, sizeof name, "%sdepth", images[i]);
            ref_img t = load_image(name);
            jf_image o, of;
            float *full = output_like(&t.img, &o), *fast = output_like(&t.img, &of);
            size_t n = (size_t)o.width * o.height;
            ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &o, 8, 1e-2f, 1), JF_OK);
            for (int s = 2; s <= 4; s *= 2) {
                ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &of, 8, 1e-2f, s), JF_OK);
                double mx = jft_max_abs_diff(fast, full, n, NULL), mean = mean_abs_diff(fast, full, n);
                printf("filters_opencv: fast guided %s%s r 8 eps 1e-2 s %d: vs full max %.3g, mean %.3g\n",
                       images[i], guides[gi], s, mx, mean);
                /* an approximation, but a close one: a small mean error, bounded worst case */
                ck_assert_msg(mean < 4e-3 * s && mx < 0.25, "fast guided s=%d: mean %g max %g", s, mean, mx);
            }
            free(full);
            free(fast);
            free(g.data);
            free(t.data);
        }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(jbf_matches_opencv)
{
    jf_context *ctx = jft_context();
    const struct { int d; float sc, ss; const char *guide, *tag; } cases[] = {
        {9, 0.1f, 4.0f, "color_rgb", "jbf_c_d9"}, {15, 0.05f, 6.0f, "gray", "jbf_g_d15"},
        {0, 0.08f, 3.0f, "color_rgb", "jbf_c_d0"}, {5, 0.2f, 2.0f, "gray", "jbf_g_d5"}};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%sdepth", images[i]);
        ref_img t = load_image(name);
        jf_image o;
        float *out = output_like(&t.img, &o);
        for (int k = 0; k < 4; k++) {
            snprintf(name, sizeof name, "%s%s", images[i], cases[k].guide);
            ref_img g = load_image(name);
            ck_assert_int_eq(jf_joint_bilateral(ctx, &g.img, &t.img, &o, cases[k].d, cases[k].sc, cases[k].ss), JF_OK);
            snprintf(name, sizeof name, "%s%s", images[i], cases[k].tag);
            check_against("joint bilateral, float", out, name, (size_t)o.width * o.height, 1e-3);
            free(g.data);
        }
        free(out);
        free(t.data);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(jbf_8bit_matches_opencv)
{
    /* 8-bit guide and target straight from the PNGs, 8-bit output: OpenCV
     * rounds its result, so the two agree level for level but for ties */
    jf_context *ctx = jft_context();
    const char *ids[] = {"01", "03"};
    for (int i = 0; i < 2; i++) {
        char path[256], err[512], name[64];
        jf_png gp, tp;
        snprintf(path, sizeof path, "data/lu/lu_%s_color.png", ids[i]);
        ck_assert_msg(jf_png_read(jft_shared_path(path), &gp, err, sizeof err) == JF_OK, "%s", err);
        snprintf(path, sizeof path, "data/lu/lu_%s_depth.png", ids[i]);
        ck_assert_msg(jf_png_read(jft_shared_path(path), &tp, err, sizeof err) == JF_OK, "%s", err);
        ck_assert_int_eq(tp.bit_depth, 8);
        jf_image g = {sizeof(jf_image), gp.width, gp.height, gp.channels, JF_PIXEL_U8, JF_ORDER_RGB, 0, gp.pixels};
        jf_image t = {sizeof(jf_image), tp.width, tp.height, tp.channels, JF_PIXEL_U8, JF_ORDER_RGB, 0, tp.pixels};
        size_t n = (size_t)tp.width * tp.height;
        uint8_t *o8 = malloc(n);
        jf_image o = {sizeof(jf_image), tp.width, tp.height, 1, JF_PIXEL_U8, JF_ORDER_RGB, 0, o8};
        ck_assert_int_eq(jf_joint_bilateral(ctx, &g, &t, &o, 9, 25.0f / 255.0f, 4.0f), JF_OK);
        int h, w, c;
        snprintf(name, sizeof name, "lu%s_jbf_c_d9_u8", ids[i]);
        float *want = load(name, &h, &w, &c);
        size_t off = 0, worst = 0;
        for (size_t k = 0; k < n; k++) {
            long d = labs((long)o8[k] - lrintf(want[k] * 255.0f));
            if (d) off++;
            if ((size_t)d > worst) worst = (size_t)d;
        }
        printf("filters_opencv: joint bilateral, 8-bit lu_%s: %zu of %zu pixels differ, by at most %zu level\n",
               ids[i], off, n, worst);
        ck_assert_uint_le(worst, 1);
        ck_assert_uint_le(off, n / 1000);
        free(want);
        free(o8);
        jf_png_free(&gp);
        jf_png_free(&tp);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(bicubic_matches_opencv_resize)
{
    jf_context *ctx = jft_context();
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%sdepth_low8", images[i]);
        ref_img low = load_image(name);
        int w = low.img.width * 8, h = low.img.height * 8;
        float *out = malloc((size_t)w * h * sizeof(float));
        jf_image o = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
        ck_assert_int_eq(jf_bicubic(ctx, &low.img, &o, JF_BICUBIC_OPENCV), JF_OK);
        snprintf(name, sizeof name, "%sbicubic_cv", images[i]);
        check_against("bicubic, OpenCV convention", out, name, (size_t)w * h, 1e-4);
        free(out);
        free(low.data);
    }
    jf_context_destroy(ctx);
}
END_TEST

/* On a CPU device the filters write a packed float output where it lies and
 * read packed float inputs where they lie (image.h); an output that is also
 * an input (filtering in place) must still give the out-of-place result. */
START_TEST(filters_in_place_match_out_of_place)
{
    jf_context *ctx = jft_context();
    ref_img t = load_image("lu01_depth"), g = load_image("lu01_gray");
    size_t n = (size_t)t.img.width * t.img.height;
    for (int f = 0; f < 3; f++) {
        jf_image o, in_place = t.img;
        float *want = output_like(&t.img, &o), *buf = malloc(n * sizeof(float));
        ck_assert_ptr_nonnull(buf);
        memcpy(buf, f == 2 ? g.data : t.data, n * sizeof(float));
        in_place.data = buf;
        if (f == 0) {
            ck_assert_int_eq(jf_joint_bilateral(ctx, &g.img, &t.img, &o, 9, 0.1f, 4.0f), JF_OK);
            ck_assert_int_eq(jf_joint_bilateral(ctx, &g.img, &in_place, &in_place, 9, 0.1f, 4.0f), JF_OK);
        } else if (f == 1) {
            ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &o, 8, 0.01f, 1), JF_OK);
            ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &in_place, &in_place, 8, 0.01f, 1), JF_OK);
        } else { /* the output is the guide, which every output pixel reads around it */
            ck_assert_int_eq(jf_joint_bilateral(ctx, &g.img, &t.img, &o, 9, 0.1f, 4.0f), JF_OK);
            ck_assert_int_eq(jf_joint_bilateral(ctx, &in_place, &t.img, &in_place, 9, 0.1f, 4.0f), JF_OK);
        }
        ck_assert_msg(memcmp(buf, want, n * sizeof(float)) == 0, "case %d: in place differs", f);
        free(want);
        free(buf);
    }
    free(t.data);
    free(g.data);
    jf_context_destroy(ctx);
}
END_TEST

/* The guided filter keeps its statistics in the context between calls
 * (jf_scratch_tensor): a smaller call after a larger one, and the larger one
 * again, give what fresh contexts give. */
START_TEST(guided_scratch_reuse_across_sizes)
{
    ref_img t = load_image("lu01_depth"), g = load_image("lu01_gray");
    int W = t.img.width, H = t.img.height, w = W / 3 + 1, h = H / 2 + 1;
    float *gs = malloc((size_t)w * h * sizeof(float)), *ts = malloc((size_t)w * h * sizeof(float));
    ck_assert(gs && ts);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            gs[y * w + x] = g.data[y * W + x];
            ts[y * w + x] = t.data[y * W + x];
        }
    jf_image gsmall = g.img, tsmall = t.img;
    gsmall.width = tsmall.width = w;
    gsmall.height = tsmall.height = h;
    gsmall.data = gs;
    tsmall.data = ts;
    jf_image big1, big2, small1, small2;
    float *b1 = output_like(&t.img, &big1), *b2 = output_like(&t.img, &big2);
    float *s1 = output_like(&tsmall, &small1), *s2 = output_like(&tsmall, &small2);
    jf_context *ctx = jft_context();
    ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &big1, 8, 0.01f, 1), JF_OK);
    ck_assert_int_eq(jf_guided_filter(ctx, &gsmall, &tsmall, &small1, 8, 0.01f, 1), JF_OK);
    ck_assert_int_eq(jf_guided_filter(ctx, &g.img, &t.img, &big2, 8, 0.01f, 1), JF_OK);
    jf_context_destroy(ctx);
    ck_assert(!memcmp(b1, b2, (size_t)W * H * sizeof(float)));
    ctx = jft_context();
    ck_assert_int_eq(jf_guided_filter(ctx, &gsmall, &tsmall, &small2, 8, 0.01f, 1), JF_OK);
    jf_context_destroy(ctx);
    ck_assert(!memcmp(s1, s2, (size_t)w * h * sizeof(float)));
    free(b1), free(b2), free(s1), free(s2), free(gs), free(ts);
    free(t.data);
    free(g.data);
}
END_TEST

int main(void)
{
    /* the Lu images first: without them the reference script fails too, and
     * its failure is not about OpenCV */
    if (jft_check_shared("filters_opencv") != 0) return EXIT_FAILURE;
    make_references();
    if (!have_refs) fprintf(stderr, "filters_opencv: %s\n", ref_error);
    return jft_run_tests("filters_opencv", "filters_opencv", 900,
                         JFT_TESTS(guided_gray_guide_matches_opencv,
                                   guided_colour_guide_matches_opencv,
                                   fast_guided_error_against_full, jbf_matches_opencv,
                                   jbf_8bit_matches_opencv, bicubic_matches_opencv_resize,
                                   filters_in_place_match_out_of_place, guided_scratch_reuse_across_sizes));
}
