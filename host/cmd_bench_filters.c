/* cmd_bench_filters.c - `jfilter bench-filters`: times the classical filters
 * through the public API (host images in and out) on synthetic input and
 * prints one JSON object per filter and size; bench/filters_bench.py puts
 * OpenCV's CPU timings beside them. */
#include "cli_filters.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The filters and the fixed parameters they are timed with (the bench script
 * gives OpenCV the same). */
static const char *const bench_filters[] = {"guided-gray", "guided-color", "fast-guided", "jbf",
                                            "jbu", "bicubic"};
/* ... and those parameters as the JSON "params" field says them (what call() passes) */
static const char *const bench_params[] = {
    "radius 8, eps 0.01", "radius 8, eps 0.01", "radius 8, eps 0.01, s 4",
    "d 9, sigma_color 0.1, sigma_space 4", "1/4-size target, radius 2, sigma_color 0.1, sigma_space 1",
    "1/4-size target, opencv"};
#define NFILTERS (int)(sizeof bench_filters / sizeof bench_filters[0])
_Static_assert(sizeof bench_params == sizeof bench_filters, "one params string per filter");


static void bench_filters_help(void)
{
    printf("Usage: jfilter bench-filters [--filter F[,F...]] [--size WxH]... [--repeat N] [--device D]\n"
           "\n"
           "Times the classical filters through the public API (host float images in and\n"
           "out, so uploads and downloads count) on a synthetic scene, and prints one JSON\n"
           "object per filter and size: filter, params (the fixed parameters below), device,\n"
           "width, height, first_ms (first call: kernel build or cache load included),\n"
           "median_ms and min_ms over N further calls, and repeat (N). Filters and their\n"
           "fixed parameters:\n"
           "  guided-gray    guided filter, gray guide, radius 8, eps 0.01\n"
           "  guided-color   guided filter, colour guide, radius 8, eps 0.01\n"
           "  fast-guided    fast guided filter, colour guide, radius 8, eps 0.01, s 4\n"
           "  jbf            joint bilateral, colour guide, d 9, sigma_color 0.1, sigma_space 4\n"
           "  jbu            JBU from a 1/4-size target, colour guide, radius 2, sigmas 0.1, 1\n"
           "  bicubic        bicubic (OpenCV convention) from a 1/4-size target\n"
           "The target is one gray plane. bench/filters_bench.py runs this beside OpenCV.\n"
           "\n"
           "  --filter F     comma list of the names above (default: all)\n"
           "  --size WxH     image size (default 640x480); may be given several times\n"
           "  --repeat N     timed calls after the first (default 5)\n"
           "  --device D     OpenCL device (see `jfilter devices`)\n"
           "Short form: -d --device.\n"
           "\n"
           "Example:\n"
           "  jfilter bench-filters --filter guided-gray,jbf --size 1920x1080 --repeat 5\n");
}

/* Shaded colour scene with a few sharp-edged shapes and a little noise; the
 * target follows the shapes. Normalized floats. */
static void synth(int w, int h, float *rgb, float *gray, float *target)
{
    unsigned s = 12345u;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            s = s * 1664525u + 1013904223u;
            float noise = ((s >> 8) & 0xffff) / 65535.0f * 0.05f;
            int in1 = x > w / 4 && x < w / 2 && y > h / 3 && y < 2 * h / 3;
            int in2 = (x - 3 * w / 4) * (x - 3 * w / 4) + (y - h / 2) * (y - h / 2) < (h / 5) * (h / 5);
            size_t p = (size_t)y * w + x;
            float r = in1 ? 0.8f : (float)x / w, g = in2 ? 0.7f : (float)y / h, b = in1 || in2 ? 0.2f : 0.5f;
            rgb[3 * p] = r + noise;
            rgb[3 * p + 1] = g + noise;
            rgb[3 * p + 2] = b + noise;
            gray[p] = 0.299f * r + 0.587f * g + 0.114f * b + noise;
            target[p] = (in1 ? 0.3f : in2 ? 0.6f : 0.9f) + noise;
        }
}

static jf_status call(jf_context *ctx, int f, const jf_image *rgb, const jf_image *gray,
                      const jf_image *target, const jf_image *low, jf_image *out)
{
    switch (f) {
    case 0: return jf_guided_filter(ctx, gray, target, out, 8, 0.01f, 1);
    case 1: return jf_guided_filter(ctx, rgb, target, out, 8, 0.01f, 1);
    case 2: return jf_guided_filter(ctx, rgb, target, out, 8, 0.01f, 4);
    case 3: return jf_joint_bilateral(ctx, rgb, target, out, 9, 0.1f, 4.0f);
    case 4: return jf_jbu(ctx, rgb, low, out, 2, 0.1f, 1.0f);
    default: return jf_bicubic(ctx, low, out, JF_BICUBIC_OPENCV);
    }
}

