/* test_halo.c - the tiling halo derived from each model's spec against a
 * brute-force receptive-field probe: random-weight FDKN, DKN and SVLRM models
 * built in memory for every kernel size (and several layer counts) and DAGF's
 * random fixture model (tests/data/dagf/) and Fan et al.'s (tests/data/fan/), one input
 * pixel of the guide and then of the target perturbed far from the borders,
 * and every output that moves must lie within the halo of that pixel, while
 * the farthest one shows the halo is no looser than the model's alignment
 * grid; tiles cut with it give the untiled result. Host-only cases check the halo rule itself (scale changes, branches,
 * transposed convolutions, windows) on tables shaped like the coming models
 * against a forward simulation of which pixels a change reaches. */
#include "jf_files.h"
#include "jf_test.h"
#include "io/safetensors.h"
#include "models/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a safetensors file in memory ---------------------------------------- */

typedef struct st_builder {
    char *header;
    size_t hlen, hcap;
    unsigned char *data;
    size_t dlen, dcap;
    char meta[1024];
} st_builder;

static void st_append(st_builder *b, const char *text)
{
    size_t n = strlen(text);
    if (b->hlen + n + 1 > b->hcap) {
        b->hcap = (b->hlen + n + 1) * 2;
        b->header = realloc(b->header, b->hcap);
        ck_assert_ptr_nonnull(b->header);
    }
    memcpy(b->header + b->hlen, text, n + 1);
    b->hlen += n;
}

static void st_meta(st_builder *b, const char *key, const char *value)
{
    size_t at = strlen(b->meta);
    snprintf(b->meta + at, sizeof b->meta - at, "%s\"%s\":\"%s\"", at ? "," : "", key, value);
}

/* Adds a float32 tensor; the values are copied. */
static void st_tensor(st_builder *b, const char *name, int ndim, const int *shape, const float *values)
{
    size_t n = 1;
    char entry[512];
    int at = snprintf(entry, sizeof entry, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[", name);
    for (int i = 0; i < ndim; i++) {
        n *= (size_t)shape[i];
        at += snprintf(entry + at, sizeof entry - at, "%s%d", i ? "," : "", shape[i]);
    }
    snprintf(entry + at, sizeof entry - at, "],\"data_offsets\":[%zu,%zu]}", b->dlen, b->dlen + 4 * n);
    st_append(b, entry);
    if (b->dlen + 4 * n > b->dcap) {
        b->dcap = (b->dlen + 4 * n) * 2;
        b->data = realloc(b->data, b->dcap);
        ck_assert_ptr_nonnull(b->data);
    }
    memcpy(b->data + b->dlen, values, 4 * n);
    b->dlen += 4 * n;
}

typedef struct model_file {
    unsigned char *data; /* caller frees */
    size_t size;
} model_file;

/* The whole file: length, {"__metadata__": ..., tensors}, data. */
static model_file st_finish(st_builder *b)
{
    size_t body = strlen(b->meta) + 32 + b->hlen;
    char *json = malloc(body + 8);
    int n = snprintf(json, body + 8, "{\"__metadata__\":{%s}%s}", b->meta, b->header ? b->header : "");
    while (n % 8) json[n++] = ' ';
    unsigned char *file = malloc(8 + (size_t)n + b->dlen);
    uint64_t len = (uint64_t)n;
    for (int i = 0; i < 8; i++) file[i] = (unsigned char)(len >> (8 * i));
    memcpy(file + 8, json, (size_t)n);
    if (b->dlen) memcpy(file + 8 + n, b->data, b->dlen);
    model_file f = {file, 8 + (size_t)n + b->dlen};
    free(json);
    free(b->header);
    free(b->data);
    memset(b, 0, sizeof *b);
    return f;
}

/* ---- random-weight models -------------------------------------------------
 * Weights are uniform with the He scale and biases positive, so most ReLUs are
 * open and a change travels along every path the architecture has. */

static void add_random(st_builder *b, const char *name, int ndim, const int *shape, float lo, float hi)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)shape[i];
    float *v = malloc(n * sizeof(float));
    jft_fill(v, n, lo, hi);
    st_tensor(b, name, ndim, shape, v);
    free(v);
}

static void add_conv(st_builder *b, const char *prefix, int cout, int cin, int k, int bn)
{
    char name[128];
    int ws[4] = {cout, cin, k, k}, vs[1] = {cout};
    float a = sqrtf(6.0f / (float)(cin * k * k));
    snprintf(name, sizeof name, "%s.weight", prefix);
    add_random(b, name, 4, ws, -a, a);
    snprintf(name, sizeof name, "%s.bias", prefix);
    add_random(b, name, 1, vs, 0.05f, 0.2f);
    if (!bn) return;
    const char *part[4] = {"weight", "bias", "running_mean", "running_var"};
    const float lo[4] = {0.5f, 0.0f, -0.1f, 0.5f}, hi[4] = {1.5f, 0.2f, 0.1f, 1.5f};
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "%s_bn.%s", prefix, part[i]);
        add_random(b, name, 1, vs, lo[i], hi[i]);
    }
}

