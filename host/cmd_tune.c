/* cmd_tune.c - `jfilter tune`: measures, ahead of time, the fastest
 * convolution path of every layer shape of the given models on one device
 * (what JF_CONV=auto does at a model's first load) and prints what the
 * device's tuning file now holds. Later runs on that device and driver read
 * the file and take the measured paths without measuring. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define TUNE_MAX_MODELS 16

static void tune_help(void)
{
    printf("Usage: jfilter tune [--model M]... [--device D]\n"
           "\n"
           "Times each convolution path (direct, pointwise, Winograd F(4x4), F(2x2) and\n"
           "F(6x6), im2col + SGEMM) on every layer shape of the models, keeps the fastest in this\n"
           "device's tuning file beside the compiled-kernel cache (JF_CACHE_DIR), and\n"
           "prints the file. Every later run on the device takes the measured paths\n"
           "(results move by float rounding only, within the models' 1e-4 tolerance);\n"
           "shapes already in the file are not measured again. Without tuning, layers\n"
           "take the tuned-parameter table's paths. Takes a few seconds a model.\n"
           "\n"
           "  --model M    model name or .safetensors file (default %s); may be given\n"
           "               several times\n"
           "  --device D   OpenCL device (see `jfilter devices`)\n"
           "Short forms: -m --model, -d --device.\n"
           "\n"
           "Example: jfilter tune --model fdkn_x8 --model dkn_x8\n",
           CLI_DEFAULT_MODEL);
}

/* The file's path codes are jf_conv_path's (src/ops/ops.h); its lines are
 * conv_choose.c's. Both are read here only to show them. */
static const char *path_name(int path)
{
    switch (path) {
    case 1: return "im2col + SGEMM";
    case 2: return "direct";
    case 3: return "Winograd F(4x4)";
    case 4: return "Winograd F(2x2)";
    case 5: return "pointwise";
    case 6: return "Winograd F(6x6)";
    default: return "?";
    }
}

/* The file's lines "cin cout kh kw stride pad dil path" as a table. */
static void print_file(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        printf("(no tuning file: %s)\n", file);
        return;
    }
    printf("%s:\n  layer (cin > cout, kernel, stride, pad, dilation): path\n", file);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        int k[7], p;
        if (sscanf(line, "%d %d %d %d %d %d %d %d", &k[0], &k[1], &k[2], &k[3], &k[4], &k[5], &k[6], &p) == 8)
            printf("  %d > %d, %dx%d, %d, %d, %d: %s\n", k[0], k[1], k[2], k[3], k[4], k[5], k[6], path_name(p));
    }
    fclose(f);
}

int cmd_tune(int argc, char **argv)
{
    const char *models[TUNE_MAX_MODELS], *device = NULL, *v;
    int nmodels = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            tune_help();
            return 0;
        } else if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "tune")) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--model"))) {
            if (nmodels == TUNE_MAX_MODELS) {
                fprintf(stderr, "jfilter tune: at most %d --model options\n", TUNE_MAX_MODELS);
                return 2;
            }
            models[nmodels++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--device"))) device = v;
        else {
            fprintf(stderr, "jfilter tune: unknown option '%s' (see jfilter tune --help)\n", argv[i]);
            return 2;
        }
    }
    if (nmodels == 0) models[nmodels++] = CLI_DEFAULT_MODEL;
    const char *conv = getenv("JF_CONV");
    if (conv && *conv && strcmp(conv, "auto")) {
        fprintf(stderr, "jfilter tune: JF_CONV=%s forces one path; unset it to measure\n", conv);
        return 2;
    }
    const char *cache = getenv("JF_CACHE_DIR");
    if (cache && (!strcmp(cache, "off") || !strcmp(cache, "0"))) {
        fprintf(stderr, "jfilter tune: the cache is off (JF_CACHE_DIR=%s): there is nowhere to keep the paths\n", cache);
        return 1;
    }
    /* the measuring happens as each layer is set up at load (src/ops/conv_choose.c) */
    setenv("JF_CONV", "auto", 1);
    char file[4096] = "";
    for (int m = 0; m < nmodels; m++) {
        char model_path[4096];
        if (cli_find_model(models[m], model_path, sizeof model_path)) return 1;
        double t0 = cli_now_ms();
        jf_context *ctx = NULL;
        jf_model *model = NULL;
        if (cli_open_model(device, model_path, &ctx, &model)) return 1;
        if (jf_context_tuning_file(ctx, file, sizeof file) != JF_OK) file[0] = 0;
        printf("%s: measured on %s in %.1f s\n", models[m], jf_context_device(ctx)->name, (cli_now_ms() - t0) / 1e3);
        jf_model_destroy(model);
        jf_context_destroy(ctx);
    }
    if (!file[0]) {
        fprintf(stderr, "jfilter tune: no cache folder (set JF_CACHE_DIR or HOME): nothing was kept\n");
        return 1;
    }
    print_file(file);
    return 0;
}
