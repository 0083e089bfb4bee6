/* cmd_bench.c - `jfilter bench`: times a model on synthetic input of a given
 * size and prints one JSON object per line: the first run (context, kernel
 * compile or cache load, weight upload) apart from the steady-state median. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>


static void bench_help(void)
{
    printf("Usage: jfilter bench [--model M] [--size WxH] [--repeat N] [--scale S] [--device D]\n"
           "\n"
           "Times a model on a synthetic guide/target pair and prints one JSON object per\n"
           "line with: model, architecture, device, width, height, scale, first_ms (context,\n"
           "kernel compile or cache load, weight upload and the first run), compile_ms,\n"
           "programs_from_cache, median_ms and min_ms over N steady-state runs, gflop per\n"
           "run (gflop_reference: the published schedule's, e.g. DKN's 16 shifted passes),\n"
           "the achieved gflops and peak_device_mib (the most device memory jfilter's\n"
           "buffers held: weights, tensors, workspaces; images used in place not counted).\n"
           "\n"
           "  --model M    model name or .safetensors file (default %s)\n"
           "  --size WxH   guide size (default 640x480); may be given several times\n"
           "  --repeat N   steady-state runs (default 5)\n"
           "  --scale S    low-resolution target = guide / S (default: the model's scale)\n"
           "  --device D   OpenCL device (see `jfilter devices`)\n"
           "Short forms: -m --model, -d --device.\n",
           CLI_DEFAULT_MODEL);
}

/* A smooth synthetic scene: shaded guide with edges, a target that follows them. */
static void synth(int w, int h, unsigned char *rgb, int tw, int th, unsigned short *depth)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int inside = (x > w / 4 && x < 3 * w / 4 && y > h / 3 && y < 5 * h / 6);
            unsigned char *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (unsigned char)(inside ? 200 : (x * 255) / w);
            p[1] = (unsigned char)((y * 255) / h);
            p[2] = (unsigned char)(inside ? 60 : 128 + ((x ^ y) & 31));
        }
    for (int y = 0; y < th; y++)
        for (int x = 0; x < tw; x++) {
            int inside = (x > tw / 4 && x < 3 * tw / 4 && y > th / 3 && y < 5 * th / 6);
            depth[(size_t)y * tw + x] = (unsigned short)(inside ? 20000 : 40000 + 200 * (y % 50));
        }
}