/* How the deformable heads place their taps. */
typedef enum tap_mode {
    TAPS_RANDOM = 0, /* offsets of order 1 around the window centre */
    TAPS_AT_EDGES    /* the first tap on the window's top-left pixel, the last on its bottom-right */
} tap_mode;

/* The stacked heads of one branch: sigmoid weights and offsets (kk*ff and
 * 2*kk*ff outputs from 128 features). With TAPS_AT_EDGES the image branch's
 * offset biases carry the offsets and the depth branch's are 1, so their
 * product puts the taps where wanted (small weights keep them there). */
static void add_heads(st_builder *b, const char *branch, int r, int ff, int window, tap_mode taps, int image)
{
    char name[128];
    int kk = r * r, nw = kk * ff, no = 2 * nw;
    int ws[4] = {nw, 128, 1, 1}, wb[1] = {nw}, os[4] = {no, 128, 1, 1}, ob[1] = {no};
    snprintf(name, sizeof name, "%s.conv_weight.weight", branch);
    add_random(b, name, 4, ws, -0.1f, 0.1f);
    snprintf(name, sizeof name, "%s.conv_weight.bias", branch);
    add_random(b, name, 1, wb, -0.2f, 0.2f);
    float scale = taps == TAPS_RANDOM ? 0.1f : image ? 0.002f : 0.0f;
    snprintf(name, sizeof name, "%s.conv_offset.weight", branch);
    add_random(b, name, 4, os, -scale, scale);
    float *bias = malloc((size_t)no * sizeof(float));
    for (int i = 0; i < no; i++) bias[i] = taps == TAPS_RANDOM ? jft_uniform(-0.5f, 0.5f) : image ? 0.0f : 1.0f;
    if (taps == TAPS_AT_EDGES && image) {
        /* tap c samples u = (R + i + o) * (K-1)/K along x (i = c / r, see deform.cl) and
         * v = (R + j + o') * (K-1)/K along y (j = c % r): tap 0 at u = 0.5 reads window
         * column 0, tap kk-1 at u = K - 1.5 column K-1, both on the centre row v = R */
        float K = (float)window, R = (float)(window / 2), s = (K - 1) / K;
        const int tap[2] = {0, kk - 1};
        const float u[2] = {0.5f, K - 1.5f};
        for (int e = 0; e < 2; e++)
            for (int sub = 0; sub < ff; sub++) {
                int i = tap[e] / r, j = tap[e] % r;
                bias[(2 * tap[e]) * ff + sub] = u[e] / s - R - (float)i;
                bias[(2 * tap[e] + 1) * ff + sub] = R / s - R - (float)j;
            }
    }
    snprintf(name, sizeof name, "%s.conv_offset.bias", branch);
    st_tensor(b, name, 1, ob, bias);
    free(bias);
}

static void deform_meta(st_builder *b, const char *arch, int r, int window)
{
    char v[16];
    st_meta(b, "architecture", arch);
    st_meta(b, "scale", "8");
    snprintf(v, sizeof v, "%d", r);
    st_meta(b, "kernel_size", v);
    snprintf(v, sizeof v, "%d", window);
    st_meta(b, "window_size", v);
    /* L1-normalised weights: with residual ones a single tap (r = 1) would weigh 0 */
    st_meta(b, "residual", "false");
}

static model_file fdkn_file(int r, int window, tap_mode taps)
{
    static const int ch[7] = {16, 32, 32, 64, 64, 128, 128};
    st_builder b = {0};
    deform_meta(&b, "fdkn", r, window);
    const char *branch[2] = {"ImageKernel", "DepthKernel"};
    for (int br = 0; br < 2; br++) {
        char prefix[64];
        for (int i = 0; i < 6; i++) {
            snprintf(prefix, sizeof prefix, "%s.conv%d", branch[br], i + 1);
            add_conv(&b, prefix, ch[i + 1], ch[i], 3, i % 2 == 0);
        }
        add_heads(&b, branch[br], r, 16, window, taps, br == 0);
    }
    return st_finish(&b);
}

static model_file dkn_file(int r, int window, tap_mode taps)
{
    static const int k[7] = {7, 2, 5, 2, 5, 3, 3}, cout[7] = {32, 32, 64, 64, 128, 128, 128};
    st_builder b = {0};
    deform_meta(&b, "dkn", r, window);
    const char *branch[2] = {"ImageKernel", "DepthKernel"};
    for (int br = 0; br < 2; br++) {
        char prefix[64];
        for (int i = 0; i < 7; i++) {
            snprintf(prefix, sizeof prefix, "%s.conv%d", branch[br], i + 1);
            add_conv(&b, prefix, cout[i], i ? cout[i - 1] : (br == 0 ? 3 : 1), k[i], i % 2 == 0 && i < 5);
        }
        add_heads(&b, branch[br], r, 1, window, taps, br == 0);
    }
    return st_finish(&b);
}

