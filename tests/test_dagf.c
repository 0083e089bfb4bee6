/* test_dagf.c - DAGF (src/models/dagf.c) against the PyTorch reference
 * runner's outputs in tests/data/dagf/ (a random F = 8 model; an odd 77 x 53
 * and a 64 x 48 case; max |diff| <= 1e-4), through host images and through
 * device buffers; tiles against the untiled run; a gray guide against the
 * same plane three times; and malformed model files, whose errors must name
 * the tensor or metadata field at fault. */
#include "io/safetensors.h"
#include "jf_files.h"
#include "jf_fixtures.h"
#include "jf_test.h"
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAGF_FIXTURES "tests/data/dagf/"
#define DAGF_MODEL DAGF_FIXTURES "dagf_f8_random.safetensors"

static jf_model *load_fixture_model(jf_context *ctx) { return jft_load_model(ctx, jft_source_path(DAGF_MODEL)); }

/* One fixture case: guide (3 planes B, G, R), target and expected output (1 plane). */
typedef struct dagf_case {
    jf_npy guide, target, output;
    int w, h;
} dagf_case;

static void read_case(const char *name, dagf_case *c)
{
    char rel[256];
    snprintf(rel, sizeof rel, DAGF_FIXTURES "%s_guide.npy", name);
    jft_read_npy(jft_source_path(rel), &c->guide);
    snprintf(rel, sizeof rel, DAGF_FIXTURES "%s_target.npy", name);
    jft_read_npy(jft_source_path(rel), &c->target);
    snprintf(rel, sizeof rel, DAGF_FIXTURES "%s_output.npy", name);
    jft_read_npy(jft_source_path(rel), &c->output);
    ck_assert_int_eq(c->guide.ndim, 3);
    ck_assert_int_eq(c->guide.shape[0], 3);
    c->h = (int)c->guide.shape[1];
    c->w = (int)c->guide.shape[2];
}

static void free_case(dagf_case *c)
{
    jf_npy_free(&c->guide);
    jf_npy_free(&c->target);
    jf_npy_free(&c->output);
}

/* Planes B, G, R (3 x n) interleaved as BGR pixels; caller frees. */
static float *interleave_bgr(const float *planes, size_t n)
{
    float *px = malloc(3 * n * sizeof *px);
    ck_assert_ptr_nonnull(px);
    for (size_t p = 0; p < n; p++)
        for (int c = 0; c < 3; c++) px[3 * p + c] = planes[c * n + p];
    return px;
}

/* Runs m on host images: guide planes B, G, R (gc = 3) or one gray plane. */
static void run_host(jf_model *m, const float *guide_planes, int gc, const float *target, int w, int h, float *out,
                     const jf_run_options *opt)
{
    size_t n = (size_t)w * h;
    float *g = gc == 3 ? interleave_bgr(guide_planes, n) : NULL;
    jf_image gi = {sizeof(jf_image), w, h, gc, JF_PIXEL_F32, JF_ORDER_BGR, 0, g ? g : (void *)guide_planes};
    jf_image ti = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, (void *)target};
    jf_image oi = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    ck_assert_msg(jf_model_run(m, &gi, &ti, &oi, opt) == JF_OK, "%s", jf_last_error(m->ctx));
    free(g);
}