static int bench_one(const char *model_path, const char *model_name, const char *device, int w, int h,
                     int scale_opt, int repeat)
{
    int rc = 1;
    double t0 = cli_now_ms();
    jf_context *ctx = NULL;
    jf_model *model = NULL;
    unsigned char *rgb = NULL;
    unsigned short *depth = NULL;
    float *out = NULL;
    double *times = NULL;
    jf_device_memory_stats(NULL, NULL, 1); /* the peak from here: this context and model */
    if (cli_open_model(device, model_path, &ctx, &model)) return 1;
    jf_model_info info = {.size = sizeof(jf_model_info)};
    jf_model_get_info(model, &info);
    int scale = scale_opt > 0 ? scale_opt : info.scale > 0 ? info.scale : 1;
    int tw = (w + scale - 1) / scale, th = (h + scale - 1) / scale;
    int smoother = info.colour_target && !info.gray_target; /* the colour guide is its own target */
    rgb = malloc((size_t)w * h * 3);
    depth = malloc((size_t)tw * th * sizeof *depth);
    out = malloc((size_t)w * h * (smoother ? 3 : 1) * sizeof *out);
    times = malloc((size_t)(repeat > 0 ? repeat : 1) * sizeof *times);
    if (!rgb || !depth || !out || !times) {
        fprintf(stderr, "jfilter: out of memory\n");
        goto done;
    }
    synth(w, h, rgb, tw, th, depth);
    jf_image g = {sizeof(jf_image), w, h, 3, JF_PIXEL_U8, JF_ORDER_RGB, 0, rgb};
    jf_image t = {sizeof(jf_image), tw, th, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, depth};
    jf_image o = {sizeof(jf_image), w, h, smoother ? 3 : 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    if (smoother) t = g;
    if (jf_model_run(model, &g, &t, &o, NULL) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(ctx));
        goto done;
    }
    double first = cli_now_ms() - t0;
    for (int i = 0; i < repeat; i++) {
        double s = cli_now_ms();
        if (jf_model_run(model, &g, &t, &o, NULL) != JF_OK) {
            fprintf(stderr, "jfilter: %s\n", jf_last_error(ctx));
            goto done;
        }
        times[i] = cli_now_ms() - s;
    }
    double median = repeat ? cli_median(times, repeat) : first; /* sorts: times[0] is the minimum */
    double flops = 0, flops_ref = 0;
    jf_model_flops(model, w, h, &flops);
    jf_model_flops_reference(model, w, h, &flops_ref);
    jf_context_stats stats;
    jf_context_get_stats(ctx, &stats);
    size_t peak_bytes = 0;
    jf_device_memory_stats(NULL, &peak_bytes, 0);
    printf("{\"model\": \"%s\", \"architecture\": \"%s\", \"device\": \"%s\", \"width\": %d, \"height\": %d, "
           "\"scale\": %d, \"first_ms\": %.1f, \"compile_ms\": %.1f, \"programs_from_cache\": %d, "
           "\"repeat\": %d, \"median_ms\": %.1f, \"min_ms\": %.1f, \"gflop\": %.3f, \"gflop_reference\": %.3f, "
           "\"gflops\": %.2f, \"peak_device_mib\": %.1f}\n",
           model_name, info.architecture, jf_context_device(ctx)->name, w, h, scale, first, stats.compile_ms,
           stats.programs_from_cache, repeat, median, repeat ? times[0] : first, flops / 1e9, flops_ref / 1e9,
           median > 0 ? flops / 1e6 / median : 0.0, peak_bytes / 1048576.0);
    fflush(stdout);
    rc = 0;
done:
    free(rgb);
    free(depth);
    free(out);
    free(times);
    jf_model_destroy(model);
    jf_context_destroy(ctx);
    return rc;
}

int cli_bench_parse(int argc, char **argv, cli_bench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->model = CLI_DEFAULT_MODEL;
    o->repeat = 5;
    const char *v;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            bench_help();
            return -1;
        } else if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "bench")) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--model"))) o->model = v;
        else if ((v = cli_opt(argc, argv, &i, "--device"))) o->device = v;
        else if ((v = cli_opt(argc, argv, &i, "--repeat"))) {
            if (cli_parse_int(v, "--repeat", 0, 10000, &o->repeat)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--scale"))) {
            if (cli_parse_int(v, "--scale", 1, 64, &o->scale)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--size"))) {
            if (o->nsizes >= 16 ||
                cli_parse_size(v, 16384, &o->sizes[o->nsizes][0], &o->sizes[o->nsizes][1])) {
                fprintf(stderr, "jfilter: --size must look like 640x480 (at most 16 sizes, 16384 a side)\n");
                return 2;
            }
            o->nsizes++;
        } else {
            fprintf(stderr, "jfilter bench: unknown option '%s' (see jfilter bench --help)\n", argv[i]);
            return 2;
        }
    }
    if (o->nsizes == 0) {
        o->sizes[0][0] = 640;
        o->sizes[0][1] = 480;
        o->nsizes = 1;
    }
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    cli_bench_opts o;
    int prc = cli_bench_parse(argc, argv, &o);
    if (prc) return prc < 0 ? 0 : prc;
    char model_path[4096];
    if (cli_find_model(o.model, model_path, sizeof model_path)) return 1;
    for (int i = 0; i < o.nsizes; i++)
        if (bench_one(model_path, o.model, o.device, o.sizes[i][0], o.sizes[i][1], o.scale, o.repeat))
            return 1;
    return 0;
}