static model_file svlrm_file(int layers)
{
    st_builder b = {0};
    char v[16];
    st_meta(&b, "architecture", "svlrm");
    st_meta(&b, "scale", "8");
    snprintf(v, sizeof v, "%d", layers);
    st_meta(&b, "layers", v);
    for (int i = 0; i < layers + 2; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "layers.%d", i);
        add_conv(&b, prefix, i == layers + 1 ? 2 : 64, i == 0 ? 2 : 64, 3, 0);
    }
    return st_finish(&b);
}

/* ---- the probe ------------------------------------------------------------ */

typedef struct probe {
    int moved;       /* outputs that changed */
    int reach;       /* the farthest of them from the perturbed pixel, in either axis */
    int outside;     /* those farther than the halo */
} probe;

/* Runs m on random W x H images (guide with gc channels), then again with
 * one pixel (px, py) of the guide and then of the target raised, and
 * compares the outputs: p[0] for the guide, p[1] for the target. A model
 * that filters colour targets only (a smoother, guide = target) gets a
 * 3-plane target and output and no guide probe (p[0].moved = -1). */
static void run_probe(jf_model *m, int gc, int W, int H, int px, int py, int halo, probe p[2])
{
    jf_context *ctx = m->ctx;
    int tc = m->info.gray_target ? 1 : 3;
    size_t n = (size_t)W * H, at = (size_t)py * W + px;
    float *g = malloc(n * gc * sizeof(float)), *t = malloc(n * tc * sizeof(float));
    float *base = malloc(n * tc * sizeof(float)), *moved = malloc(n * tc * sizeof(float));
    jft_fill(g, n * gc, 0.2f, 0.7f);
    jft_fill(t, n * tc, 0.2f, 0.7f);
    jf_image gi = {sizeof(jf_image), W, H, gc, JF_PIXEL_F32, JF_ORDER_RGB, 0, g},
             ti = {sizeof(jf_image), W, H, tc, JF_PIXEL_F32, JF_ORDER_RGB, 0, t};
    jf_image oa = {sizeof(jf_image), W, H, tc, JF_PIXEL_F32, JF_ORDER_RGB, 0, base}, ob = oa;
    ob.data = moved;
    ck_assert_msg(jf_model_run(m, &gi, &ti, &oa, NULL) == JF_OK, "%s", jf_last_error(ctx));
    for (int which = 0; which < 2; which++) {
        if (which == 0 && tc == 3) {
            p[0] = (probe){-1, 0, 0};
            continue;
        }
        float *pixel = which == 0 ? &g[at * gc + (gc > 1 ? 1 : 0)] : &t[at * tc + (tc > 1 ? 1 : 0)]; /* one channel */
        float was = *pixel;
        *pixel += 0.3f;
        ck_assert_msg(jf_model_run(m, &gi, &ti, &ob, NULL) == JF_OK, "%s", jf_last_error(ctx));
        *pixel = was;
        probe q = {0, 0, 0};
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < tc; c++) {
                    size_t i = ((size_t)y * W + x) * tc + c;
                    if (base[i] == moved[i]) continue; /* bit-identical: the change did not reach it */
                    int d = abs(x - px) > abs(y - py) ? abs(x - px) : abs(y - py);
                    q.moved++;
                    if (d > q.reach) q.reach = d;
                    if (d > halo) q.outside++;
                }
        p[which] = q;
    }
    free(g), free(t), free(base), free(moved);
}

/* Loads the file, probes guide and target at (px, py) and checks both against
 * the derived halo; `expect` is the tightest reach the probe must show
 * (halo minus the alignment grid's slack), or -1 to take that default. */
static void check_model(jf_context *ctx, model_file f, int gc, int W, int H, int px, int py,
                        int expect, const char *label)
{
    jf_model *m = NULL;
    ck_assert_msg(jf_model_load_memory(ctx, f.data, f.size, &m) == JF_OK, "%s: %s", label, jf_last_error(ctx));
    free(f.data);
    int halo = m->arch->halo(m), align = m->align;
    ck_assert_msg(px - halo >= 0 && px + halo < W && (H == 1 || (py - halo >= 0 && py + halo < H)),
                  "%s: the %dx%d image is too small for halo %d", label, W, H, halo);
    int reach = 0;
    probe p[2];
    run_probe(m, gc, W, H, px, py, halo, p);
    for (int which = 0; which < 2; which++) {
        if (p[which].moved < 0) continue; /* not probed */
        ck_assert_msg(p[which].outside == 0, "%s: %d outputs beyond the halo %d move when the %s changes (reach %d)",
                      label, p[which].outside, halo, which ? "target" : "guide", p[which].reach);
        ck_assert_msg(p[which].moved > 0, "%s: nothing moves when the %s changes", label, which ? "target" : "guide");
        if (p[which].reach > reach) reach = p[which].reach;
    }
    /* an output's phase on the alignment grid decides how far it reaches: one
     * pixel's probe may fall short of the worst phase by up to align - 1 */
    int want = expect >= 0 ? expect : halo - (align - 1);
    printf("%s: halo %d, farthest moved output %d away\n", label, halo, reach);
    ck_assert_msg(reach >= want, "%s: the halo %d is looser than needed: the farthest moved output is %d away "
                  "(at least %d expected)", label, halo, reach, want);
    jf_model_destroy(m);
}