static int bench_size(jf_context *ctx, const int *which, int w, int h, int repeat)
{
    size_t P = (size_t)w * h;
    int lw = (w + 3) / 4, lh = (h + 3) / 4;
    float *rgb = malloc(3 * P * sizeof(float)), *gray = malloc(P * sizeof(float));
    float *tgt = malloc(P * sizeof(float)), *out = malloc(P * sizeof(float));
    float *low = malloc((size_t)lw * lh * sizeof(float));
    double *t = malloc((size_t)(repeat > 0 ? repeat : 1) * sizeof(double));
    int rc = 1;
    if (!rgb || !gray || !tgt || !out || !low || !t) {
        fprintf(stderr, "jfilter: out of memory for %dx%d\n", w, h);
        goto done;
    }
    synth(w, h, rgb, gray, tgt);
    for (int y = 0; y < lh; y++)
        for (int x = 0; x < lw; x++) low[(size_t)y * lw + x] = tgt[(size_t)(y * 4 < h ? y * 4 : h - 1) * w + (x * 4 < w ? x * 4 : w - 1)];
    jf_image irgb = {sizeof(jf_image), w, h, 3, JF_PIXEL_F32, JF_ORDER_RGB, 0, rgb}, igray = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, gray};
    jf_image itgt = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, tgt}, ilow = {sizeof(jf_image), lw, lh, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, low};
    jf_image iout = {sizeof(jf_image), w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    for (int f = 0; f < NFILTERS; f++) {
        if (!which[f]) continue;
        double t0 = cli_now_ms();
        if (call(ctx, f, &irgb, &igray, &itgt, &ilow, &iout) != JF_OK) {
            fprintf(stderr, "jfilter bench-filters: %s at %dx%d: %s\n", bench_filters[f], w, h, jf_last_error(ctx));
            goto done;
        }
        double first = cli_now_ms() - t0;
        for (int i = 0; i < repeat; i++) {
            t0 = cli_now_ms();
            if (call(ctx, f, &irgb, &igray, &itgt, &ilow, &iout) != JF_OK) {
                fprintf(stderr, "jfilter bench-filters: %s: %s\n", bench_filters[f], jf_last_error(ctx));
                goto done;
            }
            t[i] = cli_now_ms() - t0;
        }
        double med = repeat ? cli_median(t, repeat) : first; /* sorts: t[0] is the minimum */
        printf("{\"filter\": \"%s\", \"params\": \"%s\", \"device\": \"%s\", \"width\": %d, \"height\": %d, "
               "\"first_ms\": %.3f, \"median_ms\": %.3f, \"min_ms\": %.3f, \"repeat\": %d}\n",
               bench_filters[f], bench_params[f], jf_context_device(ctx)->name, w, h, first, med,
               repeat ? t[0] : first, repeat);
        fflush(stdout);
    }
    rc = 0;
done:
    free(rgb);
    free(gray);
    free(tgt);
    free(out);
    free(low);
    free(t);
    return rc;
}

int cmd_bench_filters(int argc, char **argv)
{
    int which[NFILTERS], sizes[16][2], nsizes = 0, repeat = 5, any = 0;
    const char *device = NULL, *v;
    for (int f = 0; f < NFILTERS; f++) which[f] = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            bench_filters_help();
            return 0;
        } else if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "bench-filters")) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--device"))) device = v;
        else if ((v = cli_opt(argc, argv, &i, "--repeat"))) {
            if (cli_parse_int(v, "--repeat", 0, 1000, &repeat)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--size"))) {
            if (nsizes == 16 || cli_parse_size(v, 16384, &sizes[nsizes][0], &sizes[nsizes][1])) {
                fprintf(stderr, "jfilter: --size must look like 640x480 (at most 16 sizes, 16384 a side)\n");
                return 2;
            }
            nsizes++;
        } else if ((v = cli_opt(argc, argv, &i, "--filter"))) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s", v);
            for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                int found = 0;
                for (int f = 0; f < NFILTERS; f++)
                    if (!strcmp(tok, bench_filters[f])) which[f] = found = any = 1;
                if (!found) {
                    fprintf(stderr, "jfilter bench-filters: unknown filter '%s' (see --help)\n", tok);
                    return 2;
                }
            }
        } else {
            fprintf(stderr, "jfilter bench-filters: unknown option '%s' (see jfilter bench-filters --help)\n", argv[i]);
            return 2;
        }
    }
    if (!any)
        for (int f = 0; f < NFILTERS; f++) which[f] = 1;
    if (!nsizes) {
        sizes[0][0] = 640;
        sizes[0][1] = 480;
        nsizes = 1;
    }
    jf_context *ctx = NULL;
    if (jf_context_create(&ctx, device) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(NULL));
        return 1;
    }
    int rc = 0;
    for (int s = 0; s < nsizes && !rc; s++) rc = bench_size(ctx, which, sizes[s][0], sizes[s][1], repeat);
    jf_context_destroy(ctx);
    return rc;
}