/* The model through jf_model_run and jf_model_run_buffers on one case. */
static void check_case(jf_context *ctx, jf_model *m, const char *name)
{
    dagf_case c;
    read_case(name, &c);
    size_t n = (size_t)c.w * c.h;
    float *out = malloc(n * sizeof *out);
    run_host(m, c.guide.data, 3, c.target.data, c.w, c.h, out, NULL);
    double d = jft_max_abs_diff(out, c.output.data, n, NULL);
    printf("dagf %s (%dx%d): max |C - PyTorch| = %.3g (host images)\n", name, c.w, c.h, d);
    jft_assert_close(out, c.output.data, n, 1e-4);

    /* device buffers: planes B, G, R as the model's guide_order says */
    cl_int e;
    cl_context clctx;
    ck_assert_int_eq(clGetCommandQueueInfo(jf_context_queue(ctx), CL_QUEUE_CONTEXT, sizeof clctx, &clctx, NULL),
                     CL_SUCCESS);
    cl_mem g = clCreateBuffer(clctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, 3 * n * sizeof(float), c.guide.data, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem t = clCreateBuffer(clctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n * sizeof(float), c.target.data, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    cl_mem o = clCreateBuffer(clctx, CL_MEM_WRITE_ONLY, n * sizeof(float), NULL, &e);
    ck_assert_int_eq(e, CL_SUCCESS);
    ck_assert_msg(jf_model_run_buffers(m, g, 3, c.w, c.h, t, 1, c.w, c.h, o, NULL) == JF_OK, "%s", jf_last_error(ctx));
    memset(out, 0, n * sizeof *out);
    ck_assert_int_eq(clEnqueueReadBuffer(jf_context_queue(ctx), o, CL_TRUE, 0, n * sizeof(float), out, 0, NULL, NULL),
                     CL_SUCCESS);
    d = jft_max_abs_diff(out, c.output.data, n, NULL);
    printf("dagf %s (%dx%d): max |C - PyTorch| = %.3g (device buffers)\n", name, c.w, c.h, d);
    jft_assert_close(out, c.output.data, n, 1e-4);
    clReleaseMemObject(g);
    clReleaseMemObject(t);
    clReleaseMemObject(o);
    free(out);
    free_case(&c);
}

START_TEST(dagf_matches_pytorch)
{
    jf_context *ctx = jft_context();
    jf_model *m = load_fixture_model(ctx);
    jf_model_info info = {.size = sizeof(jf_model_info)};
    ck_assert_int_eq(jf_model_get_info(m, &info), JF_OK);
    ck_assert_str_eq(info.architecture, "dagf");
    ck_assert_int_eq(info.scale, 8);
    ck_assert_str_eq(info.upsample, "pil");
    ck_assert_int_eq(info.coefficients, 0);
    /* the tiles' grid is the pyramid's and U-Net's coarsest, 2^(levels+1) */
    ck_assert_int_eq(m->align, 16);
    check_case(ctx, m, "odd");
    check_case(ctx, m, "m16");
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

/* The smallest budget whose tiles are at least `inner` pixels wide. */
static size_t budget_for(const jf_model *m, int inner)
{
    size_t b = 1 << 16;
    while (jf_tile_size(m, b) < inner) b += b / 4;
    return b;
}

/* Tiled against untiled on random inputs: a W x H image cut into tiles of
 * about `inner` pixels by a small memory budget. */
static void check_tiled(jf_model *m, int W, int H, int inner)
{
    size_t n = (size_t)W * H;
    float *g = malloc(3 * n * sizeof *g), *t = malloc(n * sizeof *t);
    float *whole = malloc(n * sizeof *whole), *tiled = malloc(n * sizeof *tiled);
    jft_fill(g, 3 * n, 0.0f, 1.0f);
    jft_fill(t, n, 0.0f, 1.0f);
    run_host(m, g, 3, t, W, H, whole, NULL);
    jf_run_options small = {.size = sizeof(jf_run_options), .memory_budget = budget_for(m, inner)};
    int tile = jf_tile_size(m, small.memory_budget);
    ck_assert_msg(tile < (W > H ? W : H), "one %d-pixel tile covers the %dx%d image", tile, W, H);
    run_host(m, g, 3, t, W, H, tiled, &small);
    size_t at = 0;
    double d = jft_max_abs_diff(tiled, whole, n, &at);
    printf("dagf tiled (%dx%d in %d-pixel tiles, halo %d) vs untiled: max |diff| = %.3g%s\n", W, H, tile, m->halo, d,
           d == 0 ? " (bit-identical)" : "");
    jft_assert_close(tiled, whole, n, 1e-5);
    free(g), free(t), free(whole), free(tiled);
}

START_TEST(dagf_tiled_equals_untiled)
{
    jf_context *ctx = jft_context();
    jf_model *m = load_fixture_model(ctx);
    jft_seed(51);
    /* strips, so that the halo (over 100 pixels) leaves tiles that cut the image
     * without the cost of a large square image */
    check_tiled(m, 601, 21, 96);
    check_tiled(m, 27, 455, 64);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

/* Progress: done counts up by steps within each tile to steps x tiles. */
typedef struct progress_log {
    int calls, last, total, backwards;
} progress_log;

static int record_progress(void *user, int done, int total)
{
    progress_log *p = user;
    if (done < p->last) p->backwards++;
    p->calls++;
    p->last = done;
    p->total = total;
    return 0;
}

START_TEST(dagf_reports_progress_per_level)
{
    jf_context *ctx = jft_context();
    jf_model *m = load_fixture_model(ctx);
    dagf_case c;
    read_case("odd", &c);
    float *out = malloc((size_t)c.w * c.h * sizeof *out);
    progress_log log = {0};
    jf_run_options opt = {.size = sizeof(jf_run_options), .progress = record_progress, .progress_user = &log};
    run_host(m, c.guide.data, 3, c.target.data, c.w, c.h, out, &opt);
    /* one tile: the pyramids, three steps per level, the result */
    ck_assert_int_eq(log.total, m->arch->steps);
    ck_assert_int_eq(log.calls, 3 * 3 + 2);
    ck_assert_int_eq(log.last, log.total);
    ck_assert_int_eq(log.backwards, 0);
    free(out);
    free_case(&c);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(dagf_gray_guide_is_three_planes)
{
    jf_context *ctx = jft_context();
    jf_model *m = load_fixture_model(ctx);
    dagf_case c;
    read_case("odd", &c);
    size_t n = (size_t)c.w * c.h;
    float *three = malloc(3 * n * sizeof *three), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    const float *gray = c.guide.data + n; /* the G plane as a gray guide */
    for (int p = 0; p < 3; p++) memcpy(three + p * n, gray, n * sizeof *three);
    run_host(m, gray, 1, c.target.data, c.w, c.h, a, NULL);
    run_host(m, three, 3, c.target.data, c.w, c.h, b, NULL);
    jft_assert_close(a, b, n, 0);
    /* and the gray guide changed the result: it reached the network */
    ck_assert_double_gt(jft_max_abs_diff(a, c.output.data, n, NULL), 1e-4);
    free(three), free(a), free(b);
    free_case(&c);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

/* The fixture file with `from` replaced by `to` (same length) in its header,
 * loaded from memory: must fail with JF_ERR_BAD_FORMAT and a message holding `want`. */
static void expect_bad(jf_context *ctx, const char *from, const char *to, const char *want)
{
    size_t size = 0;
    uint8_t *file = jft_read_bytes(jft_source_path(DAGF_MODEL), &size);
    ck_assert_uint_eq(strlen(from), strlen(to));
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)file[i] << (8 * i);
    char *header = (char *)file + 8, saved = header[hlen];
    header[hlen] = '\0';
    char *at = strstr(header, from);
    ck_assert_msg(at != NULL, "'%s' is not in the fixture's header", from);
    memcpy(at, to, strlen(to));
    header[hlen] = saved;
    jf_model *m = NULL;
    jf_status s = jf_model_load_memory(ctx, file, size, &m);
    ck_assert_msg(s == JF_ERR_BAD_FORMAT, "'%s' -> '%s': status %d (%s)", from, to, (int)s, jf_last_error(ctx));
    ck_assert_ptr_null(m);
    jft_assert_err_has(jf_last_error(ctx), want);
    free(file);
}

START_TEST(dagf_malformed_files_name_the_fault)
{
    jf_context *ctx = jft_context();
    /* a missing tensor (renamed in the header) */
    expect_bad(ctx, "\"level.1.attention.mid1.weight\"", "\"level.1.attention.mid1.wxight\"",
               "tensor 'level.1.attention.mid1.weight' is missing");
    expect_bad(ctx, "\"level.2.kernel_scale\"", "\"level.2.kernel_scalx\"", "tensor 'level.2.kernel_scale' is missing");
    expect_bad(ctx, "\"head.guide.conv2.slope\"", "\"head.guide.conv2.slopx\"", "'head.guide.conv2.slope' is missing");
    /* a wrong shape with the same element count */
    expect_bad(ctx, "\"head.target.conv1.weight\":{\"dtype\":\"F32\",\"shape\":[8,1,3,3]",
               "\"head.target.conv1.weight\":{\"dtype\":\"F32\",\"shape\":[8,1,9,1]",
               "tensor 'head.target.conv1.weight' has shape [8x1x9x1], the architecture needs [8x1x3x3]");
    /* bad features metadata: not a number, odd, and not the file's */
    expect_bad(ctx, "\"features\":\"8\"", "\"features\":\"x\"", "metadata 'features' is 'x'");
    expect_bad(ctx, "\"features\":\"8\"", "\"features\":\"7\"", "metadata 'features' is 7, expected an even number");
    expect_bad(ctx, "\"features\":\"8\"", "\"features\":\"6\"",
               "tensor 'head.target.conv1.weight' has shape [8x1x3x3], the architecture needs [6x1x3x3]");
    /* fewer levels or residual blocks than the file holds */
    expect_bad(ctx, "\"levels\":\"3\"", "\"levels\":\"2\"", "tensor 'level.2.input.conv1.weight' exists but metadata 'levels' is 2");
    expect_bad(ctx, "\"res_blocks\":\"2\"", "\"res_blocks\":\"1\"", "exists but metadata 'res_blocks' is 1");
    expect_bad(ctx, "\"levels\":\"3\"", "\"levels\":\"9\"", "metadata 'levels' is '9'");
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("dagf", "dagf", 0,
                         JFT_TESTS(dagf_matches_pytorch, dagf_tiled_equals_untiled, dagf_reports_progress_per_level,
                                   dagf_gray_guide_is_three_planes,
                                   dagf_malformed_files_name_the_fault));
}