START_TEST(fdkn_halo_every_kernel_size)
{
    jf_context *ctx = jft_context();
    jft_seed(20);
    char label[64];
    for (int r = 1; r <= 7; r++) {
        /* the convolution branches reach farthest: 6 layers x 4 + the 4x4 grid's phase */
        snprintf(label, sizeof label, "fdkn k%d window 15", r);
        check_model(ctx, fdkn_file(r, 15, TAPS_RANDOM), 1, 72, 72, 37, 34, -1, label);
        /* a 63-pixel window with taps on its left and right edges reaches farther than the branches */
        snprintf(label, sizeof label, "fdkn k%d window 63", r);
        check_model(ctx, fdkn_file(r, 63, TAPS_AT_EDGES), 1, 72, 72, 36, 35, 31, label);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(dkn_halo_every_kernel_size)
{
    jf_context *ctx = jft_context();
    jft_seed(21);
    char label[64];
    /* DKN runs 128 channels at full resolution: the probes use rows of pixels
     * (height 1, the halo along x) except one square image at k = 3 */
    for (int r = 1; r <= 7; r++) {
        int square = r == 3, W = square ? 56 : 64, H = square ? 56 : 1, y = square ? 28 : 0;
        snprintf(label, sizeof label, "dkn k%d window 15%s", r, square ? " square" : "");
        check_model(ctx, dkn_file(r, 15, TAPS_RANDOM), 3, W, H, 30, y, -1, label);
        snprintf(label, sizeof label, "dkn k%d window 63", r);
        check_model(ctx, dkn_file(r, 63, TAPS_AT_EDGES), 3, 64, 1, 32, 0, 31, label);
    }
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(svlrm_halo_layer_counts)
{
    jf_context *ctx = jft_context();
    jft_seed(22);
    char label[64];
    const int layers[] = {0, 1, 2, 5, 10, 64};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        int L = layers[i], wide = L > 10;
        snprintf(label, sizeof label, "svlrm %d layers", L);
        /* every 3x3 layer reaches one pixel further; 64 layers on a row of pixels */
        check_model(ctx, svlrm_file(L), 1, wide ? 2 * L + 9 : 36, wide ? 1 : 36, wide ? L + 4 : 18,
                    wide ? 0 : 17, L + 2, label);
    }
    jf_context_destroy(ctx);
}
END_TEST

/* DAGF: the random F = 8 fixture model (tests/data/dagf/), whose pyramid,
 * U-Nets and per-pixel filters at three scales reach farthest through the
 * coarsest level; one pixel in the middle of a square that holds its halo. */
START_TEST(dagf_halo_random_fixture)
{
    jf_context *ctx = jft_context();
    jft_seed(25);
    size_t size = 0;
    uint8_t *data = jft_read_bytes(jft_source_path("tests/data/dagf/dagf_f8_random.safetensors"), &size);
    model_file f = {data, size};
    /* 16-aligned outputs reach farthest on one side; (141, 139) sits at other phases */
    check_model(ctx, f, 3, 283, 281, 141, 139, -1, "dagf f8 random");
    jf_context_destroy(ctx);
}
END_TEST

/* Fan et al.: the random F = 8 fixture model (tests/data/fan/, the copy with
 * a louder output layer): 26 layers, ten dilated residual blocks at 1/2 and a
 * transposed convolution back up reach 254 pixels; probed along a row of
 * pixels (the kernels are square), at an even and an odd pixel (the stride-2
 * grid's two phases). The farthest outputs move by less than float32 resolves
 * after 26 layers: FanNet in double reaches 253 and 254 from these two pixels
 * (tools/train/test_fan.py, test_reach_is_the_halo), in float32 about 250, so
 * the probe asks for 248. */
START_TEST(fan_halo_random_fixture)
{
    jf_context *ctx = jft_context();
    jft_seed(26);
    char label[64];
    for (int px = 270; px <= 271; px++) {
        size_t size = 0;
        uint8_t *data = jft_read_bytes(jft_source_path("tests/data/fan/fan_f8_probe.safetensors"), &size);
        model_file f = {data, size};
        snprintf(label, sizeof label, "fan f8 random, x = %d", px);
        check_model(ctx, f, 3, 541, 1, px, 0, 248, label);
    }
    jf_context_destroy(ctx);
}
END_TEST

/* Tiles cut with the derived halo give the untiled result, also where the
 * deformable window (not the convolutions) decides the halo. */
static void check_tiles(jf_context *ctx, model_file f, int gc, int W, int H, const char *label, double tol)
{
    jf_model *m = NULL;
    ck_assert_msg(jf_model_load_memory(ctx, f.data, f.size, &m) == JF_OK, "%s: %s", label, jf_last_error(ctx));
    free(f.data);
    size_t n = (size_t)W * H;
    float *g = malloc(n * gc * sizeof(float)), *t = malloc(n * sizeof(float));
    float *whole = malloc(n * sizeof(float)), *tiled = malloc(n * sizeof(float));
    jft_fill(g, n * gc, 0.0f, 1.0f);
    jft_fill(t, n, 0.0f, 1.0f);
    jf_image gi = {sizeof(jf_image), W, H, gc, JF_PIXEL_F32, JF_ORDER_RGB, 0, g}, ti = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, t};
    jf_image oa = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, whole}, ob = oa;
    ob.data = tiled;
    ck_assert_msg(jf_model_run(m, &gi, &ti, &oa, NULL) == JF_OK, "%s", jf_last_error(ctx));
    jf_run_options small = {.size = sizeof(jf_run_options), .memory_budget = 1}; /* the smallest tiles */
    ck_assert_msg(jf_tile_size(m, 1) < W, "%s: one tile covers %d pixels", label, W);
    ck_assert_msg(jf_model_run(m, &gi, &ti, &ob, &small) == JF_OK, "%s", jf_last_error(ctx));
    jft_assert_close(tiled, whole, n, tol);
    free(g), free(t), free(whole), free(tiled);
    jf_model_destroy(m);
}

