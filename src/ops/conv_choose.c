/* conv_choose.c - JF_CONV=auto: each new layer shape's convolution path
 * chosen by measurement. At jf_conv_init, a shape (cin, cout, kh, kw,
 * stride, pad, dil) the context has not seen runs on a probe image with each
 * candidate path (direct, im2col + SGEMM, for the stride-1 square layers
 * Winograd takes F(2x2), F(4x4) and F(6x6), for 1x1 layers the pointwise kernel),
 * the fastest of a few runs wins, and the winner is kept in the context's table and in a file beside the compiled
 * programs (one per device, driver and kernel source: a changed kernel
 * measures again), so later processes skip the measuring. Measuring is
 * opt-in (JF_CONV=auto, or `jfilter tune` ahead of time) because the first
 * load of a model measures for seconds; without JF_CONV, a layer whose shape
 * the file holds takes the measured path (jf_conv_measured), any other the
 * tuning table's. Every path computes the same convolution within the
 * conformance tolerance, so the choice changes speed only. */
#include "ops/conv_winograd.h"
#include "ops/ops.h"
#include "runtime/cl_sources.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define JF_PROBE_SIZE 128 /* probe image side: the order of a model layer's map (FDKN 640x480: 160x120) */
#define JF_PROBE_RUNS 3   /* timed runs per candidate after a warm-up (which also builds the kernels) */

int jf_conv_auto(void)
{
    const char *env = getenv("JF_CONV");
    return env && !strcmp(env, "auto");
}

static uint64_t jf_fnv(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xffu) * 1099511628211ull; /* a field separator */
}

/* The choices file of this device, driver and set of conv kernels; 0 when caching is off. */
static int jf_choice_file(const jf_context *ctx, char *path, size_t len)
{
    char dir[4096];
    const char *d = jf_cache_dir(dir, sizeof dir);
    if (!*d) return 0;
    uint64_t key = 1469598103934665603ull;
    key = jf_fnv(key, ctx->info.platform);
    key = jf_fnv(key, ctx->info.name);
    key = jf_fnv(key, ctx->info.driver_version);
    key = jf_fnv(key, ctx->build_options);
    for (const jf_cl_source *s = jf_cl_sources; s->name; s++)
        if (!strcmp(s->name, "conv.cl") || !strcmp(s->name, "conv_direct.cl") ||
            !strcmp(s->name, "conv_pointwise.cl") || !strcmp(s->name, "winograd.cl"))
            key = jf_fnv(key, s->sha256);
    key = jf_fnv(key, jf_cl_common.sha256);
    snprintf(path, len, "%s/conv-paths-%016llx.txt", d, (unsigned long long)key);
    return 1;
}

static int jf_choice_find(const jf_context *ctx, const int *key)
{
    for (int i = 0; i < ctx->nconv_choices; i++)
        if (!memcmp(ctx->conv_choices[i].key, key, sizeof ctx->conv_choices[i].key)) return ctx->conv_choices[i].path;
    return JF_CONV_DEFAULT;
}

static void jf_choice_add(jf_context *ctx, const int *key, int path)
{
    if (ctx->nconv_choices == JF_MAX_CONV_CHOICES) return; /* a full table measures again: speed only */
    memcpy(ctx->conv_choices[ctx->nconv_choices].key, key, sizeof ctx->conv_choices[0].key);
    ctx->conv_choices[ctx->nconv_choices++].path = path;
}

/* Lines "cin cout kh kw stride pad dil path"; anything else is skipped. */
static void jf_choices_load(jf_context *ctx)
{
    char path[4200], line[256];
    ctx->conv_choices_loaded = 1;
    if (!jf_choice_file(ctx, path, sizeof path)) return;
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        int k[7], p;
        if (sscanf(line, "%d %d %d %d %d %d %d %d", &k[0], &k[1], &k[2], &k[3], &k[4], &k[5], &k[6], &p) == 8 &&
            p >= JF_CONV_GEMM && p <= JF_CONV_WINOGRAD_F6 && jf_choice_find(ctx, k) == JF_CONV_DEFAULT)
            jf_choice_add(ctx, k, p);
    }
    fclose(f);
}

static void jf_choice_store(const jf_context *ctx, const int *k, int p)
{
    char path[4200];
    if (!jf_choice_file(ctx, path, sizeof path)) return;
    char dir[4096];
    mkdir(jf_cache_dir(dir, sizeof dir), 0755); /* usually there already (the programs); failures cost speed only */
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%d %d %d %d %d %d %d %d\n", k[0], k[1], k[2], k[3], k[4], k[5], k[6], p);
    fclose(f);
}

