/* test_depth.c - Check suite for depth in sensor units through the library
 * (jf_run_options.normalize / invalid / invalid_value / keep_holes,
 * src/models/depth_range.c), with the shipped fdkn_x8 and svlrm_x8 and the
 * bundled sample, so that C, the CLI and Python get the same answers: the
 * sample stored as millimetres over a sensor's range comes out as it does
 * stretched over the 16-bit range, holes (0, NaN, a chosen value) neither
 * spread nor shift the range and can be kept, SVLRM's coefficients follow the
 * mapping, and the guided fill takes its values from the right side of an
 * edge. Needs nothing outside the checkout. */
#include "jf_fixtures.h"
#include "jf_test.h"

#include "models/depth_range.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 256
#define H 192
#define LW 32
#define LH 24

typedef struct scene {
    jf_image guide;     /* the sample's RGB guide */
    uint16_t low[LW * LH]; /* its low-res depth, 0..65535 stretched */
    uint16_t mm[LW * LH];  /* the same as 1534..7754 mm */
} scene;

static void load_scene(scene *s)
{
    jft_read_png(jft_source_path("weights/sample/guide.png"), &s->guide);
    jf_image d;
    jft_read_png(jft_source_path("weights/sample/depth_low.png"), &d);
    ck_assert_int_eq(d.width, LW);
    ck_assert_int_eq(d.type, JF_PIXEL_U16);
    const uint16_t *p = d.data;
    uint16_t lo = 65535, hi = 0;
    for (int i = 0; i < LW * LH; i++) {
        lo = p[i] < lo ? p[i] : lo;
        hi = p[i] > hi ? p[i] : hi;
    }
    for (int i = 0; i < LW * LH; i++) {
        double d01 = (double)(p[i] - lo) / (hi - lo);
        s->low[i] = (uint16_t)lrint(d01 * 65535);
        s->mm[i] = (uint16_t)lrint(1534 + d01 * (7754 - 1534));
    }
    free(d.data);
}

static jf_image gray16(uint16_t *px, int w, int h) { return (jf_image){sizeof(jf_image), w, h, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, px}; }

/* Runs m on the scene's guide and target into a float output (normalized units). */
static void run(jf_context *ctx, jf_model *m, const scene *s, jf_image target, const jf_run_options *opt,
                float *out)
{
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    jf_status st = jf_model_run(m, &s->guide, &target, &o, opt);
    ck_assert_msg(st == JF_OK, "%s", jf_last_error(ctx));
}

START_TEST(sensor_range_equals_full_range)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path("weights/fdkn_x8.safetensors"));
    static scene s;
    load_scene(&s);
    static float full[W * H], mm[W * H], raw[W * H], plain[W * H];
    jf_run_options opt = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID};
    run(ctx, m, &s, gray16(s.low, LW, LH), &opt, full);
    run(ctx, m, &s, gray16(s.mm, LW, LH), &opt, mm);
    run(ctx, m, &s, gray16(s.mm, LW, LH), NULL, raw);
    /* zeroed options are the options of old: the target as given */
    jf_run_options zero = {.size = sizeof(jf_run_options)};
    run(ctx, m, &s, gray16(s.mm, LW, LH), &zero, plain);
    ck_assert(!memcmp(raw, plain, sizeof raw));
    /* in millimetres, the sensor-range run is the full-range run mapped back */
    /* (up to the 1 mm rounding of the sensor-range input, 10 counts of the full range) */
    double worst = 0, ss = 0, ss_raw = 0;
    for (int i = 0; i < W * H; i++) {
        double want = 1534 + full[i] * (7754 - 1534);
        double got = mm[i] * 65535.0;
        worst = fmax(worst, fabs(got - want));
        ss += (got - want) * (got - want);
        ss_raw += (raw[i] * 65535.0 - want) * (raw[i] * 65535.0 - want);
    }
    double rms = sqrt(ss / (W * H)), rms_raw = sqrt(ss_raw / (W * H));
    ck_assert_msg(rms < 0.5 && worst < 10.0, "normalised sensor-range run differs from the full-range run "
                  "by %.2f mm RMS, %.2f mm at most", rms, worst);
    ck_assert_msg(rms_raw > 20.0, "the unnormalised run was expected to differ (by %.2f mm RMS only)", rms_raw);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
    free(s.guide.data);
}
END_TEST

/* Marks a 4x4 hole at (x, y) of the low-res target with v. */
static void hole(uint16_t *t, int x, int y, uint16_t v)
{
    for (int j = y; j < y + 4; j++)
        for (int i = x; i < x + 4; i++) t[j * LW + i] = v;
}

static int in_footprint(int x, int y, int hx, int hy) { return x / 8 >= hx && x / 8 < hx + 4 && y / 8 >= hy && y / 8 < hy + 4; }