START_TEST(tiles_match_whole_image)
{
    jf_context *ctx = jft_context();
    for (int pass = 0; pass < JFT_TILING_PASSES; pass++) {
        const double tol = jft_tiling_pass(pass);
        jft_seed(24);
        check_tiles(ctx, fdkn_file(3, 63, TAPS_AT_EDGES), 1, 90, 75, "fdkn window 63", tol);
        check_tiles(ctx, fdkn_file(5, 15, TAPS_RANDOM), 1, 90, 75, "fdkn window 15", tol);
        check_tiles(ctx, dkn_file(3, 63, TAPS_AT_EDGES), 3, 100, 1, "dkn window 63", tol);
        check_tiles(ctx, svlrm_file(10), 1, 90, 75, "svlrm 10 layers", tol);
    }
    setenv("JF_CONV", "direct", 1); /* back to main's setting */
    jf_context_destroy(ctx);
}
END_TEST

/* ---- the rule on tables shaped like the coming models (host only) ----------
 * A forward simulation in one dimension: which output pixels a change of one
 * input pixel reaches when every tap of every row is live. Its farthest reach
 * over every phase of the pixel is what the halo must be, exactly. */

#define SIM_LEN 2048
#define SIM_ROWS 64

static int sim_src(const jf_layer *rows, int i, int slot)
{
    int v = rows[i].in[slot];
    if (v == JF_GUIDE || v == JF_TARGET) return v;
    if (v == JF_PREV || (v == 0 && slot == 0)) return i - 1;
    return v > 0 ? v - 1 : -99;
}

static int sim_floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* How far from x the outputs reach that a change at x of `input` moves: each
 * row's outputs are computed from the inputs each reads as the step is
 * defined (a convolution's taps, a fold's block, ...), on a 1-D signal. */
static int simulate(const jf_layer *rows, int n, int input, int x)
{
    static unsigned char hit[SIM_ROWS][SIM_LEN];
    static const unsigned char none[SIM_LEN];
    int len[SIM_ROWS];
    ck_assert_int_le(n, SIM_ROWS);
    memset(hit, 0, sizeof hit);
    unsigned char changed[SIM_LEN] = {0}; /* the changed model input */
    changed[x] = 1;
    for (int i = 0; i < n; i++) {
        const jf_layer *r = &rows[i];
        int s = r->stride > 0 ? r->stride : 1, d = r->dil > 0 ? r->dil : 1;
        int src0 = sim_src(rows, i, 0), in_len = src0 < 0 ? SIM_LEN / 2 : len[src0];
        switch (r->kind) {
        case JF_STEP_CONV: len[i] = (in_len + 2 * r->pad - d * (r->k - 1) - 1) / s + 1; break;
        case JF_STEP_CONV_T: len[i] = (in_len - 1) * s - 2 * r->pad + d * (r->k - 1) + 1; break;
        case JF_STEP_FOLD: len[i] = (in_len + s - 1) / s; break;
        case JF_STEP_UP: len[i] = in_len * s; break;
        case JF_STEP_PAD: len[i] = in_len + r->pad + r->pad_end; break;
        default: len[i] = in_len;
        }
        ck_assert_int_le(len[i], SIM_LEN);
        for (int slot = 0; slot < JF_LAYER_INPUTS; slot++) {
            int src = sim_src(rows, i, slot);
            if (src == -99) continue;
            const unsigned char *v = src >= 0 ? hit[src] : src == input ? changed : none;
            int vlen = src >= 0 ? len[src] : SIM_LEN / 2;
#define LIVE(q) ((q) >= 0 && (q) < vlen && v[q])
            for (int o = 0; o < len[i]; o++) {
                int live = 0;
                switch (r->kind) {
                case JF_STEP_CONV: /* out[o] = sum_t w[t] in[o*s - p + t*d] */
                    for (int t = 0; t < r->k; t++) live |= LIVE(o * s - r->pad + t * d);
                    break;
                case JF_STEP_CONV_T: /* in[q] adds w[t] to out[q*s - p + t*d] */
                    for (int t = 0; t < r->k; t++) {
                        int at = o + r->pad - t * d;
                        if (at % s == 0) live |= LIVE(sim_floor_div(at, s));
                    }
                    break;
                case JF_STEP_FOLD: /* out[o] holds in[o*s .. o*s + s-1] */
                    for (int t = 0; t < s; t++) live |= LIVE(o * s + t);
                    break;
                case JF_STEP_UP: /* out[o] interpolates around in[o/s] */
                    for (int t = -r->reach; t <= r->reach; t++) live |= LIVE(o / s + t);
                    break;
                case JF_STEP_PAD: live = LIVE(o - r->pad); break;
                case JF_STEP_HEADS: live = LIVE(o); break;
                case JF_STEP_LOCAL:
                    for (int t = -r->reach; t <= r->reach; t++) live |= LIVE(o + t);
                    break;
                }
                if (live) hit[i][o] = 1;
            }
#undef LIVE
        }
    }
    int far = -1;
    for (int o = 0; o < len[n - 1]; o++)
        if (hit[n - 1][o] && abs(o - x) > far) far = abs(o - x);
    return far;
}