/* Best of JF_PROBE_RUNS runs in ms, or -1 when the path fails (out of memory, no build). */
static double jf_probe(jf_context *ctx, const float *weight, int cout, int cin, int kh, int kw, int stride, int pad,
                       int dil, jf_conv_path path, const jf_tensor *in, double give_up_ms)
{
    jf_conv conv;
    jf_workspace ws = {0};
    jf_tensor out = {0};
    double best = -1;
    int ho = jf_conv_out_size(in->h, kh, stride, pad, dil), wo = jf_conv_out_size(in->w, kw, stride, pad, dil);
    if (jf_conv_init_path(ctx, &conv, weight, NULL, cout, cin, kh, kw, stride, pad, dil, JF_ACT_RELU, 0, path) !=
        JF_OK)
        return -1;
    if (jf_tensor_alloc(ctx, &out, cout, ho, wo) == JF_OK && jf_conv_forward(ctx, &conv, in, &out, &ws) == JF_OK &&
        jf_finish(ctx) == JF_OK) {
        for (int r = 0; r < JF_PROBE_RUNS; r++) {
            double t0 = jf_now_ms();
            if (jf_conv_forward(ctx, &conv, in, &out, &ws) != JF_OK || jf_finish(ctx) != JF_OK) {
                best = -1;
                break;
            }
            double ms = jf_now_ms() - t0;
            if (best < 0 || ms < best) best = ms;
            if (give_up_ms > 0 && ms > 2 * give_up_ms) break; /* clearly slower: no more runs */
        }
    }
    jf_tensor_free(&out);
    jf_workspace_free(&ws);
    jf_conv_free(&conv);
    return best;
}

jf_conv_path jf_conv_measured(jf_context *ctx, int cout, int cin, int kh, int kw, int stride, int pad, int dil)
{
    const int key[7] = {cin, cout, kh, kw, stride, pad, dil};
    if (!ctx->conv_choices_loaded) jf_choices_load(ctx);
    return (jf_conv_path)jf_choice_find(ctx, key);
}

jf_status jf_context_tuning_file(const jf_context *ctx, char *path, size_t len)
{
    if (!ctx || !path || len == 0)
        return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_context_tuning_file: NULL argument or len 0");
    char buf[4200];
    if (!jf_choice_file(ctx, buf, sizeof buf)) buf[0] = 0;
    const size_t n = strlen(buf);
    if (n >= len)
        return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_context_tuning_file: the path needs %zu bytes, %zu given",
                       n + 1, len);
    memcpy(path, buf, n + 1);
    return JF_OK;
}

jf_conv_path jf_conv_choose(jf_context *ctx, const float *weight, int cout, int cin, int kh, int kw, int stride,
                            int pad, int dil)
{
    const int key[7] = {cin, cout, kh, kw, stride, pad, dil};
    const jf_conv_path table = ctx->tune.conv_direct ? JF_CONV_DIRECT : JF_CONV_GEMM;
    if (!ctx->conv_choices_loaded) jf_choices_load(ctx);
    int known = jf_choice_find(ctx, key);
    if (known != JF_CONV_DEFAULT) return (jf_conv_path)known;
    /* the probe: JF_PROBE_SIZE^2 outputs (at least one for a large kernel) */
    int span_y = dil * (kh - 1) + 1 - 2 * pad, span_x = dil * (kw - 1) + 1 - 2 * pad;
    int h = (JF_PROBE_SIZE - 1) * stride + (span_y > 1 ? span_y : 1), w = (JF_PROBE_SIZE - 1) * stride + (span_x > 1 ? span_x : 1);
    size_t n = (size_t)cin * h * w;
    float *x = jf_malloc(n * sizeof(float));
    jf_tensor in = {0};
    if (!x) return table;
    for (size_t i = 0; i < n; i++) x[i] = (float)(i % 251) / 251.0f - 0.5f;
    jf_status st = jf_tensor_alloc(ctx, &in, cin, h, w);
    if (st == JF_OK) st = jf_tensor_upload(ctx, &in, x);
    free(x);
    jf_conv_path best = table;
    if (st == JF_OK) {
        const jf_conv_path cands[] = {JF_CONV_DIRECT,      JF_CONV_POINTWISE,   JF_CONV_WINOGRAD,
                                      JF_CONV_WINOGRAD_F2, JF_CONV_WINOGRAD_F6, JF_CONV_GEMM};
        double best_ms = -1;
        for (int i = 0; i < (int)(sizeof cands / sizeof cands[0]); i++) {
            if (jf_conv_winograd_tile(cands[i]) && !jf_conv_winograd_fits(kh, kw, stride))
                continue;
            if (cands[i] == JF_CONV_POINTWISE && !jf_conv_is_pointwise(kh, kw, stride, pad)) continue;
            double ms = jf_probe(ctx, weight, cout, cin, kh, kw, stride, pad, dil, cands[i], &in, best_ms);
            if (ms >= 0 && (best_ms < 0 || ms < best_ms)) best_ms = ms, best = cands[i];
        }
        jf_choice_add(ctx, key, best);
        jf_choice_store(ctx, key, best);
    }
    jf_tensor_free(&in);
    return best;
}