START_TEST(holes_do_not_spread)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path("weights/fdkn_x8.safetensors"));
    static scene s;
    load_scene(&s);
    static uint16_t t[LW * LH], o16[W * H];
    static float clean[W * H], out[W * H];
    jf_run_options opt = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_ZERO};
    run(ctx, m, &s, gray16(s.mm, LW, LH), &opt, clean);
    memcpy(t, s.mm, sizeof t);
    hole(t, 10, 8, 0);
    /* the old way: 0 is a distance and drags everything around it down */
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, o16};
    ck_assert_int_eq(jf_model_run(m, &s.guide, &(jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, t}, &o, NULL), JF_OK);
    int under = 0;
    for (int i = 0; i < W * H; i++) under += o16[i] < 1000;
    ck_assert_msg(under > 500, "without hole handling %d pixels under 1000 mm (expected many)", under);
    /* holes: no pixel under 1000 mm, the rest as without the hole nearly */
    ck_assert_int_eq(jf_model_run(m, &s.guide, &(jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, t}, &o, &opt), JF_OK);
    under = 0;
    for (int i = 0; i < W * H; i++) under += o16[i] < 1000;
    ck_assert_int_eq(under, 0);
    /* kept: exactly the hole's footprint is 0 again */
    opt.keep_holes = 1;
    ck_assert_int_eq(jf_model_run(m, &s.guide, &(jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, t}, &o, &opt), JF_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            ck_assert_msg((o16[y * W + x] == 0) == in_footprint(x, y, 10, 8), "pixel %d,%d: %u", x, y, o16[y * W + x]);
    /* a chosen marker (65535, as some sensors write) in the target's own counts */
    memcpy(t, s.mm, sizeof t);
    hole(t, 20, 2, 65535);
    jf_run_options mark = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_VALUE, .invalid_value = 65535,
                           .keep_holes = 1};
    ck_assert_int_eq(jf_model_run(m, &s.guide, &(jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, t}, &o, &mark), JF_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int fp = in_footprint(x, y, 20, 2);
            ck_assert_msg((o16[y * W + x] == 65535) == fp, "pixel %d,%d: %u", x, y, o16[y * W + x]);
            if (!fp) ck_assert_msg(o16[y * W + x] < 8200, "pixel %d,%d: %u mm", x, y, o16[y * W + x]);
        }
    /* NaN holes in a float target (metres), kept as NaN */
    static float tm[LW * LH];
    for (int i = 0; i < LW * LH; i++) tm[i] = s.mm[i] / 1000.0f;
    for (int j = 8; j < 12; j++)
        for (int i = 10; i < 14; i++) tm[j * LW + i] = NAN;
    jf_run_options nan = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_NAN, .keep_holes = 1};
    run(ctx, m, &s, (jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, tm}, &nan, out);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float v = out[y * W + x];
            ck_assert_msg(isnan(v) == in_footprint(x, y, 10, 8), "pixel %d,%d: %g", x, y, v);
            if (!isnan(v)) ck_assert_msg(v > 1.3f && v < 8.2f, "pixel %d,%d: %g m", x, y, v);
        }
    jf_model_destroy(m);
    jf_context_destroy(ctx);
    free(s.guide.data);
}
END_TEST

START_TEST(degenerate_targets)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path("weights/fdkn_x8.safetensors"));
    static scene s;
    load_scene(&s);
    static uint16_t t[LW * LH], o16[W * H];
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, o16};
    jf_image tgt = {sizeof(jf_image), LW, LH, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, t};
    /* a constant wall comes back as that constant */
    for (int i = 0; i < LW * LH; i++) t[i] = 2500;
    jf_run_options opt = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_ZERO};
    ck_assert_int_eq(jf_model_run(m, &s.guide, &tgt, &o, &opt), JF_OK);
    for (int i = 0; i < W * H; i++) ck_assert_int_eq(o16[i], 2500);
    /* nothing valid: the output is all holes, not an error */
    memset(t, 0, sizeof t);
    ck_assert_int_eq(jf_model_run(m, &s.guide, &tgt, &o, &opt), JF_OK);
    for (int i = 0; i < W * H; i++) ck_assert_int_eq(o16[i], 0);
    /* unknown modes are refused */
    jf_run_options bad = {.size = sizeof(jf_run_options), .invalid = 7};
    ck_assert_int_eq(jf_model_run(m, &s.guide, &tgt, &o, &bad), JF_ERR_INVALID_ARGUMENT);
    jf_run_options badv = {.size = sizeof(jf_run_options), .invalid = JF_INVALID_VALUE, .invalid_value = NAN};
    ck_assert_int_eq(jf_model_run(m, &s.guide, &tgt, &o, &badv), JF_ERR_INVALID_ARGUMENT);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
    free(s.guide.data);
}
END_TEST