static int brute_halo(const jf_layer *rows, int n)
{
    int align = jf_spec_align(rows, n), far = 0;
    for (int input = JF_TARGET; input <= JF_GUIDE; input++)
        for (int phase = 0; phase < 2 * align; phase++) {
            int f = simulate(rows, n, input, SIM_LEN / 4 + phase);
            if (f > far) far = f;
        }
    return far;
}

#define CONV(NAME, CIN, COUT, K, S, P, D, SCALE) JF_CONV_ROW(NAME, "", CIN, COUT, K, S, P, D, JF_ACT_RELU, SCALE)

static void expect_rule(const jf_layer *rows, int n, int want, const char *label)
{
    ck_assert_msg(jf_spec_check(NULL, rows, n) == JF_OK, "%s: %s", label, jf_last_error(NULL));
    int halo = jf_spec_halo(rows, n), brute = brute_halo(rows, n);
    ck_assert_msg(halo == brute, "%s: derived halo %d, the forward simulation reaches %d", label, halo, brute);
    if (want >= 0) ck_assert_msg(halo == want, "%s: derived halo %d, %d by hand", label, halo, want);
}

START_TEST(rule_on_coming_models)
{
    /* Fan et al.: a stride-2 conv, 10 dilated residual blocks at 1/2, a transposed conv back up */
    jf_layer fan[40];
    int n = 0;
    fan[n++] = (jf_layer)CONV("down", 1, 32, 3, 2, 1, 1, 1);
    fan[0].in[0] = JF_GUIDE;
    static const int dil[10] = {1, 2, 4, 8, 16, 1, 2, 4, 8, 16};
    for (int b = 0; b < 10; b++) {
        int start = n - 1;
        fan[n++] = (jf_layer)CONV("block.a", 32, 32, 3, 1, dil[b], dil[b], 2);
        fan[n++] = (jf_layer)CONV("block.b", 32, 32, 3, 1, dil[b], dil[b], 2);
        fan[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "block + x", .scale = 2, .in = {JF_PREV, JF_ROW(start)}};
    }
    fan[n++] = (jf_layer){.kind = JF_STEP_CONV_T, .name = "up", .cin = 32, .cout = 1, .k = 4, .stride = 2, .pad = 1,
                          .scale = 2};
    fan[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "+ target", .in = {JF_PREV, JF_TARGET}};
    /* by hand: two convs of reach d per block, 2 x (1+2+4+8+16) x 2 = 124 pixels at
     * 1/2 = 248 at full resolution, plus the strided and transposed ends and the phase */
    expect_rule(fan, n, -1, "fan");
    ck_assert_int_ge(jf_spec_halo(fan, n), 248);
    ck_assert_int_le(jf_spec_halo(fan, n), 248 + 6);
    ck_assert_int_eq(jf_spec_align(fan, n), 2);

    /* DAGF: pyramids by inverse pixel shuffle (1/2, 1/4, 1/8) with 3x3 convs,
     * PReLU, a light U-Net back up with skips, and a per-pixel 3x3 kernel of
     * dilation 2 on the target */
    jf_layer dagf[40];
    n = 0;
    dagf[n++] = (jf_layer){.kind = JF_STEP_FOLD, .name = "g.fold1", .cin = 1, .cout = 4, .stride = 2, .in = {JF_GUIDE}};
    dagf[n++] = (jf_layer)CONV("g.l1", 4, 16, 3, 1, 1, 1, 2); /* 1 */
    dagf[n++] = (jf_layer){.kind = JF_STEP_FOLD, .name = "g.fold2", .cin = 16, .cout = 64, .stride = 2, .scale = 2};
    dagf[n++] = (jf_layer)CONV("g.l2", 64, 32, 3, 1, 1, 1, 4); /* 3 */
    dagf[n++] = (jf_layer){.kind = JF_STEP_FOLD, .name = "g.fold3", .cin = 32, .cout = 128, .stride = 2, .scale = 4};
    dagf[n++] = (jf_layer)CONV("g.l3", 128, 64, 3, 1, 1, 1, 8);
    dagf[n++] = (jf_layer)CONV("g.l3b", 64, 64, 3, 1, 1, 1, 8);
    dagf[n++] = (jf_layer){.kind = JF_STEP_UP, .name = "up3", .stride = 2, .reach = 1, .scale = 8};
    dagf[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "concat skip 2", .scale = 4, .in = {JF_PREV, JF_ROW(3)}};
    dagf[n++] = (jf_layer)CONV("u.l2", 96, 32, 3, 1, 1, 1, 4);
    dagf[n++] = (jf_layer){.kind = JF_STEP_UP, .name = "up2", .stride = 2, .reach = 0, .scale = 4};
    dagf[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "concat skip 1", .scale = 2, .in = {JF_PREV, JF_ROW(1)}};
    dagf[n++] = (jf_layer)CONV("u.l1", 48, 16, 3, 1, 1, 1, 2);
    dagf[n++] = (jf_layer){.kind = JF_STEP_UP, .name = "to full", .stride = 2, .reach = 0, .scale = 2};
    dagf[n++] = (jf_layer)CONV("kernel", 16, 9, 3, 1, 1, 1, 1);
    dagf[n - 1].act = JF_ACT_LEAKY;
    snprintf(dagf[n - 1].prelu, sizeof dagf[n - 1].prelu, "kernel.prelu.weight");
    int kernel = n - 1;
    dagf[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "3x3 taps, dilation 2", .reach = 2, .in = {JF_TARGET}};
    dagf[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "weighted by the kernel", .in = {JF_PREV, JF_ROW(kernel)}};
    expect_rule(dagf, n, -1, "dagf");
    ck_assert_int_eq(jf_spec_align(dagf, n), 8);

    /* Fang: a stride-2 conv, dilated residual blocks, nearest upsampling, then
     * deformable averaging whose offsets are bounded by 4 (+1 for bilinear taps) */
    jf_layer fang[20];
    n = 0;
    fang[n++] = (jf_layer)CONV("down", 1, 32, 3, 2, 1, 1, 1);
    fang[0].in[0] = JF_GUIDE;
    for (int b = 0; b < 3; b++) {
        int start = n - 1;
        fang[n++] = (jf_layer)CONV("block", 32, 32, 3, 1, 2 << b, 2 << b, 2);
        fang[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "+ x", .scale = 2, .in = {JF_PREV, JF_ROW(start)}};
    }
    int up = n;
    fang[n++] = (jf_layer){.kind = JF_STEP_UP, .name = "nearest", .stride = 2, .scale = 2};
    fang[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "taps", .reach = 5, .in = {JF_TARGET}};
    fang[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "averaged", .in = {JF_PREV, JF_ROW(up)}};
    /* a second averaging layer over the first one's output, offsets from the same features */
    fang[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "taps 2", .reach = 5};
    fang[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "averaged 2", .in = {JF_PREV, JF_ROW(up)}};
    expect_rule(fang, n, -1, "fang");

    /* parallel paths take the maximum, a path the sum: a 7-reach window on the
     * target next to five 3x3 layers on the guide gives 7, not 12 */
    jf_layer par[7];
    n = 0;
    for (int i = 0; i < 5; i++) par[n++] = (jf_layer)CONV("g", 1, 1, 3, 1, 1, 1, 1);
    par[0].in[0] = JF_GUIDE;
    par[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "window", .reach = 7, .in = {JF_TARGET}};
    par[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "weighted", .in = {JF_PREV, JF_ROW(4)}};
    expect_rule(par, n, 7, "parallel");
    par[5].reach = 3;
    expect_rule(par, n, 5, "parallel, the convolutions farther");
    /* one row's reach applies to each of its inputs: 5 + 3 */
    par[6].reach = 3;
    par[5].reach = 0;
    expect_rule(par, n, 8, "along the path");
    /* DKN's one pass: 25 before, 24 after through valid convolutions */
    jf_layer dkn[9] = {{.kind = JF_STEP_PAD, .name = "pad", .pad = 25, .pad_end = 24, .in = {JF_GUIDE}},
                       CONV("c1", 3, 1, 7, 1, 0, 1, 1), CONV("c2", 1, 1, 2, 1, 0, 1, 1),
                       CONV("c3", 1, 1, 5, 1, 0, 2, 1), CONV("c4", 1, 1, 2, 1, 0, 2, 1),
                       CONV("c5", 1, 1, 5, 1, 0, 4, 1), CONV("c6", 1, 1, 3, 1, 0, 4, 1),
                       CONV("c7", 1, 1, 3, 1, 0, 4, 1), {.kind = JF_STEP_HEADS, .name = "heads", .cin = 1, .cout = 3}};
    expect_rule(dkn, 9, 25, "dkn one pass");
}
END_TEST

