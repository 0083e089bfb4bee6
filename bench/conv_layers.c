/* conv_layers.c - per-layer convolution timings: one layer shape (or FDKN's
 * six 3x3 layers and its 1x1 heads at 640x480, the default) through every
 * conv path that applies to it on one device, median of N runs after a
 * warm-up, as Markdown rows with dense-equivalent GFLOP/s
 * (2 x cout x cin x k^2 x ho x wo / time; "-": the path does not take this
 * shape). Built as bench_conv_layers (internal API); see bench/README.md,
 * "Winograd". JF_PROFILE=1 adds the per-kernel split of every path's timed
 * runs (stderr). --paths keeps some columns (an A/B of one kernel needs no others);
 * --min reports the fastest run instead of the median (on a noisy shared machine the
 * minimum moves least between two builds).
 *   bench_conv_layers [--repeat N] [--min] [--paths direct,gemm,pointwise,f2,f4,f6]
 *                     [--layer cin,cout,h,w,pad,dil[,k]]...   (k: 1-9, default 3) */
#include "ops/conv_winograd.h"
#include "ops/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct layer {
    int cin, cout, h, w, pad, dil, k;
} layer;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double time_path(jf_context *ctx, const layer *l, jf_conv_path path, int repeat, int fastest, const char **err)
{
    size_t nw = (size_t)l->cout * l->cin * l->k * l->k;
    float *w = malloc(nw * sizeof(float)), *b = malloc((size_t)l->cout * sizeof(float));
    for (size_t i = 0; i < nw; i++) w[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (int i = 0; i < l->cout; i++) b[i] = 0.01f * i;
    jf_conv conv;
    jf_tensor in = {0}, out = {0};
    jf_workspace ws = {0};
    double ms = -1, t[64];
    int ho = jf_conv_out_size(l->h, l->k, 1, l->pad, l->dil), wo = jf_conv_out_size(l->w, l->k, 1, l->pad, l->dil);
    if (jf_conv_init_path(ctx, &conv, w, b, l->cout, l->cin, l->k, l->k, 1, l->pad, l->dil, JF_ACT_RELU, 0, path) ||
        jf_tensor_alloc(ctx, &in, l->cin, l->h, l->w) || jf_tensor_alloc(ctx, &out, l->cout, ho, wo) ||
        jf_conv_forward(ctx, &conv, &in, &out, &ws) || jf_finish(ctx)) {
        *err = jf_last_error(ctx);
        goto done;
    }
    if (repeat > 64) repeat = 64;
    memset(ctx->prof, 0, sizeof ctx->prof);
    ctx->nprof = 0; /* JF_PROFILE: the steady-state runs only (the first one compiles) */
    for (int r = 0; r < repeat; r++) {
        double t0 = jf_now_ms();
        if (jf_conv_forward(ctx, &conv, &in, &out, &ws) || jf_finish(ctx)) {
            *err = jf_last_error(ctx);
            goto done;
        }
        t[r] = jf_now_ms() - t0;
    }
    qsort(t, (size_t)repeat, sizeof t[0], cmp_double);
    ms = fastest ? t[0] : t[repeat / 2];
    if (ctx->profile) jf_prof_report(ctx);
done:
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_workspace_free(&ws);
    jf_conv_free(&conv);
    free(w);
    free(b);
    return ms;
}

int main(int argc, char **argv)
{
    layer layers[32] = {{16, 32, 120, 160, 1, 1, 3},  {32, 32, 120, 160, 1, 1, 3},  {32, 64, 120, 160, 1, 1, 3},
                        {64, 64, 120, 160, 1, 1, 3},  {64, 128, 120, 160, 1, 1, 3}, {128, 128, 120, 160, 1, 1, 3},
                        {128, 432, 120, 160, 0, 1, 1}};
    static const struct { jf_conv_path path; const char *name, *key; } paths[] = {
        {JF_CONV_DIRECT, "direct", "direct"}, {JF_CONV_GEMM, "gemm", "gemm"},
        {JF_CONV_POINTWISE, "pointwise", "pointwise"}, {JF_CONV_WINOGRAD_F2, "wino F2", "f2"},
        {JF_CONV_WINOGRAD, "wino F4", "f4"}, {JF_CONV_WINOGRAD_F6, "wino F6", "f6"}};
    const int npaths = (int)(sizeof paths / sizeof paths[0]);
    int n = 7, repeat = 5, custom = 0, fastest = 0, keep[6] = {1, 1, 1, 1, 1, 1};
    const char *usage = "usage: %s [--repeat N] [--min] [--paths direct,gemm,pointwise,f2,f4,f6] "
                        "[--layer cin,cout,h,w,pad,dil[,k]]...\n";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--min")) fastest = 1;
        else if (!strcmp(argv[i], "--paths") && i + 1 < argc) {
            const char *list = argv[++i];
            for (int p = 0; p < npaths; p++) {
                const char *hit = strstr(list, paths[p].key);
                const size_t len = strlen(paths[p].key);
                keep[p] = hit && (hit == list || hit[-1] == ',') && (hit[len] == ',' || hit[len] == 0);
            }
        }
        else if (!strcmp(argv[i], "--layer") && i + 1 < argc && n < 32) {
            if (!custom) n = 0, custom = 1;
            layer *l = &layers[n];
            l->k = 3;
            int got = sscanf(argv[++i], "%d,%d,%d,%d,%d,%d,%d", &l->cin, &l->cout, &l->h, &l->w, &l->pad, &l->dil, &l->k);
            if ((got != 6 && got != 7) || l->k < 1 || l->k > 9) {
                fprintf(stderr, "--layer cin,cout,h,w,pad,dil[,k]  (k: 1 to 9, default 3)\n");
                return 2;
            }
            n++;
        } else {
            fprintf(stderr, usage, argv[0]);
            return 2;
        }
    }
    if (repeat < 1) repeat = 1;
    jf_context *ctx = NULL;
    if (jf_context_create(&ctx, getenv("JF_DEVICE")) != JF_OK) {
        fprintf(stderr, "%s\n", jf_last_error(NULL));
        return 1;
    }
    printf("| layer (cin>cout, HxW, pad, dil, k) |");
    for (int p = 0; p < npaths; p++)
        if (keep[p]) printf(" %s ms | GFLOP/s |", paths[p].name);
    printf("\n| --- |");
    for (int p = 0; p < npaths; p++)
        if (keep[p]) printf(" ---: | ---: |");
    printf("\n");
    for (int i = 0; i < n; i++) {
        const layer *l = &layers[i];
        int ho = jf_conv_out_size(l->h, l->k, 1, l->pad, l->dil), wo = jf_conv_out_size(l->w, l->k, 1, l->pad, l->dil);
        double gflop = 2.0 * l->cout * l->cin * l->k * l->k * ho * wo / 1e9;
        printf("| %d>%d, %dx%d, %d, %d, %d |", l->cin, l->cout, l->w, l->h, l->pad, l->dil, l->k);
        for (int p = 0; p < npaths; p++) {
            if (!keep[p]) continue;
            const int wino = jf_conv_winograd_tile(paths[p].path) != 0;
            if ((wino && !jf_conv_winograd_fits(l->k, l->k, 1)) || (paths[p].path == JF_CONV_POINTWISE && !jf_conv_is_pointwise(l->k, l->k, 1, l->pad))) {
                printf(" - | - |");
                continue;
            }
            const char *err = NULL;
            double ms = time_path(ctx, l, paths[p].path, repeat, fastest, &err);
            if (ms < 0) printf(" failed: %s | |", err);
            else printf(" %.2f | %.1f |", ms, gflop / (ms / 1e3));
            fflush(stdout);
        }
        printf("\n");
    }
    jf_context_destroy(ctx);
    return 0;
}