START_TEST(svlrm_coefficients_follow_the_mapping)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path("weights/svlrm_x8.safetensors"));
    static scene s;
    load_scene(&s);
    static float out[W * H], alpha[W * H], beta[W * H];
    jf_run_options opt = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_ZERO, .alpha = alpha, .beta = beta};
    run(ctx, m, &s, gray16(s.mm, LW, LH), &opt, out);
    /* out = alpha * guide + beta in the target's units, guide = OpenCV's 8-bit luma / 255 */
    const uint8_t *g = s.guide.data;
    double worst = 0;
    for (int i = 0; i < W * H; i++) {
        int r = g[3 * i], gg = g[3 * i + 1], b = g[3 * i + 2];
        float y = (float)((r * 4899 + gg * 9617 + b * 1868 + (1 << 13)) >> 14) / 255.0f;
        worst = fmax(worst, fabs(alpha[i] * y + beta[i] - out[i]) * 65535.0);
    }
    ck_assert_msg(worst < 0.5, "alpha * guide + beta is %.3f mm off the output", worst);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
    free(s.guide.data);
}
END_TEST

START_TEST(buffers_agree_with_images)
{
    jf_context *ctx = jft_context();
    jf_model *m = jft_load_model(ctx, jft_source_path("weights/fdkn_x8.safetensors"));
    static scene s;
    load_scene(&s);
    static float t[LW * LH], want[W * H], got[W * H], g[W * H];
    for (int i = 0; i < LW * LH; i++) t[i] = s.mm[i] / 65535.0f;
    t[5] = 0;
    jf_run_options opt = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_ZERO, .keep_holes = 1};
    /* the same through device buffers: a gray float guide (the luma the network reads) */
    const uint8_t *p = s.guide.data;
    for (int i = 0; i < W * H; i++) g[i] = 0.299f * p[3 * i] / 255.0f + 0.587f * p[3 * i + 1] / 255.0f + 0.114f * p[3 * i + 2] / 255.0f;
    run(ctx, m, &s, (jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, t}, &opt, want);
    jf_image gimg = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, g};
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, want};
    ck_assert_int_eq(jf_model_run(m, &gimg, &(jf_image){sizeof(jf_image), LW, LH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, t}, &o, &opt), JF_OK);
    cl_int e;
    cl_context cc;
    cl_command_queue q = jf_context_queue(ctx);
    clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof cc, &cc, NULL);
    cl_mem gb = clCreateBuffer(cc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof g, g, &e);
    cl_mem tb = clCreateBuffer(cc, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof t, t, &e);
    cl_mem ob = clCreateBuffer(cc, CL_MEM_READ_WRITE, sizeof got, NULL, &e);
    ck_assert_int_eq(jf_model_run_buffers(m, gb, 1, W, H, tb, 1, LW, LH, ob, &opt), JF_OK);
    ck_assert_int_eq(clEnqueueReadBuffer(q, ob, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL), CL_SUCCESS);
    ck_assert(!memcmp(got, want, sizeof got));
    /* the kept hole at low-res (5, 0): full-res x 40..47, y 0..7 */
    ck_assert(got[40] == 0.0f && got[7 * W + 47] == 0.0f && got[39] != 0.0f && got[48] != 0.0f);
    clReleaseMemObject(gb);
    clReleaseMemObject(tb);
    clReleaseMemObject(ob);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
    free(s.guide.data);
}
END_TEST

START_TEST(fill_follows_the_guide)
{
    /* left half near, right half far; the guide has the same edge. A hole
     * across the edge is filled from the matching side on each side of it. */
    enum { FW = 12, FH = 8 };
    float v[FW * FH], g[FW * FH];
    unsigned char valid[FW * FH];
    for (int y = 0; y < FH; y++)
        for (int x = 0; x < FW; x++) {
            int i = y * FW + x;
            v[i] = x < 6 ? 0.2f : 0.8f;
            g[i] = x < 6 ? 0.1f : 0.9f;
            valid[i] = !(x >= 3 && x < 9 && y >= 2 && y < 6);
            if (!valid[i]) v[i] = -1.0f;
        }
    ck_assert_int_eq(jf_depth_fill(v, valid, g, FW, FH, JF_DEPTH_FILL_SIGMA), 0);
    for (int y = 0; y < FH; y++)
        for (int x = 0; x < FW; x++) {
            float want = x < 6 ? 0.2f : 0.8f;
            ck_assert_msg(fabsf(v[y * FW + x] - want) < 1e-3f, "pixel %d,%d: %g, want %g", x, y, v[y * FW + x], want);
        }
    /* one valid pixel fills everything */
    memset(valid, 0, sizeof valid);
    valid[FW * FH - 1] = 1;
    v[FW * FH - 1] = 0.5f;
    ck_assert_int_eq(jf_depth_fill(v, valid, g, FW, FH, JF_DEPTH_FILL_SIGMA), 0);
    for (int i = 0; i < FW * FH; i++) ck_assert_float_eq_tol(v[i], 0.5f, 1e-6f);
}
END_TEST

int main(void)
{
    return jft_run_tests("depth", "depth", 0,
                         JFT_TESTS(fill_follows_the_guide, sensor_range_equals_full_range, holes_do_not_spread,
                                   degenerate_targets, svlrm_coefficients_follow_the_mapping,
                                   buffers_agree_with_images));
}