START_TEST(spec_check_names_the_row)
{
    jf_layer rows[3] = {CONV("a", 1, 8, 3, 2, 1, 1, 1), CONV("b", 8, 8, 3, 1, 1, 1, 1),
                        {.kind = JF_STEP_UP, .name = "up", .stride = 2, .scale = 2}};
    rows[0].in[0] = JF_GUIDE;
    /* b runs at 1/1 but a leaves at 1/2 */
    ck_assert_int_eq(jf_spec_check(NULL, rows, 3), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(NULL), "row 1 ('b')"));
    rows[1].scale = 2;
    ck_assert_int_eq(jf_spec_check(NULL, rows, 3), JF_OK);
    rows[2].in[1] = JF_ROW(2); /* itself */
    ck_assert_int_eq(jf_spec_check(NULL, rows, 3), JF_ERR_INVALID_ARGUMENT);
    rows[2].in[1] = 0;
    rows[2].stride = 4; /* 1/2 up by 4 */
    ck_assert_int_eq(jf_spec_check(NULL, rows, 3), JF_ERR_INVALID_ARGUMENT);
    rows[2].stride = 2;
    rows[0].in[0] = JF_PREV; /* the first row must read an input */
    ck_assert_int_eq(jf_spec_check(NULL, rows, 3), JF_ERR_INVALID_ARGUMENT);
}
END_TEST

/* Rows with weights are loaded with their shapes checked, a PReLU slope comes
 * from its tensor, and halo, alignment and planes follow the table. */
START_TEST(spec_build_loads_rows)
{
    jf_context *ctx = jft_context();
    jft_seed(23);
    st_builder b = {0};
    st_meta(&b, "architecture", "none");
    add_conv(&b, "c1", 8, 1, 3, 1);
    add_conv(&b, "c2", 4, 8, 3, 0);
    const float slope = 0.25f;
    const int one[1] = {1};
    st_tensor(&b, "c2.prelu.weight", 1, one, &slope);
    model_file f = st_finish(&b);
    jf_safetensors st;
    char err[256];
    ck_assert_int_eq(jf_st_parse(f.data, f.size, "mem", &st, err, sizeof err), JF_OK);
    jf_layer rows[3] = {JF_CONV_ROW("c1", "c1_bn", 2, 8, 3, 1, 1, 1, JF_ACT_RELU, 1),
                        JF_CONV_ROW("c2", "", 8, 4, 3, 1, 1, 1, JF_ACT_LEAKY, 1),
                        {.kind = JF_STEP_LOCAL, .name = "sum", .cin = 4, .cout = 1, .in = {JF_PREV, JF_GUIDE}}};
    rows[0].in[0] = JF_TARGET;
    snprintf(rows[1].prelu, sizeof rows[1].prelu, "c2.prelu.weight");
    jf_model m = {.ctx = ctx};
    /* c1 is 8 x 1 x 3 x 3 in the file, the table says 8 x 2 */
    ck_assert_int_eq(jf_spec_build(&m, &st, "mem", rows, 3), JF_ERR_BAD_FORMAT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "c1.weight"));
    ck_assert_ptr_null(m.spec.layer);
    rows[0].cin = 1;
    ck_assert_msg(jf_spec_build(&m, &st, "mem", rows, 3) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_float_eq(m.spec.conv[1].slope, 0.25f);
    ck_assert_ptr_nonnull(m.spec.conv[0].weight);
    ck_assert_ptr_null(m.spec.conv[2].weight);
    ck_assert_int_eq(m.halo, 2);
    ck_assert_int_eq(m.align, 1);
    ck_assert_int_eq(m.max_planes, 8);
    ck_assert_double_eq(jf_spec_macs(m.spec.layer, m.spec.n, 10, 5), (8.0 * 9 + 4 * 8 * 9) * 50);
    jf_spec_free(&m.spec);
    jf_st_free(&st);
    free(f.data);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    /* The halo is measured bit for bit (which outputs move at all), so on the
     * direct kernels, where an output depends on its receptive field alone;
     * Winograd's tiles move outputs outside it by float rounding
     * (tiles_match_whole_image checks both, jft_tiling_pass). */
    setenv("JF_CONV", "direct", 1);
    Suite *s = suite_create("halo");
    TCase *rules = tcase_create("rules");
    tcase_add_test(rules, rule_on_coming_models);
    tcase_add_test(rules, spec_check_names_the_row);
    suite_add_tcase(s, rules);
    TCase *models = tcase_create("models");
    tcase_set_timeout(models, 900);
    tcase_add_test(models, spec_build_loads_rows);
    tcase_add_test(models, fdkn_halo_every_kernel_size);
    tcase_add_test(models, dkn_halo_every_kernel_size);
    tcase_add_test(models, svlrm_halo_layer_counts);
    tcase_add_test(models, dagf_halo_random_fixture);
    tcase_add_test(models, fan_halo_random_fixture);
    tcase_add_test(models, tiles_match_whole_image);
    suite_add_tcase(s, models);
    return jft_run_suite(s);
}
