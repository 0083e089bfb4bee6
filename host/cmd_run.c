/* cmd_run.c - `jfilter run`: one learned joint filter over one guide/target
 * pair, any image file in and out, depth in its own units (normalised over
 * its valid pixels, holes filled) and the model's conventions checked. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A one-line progress bar on stderr, drawn only when stderr is a terminal. */
static int draw_progress(void *user, int done, int total)
{
    (void)user;
    int width = 40, fill = total > 0 ? done * width / total : width;
    fprintf(stderr, "\r[%.*s%*s] %d/%d", fill, "########################################", width - fill, "", done,
            total);
    if (done >= total) fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

static void run_help(void)
{
    printf("Usage: jfilter run [--model M] --guide G --target T [--scale S] --output O [options]\n"
           "\n"
           "Filters the target image under the guide image with a learned model. The\n"
           "classic job: upsample a low-resolution depth map under its colour image.\n"
           "\n"
           "  --model M      model name (looked up in the weights folders) or a .safetensors\n"
           "                 file; default %s\n"
           "  --guide G      guidance image: PNG, JPEG, TIFF, PFM or .npy; gray, RGB or RGBA\n"
           "  --target T     the image to filter, gray: full size, or low resolution (it is\n"
           "                 upsampled by the model's own convention first); PNG, TIFF,\n"
           "                 PFM or .npy (uint8, uint16, float32, float64), e.g. depth in\n"
           "                 millimetres in a 16-bit PNG\n"
           "  --scale S      the upsampling factor of a low-resolution target; checked\n"
           "                 against the sizes (guide = target x S) and the model's own\n"
           "  --output O     result, by extension: .png (8- or 16-bit), .tif/.tiff (8-,\n"
           "                 16-bit or float32), .pfm or .npy (float32). Integer outputs\n"
           "                 hold the target's own counts (millimetres stay millimetres);\n"
           "                 floats are in normalized units (8-bit / 255, 16-bit / 65535,\n"
           "                 float as is)\n"
           "  --bits B       8, 16 or 32 (float, TIFF only) for a PNG/TIFF output; default:\n"
           "                 8 for an 8-bit target, else 16 (TIFF: float for a float target)\n"
           "\n"
           "Depth in sensor units (the models were trained on depth min-max normalised\n"
           "per image; a sensor gives millimetres over part of the range, with holes):\n"
           "  --invalid V    the value that marks a hole in the target, in its own units\n"
           "                 (default 0, what depth sensors write); nan, a number, or\n"
           "                 none; NaN and inf are holes too (but for --no-normalize\n"
           "                 --invalid none). Holes take no part in the\n"
           "                 normalisation and are filled from valid neighbours under the\n"
           "                 guide before the model sees them\n"
           "  --keep-holes   write the holes back into the output as they were (0, V,\n"
           "                 NaN; NaN is 0 in an 8/16-bit file)\n"
           "  --no-normalize feed the target as its pixel type maps it (8-bit / 255,\n"
           "                 16-bit / 65535) instead of over its valid range; with\n"
           "                 --invalid none this is the behaviour of jfilter 0.1\n"
           "\n"
           "Model conventions:\n"
           "  --degradation D  how a low-resolution target was made: bicubic (default) or\n"
           "                 area (resized, or from a sensor: pixel centres aligned), or\n"
           "                 subsample (every S-th pixel from S-1). A model trained on the\n"
           "                 other kind (SVLRM: subsample) gives a warning\n"
           "  --force        run a model at a scale it was not trained for, and silence\n"
           "                 the degradation warning\n"
           "\n"
           "  --coefficients PREFIX  for models with coefficient maps (SVLRM): also write\n"
           "                 the per-pixel coefficients of output = alpha * guide + beta\n"
           "                 to PREFIX_alpha.npy and PREFIX_beta.npy (they show where the\n"
           "                 guide's structure went)\n"
           "  --memory-budget MIB  device memory for intermediate maps; larger images\n"
           "                 run in overlapping tiles with identical results (default\n"
           "                 1536, which fits a 2 GiB device)\n"
           "  --device D     OpenCL device: index, cpu, gpu or name substring (default:\n"
           "                 $JF_DEVICE, else the best device; see `jfilter devices`)\n"
           "  --quiet        no summary line and no progress bar on stderr\n"
           "\n"
           "Examples:\n"
           "  jfilter run --guide rgb.png --target depth_low.png --scale 8 --output depth.png\n"
           "  jfilter run --model fdkn_x4 --guide rgb.jpg --target depth_mm.png --scale 4 \\\n"
           "              --keep-holes --output depth_mm_x4.png\n",
           CLI_DEFAULT_MODEL);
}

/* --invalid: 0 (default), nan, none or a number, into the run options. */
static int parse_invalid(const char *v, jf_run_options *opt)
{
    if (!strcmp(v, "none")) opt->invalid = JF_INVALID_NONE;
    else if (!strcmp(v, "nan") || !strcmp(v, "NaN")) opt->invalid = JF_INVALID_NAN;
    else {
        char *end = NULL;
        double x = strtod(v, &end);
        if (end == v || *end || !isfinite(x)) {
            fprintf(stderr, "jfilter: --invalid must be a number, nan or none (got '%s')\n", v);
            return -1;
        }
        opt->invalid = x == 0.0 ? JF_INVALID_ZERO : JF_INVALID_VALUE;
        opt->invalid_value = (float)x;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    const char *model_arg = CLI_DEFAULT_MODEL, *guide_path = NULL, *target_path = NULL,
               *out_path = NULL, *device = NULL, *coef_prefix = NULL, *v;
    const char *degradation = NULL;
    int scale = 0, bits = 0, quiet = 0, budget_mib = 0, force = 0;
    /* the CLI's defaults: depth normalised over its valid pixels, 0 marks a hole */
    jf_run_options opt = {.normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_ZERO};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            run_help();
            return 0;
        } else if ((v = cli_opt(argc, argv, &i, "--model"))) model_arg = v;
        else if ((v = cli_opt(argc, argv, &i, "--guide"))) guide_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--target"))) target_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--output"))) out_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--device"))) device = v;
        else if ((v = cli_opt(argc, argv, &i, "--coefficients"))) coef_prefix = v;
        else if ((v = cli_opt(argc, argv, &i, "--memory-budget"))) {
            if (cli_parse_int(v, "--memory-budget", 16, 1 << 20, &budget_mib)) return 2;
        }
        else if ((v = cli_opt(argc, argv, &i, "--scale"))) {
            if (cli_parse_int(v, "--scale", 1, 64, &scale)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--bits"))) {
            if (cli_parse_int(v, "--bits", 8, 32, &bits) || (bits != 8 && bits != 16 && bits != 32)) {
                fprintf(stderr, "jfilter: --bits must be 8, 16 or 32\n");
                return 2;
            }
        } else if ((v = cli_opt(argc, argv, &i, "--invalid"))) {
            if (parse_invalid(v, &opt)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--degradation"))) {
            if (strcmp(v, "bicubic") && strcmp(v, "area") && strcmp(v, "subsample")) {
                fprintf(stderr, "jfilter: --degradation must be bicubic, area or subsample (got '%s')\n", v);
                return 2;
            }
            degradation = v;
        } else if (!strcmp(argv[i], "--keep-holes")) opt.keep_holes = 1;
        else if (!strcmp(argv[i], "--no-normalize")) opt.normalize = JF_NORMALIZE_NONE;
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else {
            fprintf(stderr, "jfilter run: unknown option '%s' (see jfilter run --help)\n", argv[i]);
            return 2;
        }
    }
    if (!guide_path || !target_path || !out_path) {
        fprintf(stderr, "jfilter run: --guide, --target and --output are required (see jfilter run --help)\n");
        return 2;
    }
    char model_path[4096];
    if (cli_find_model(model_arg, model_path, sizeof model_path)) return 1;

    int rc = 1;
    cli_image guide = {0}, target = {0};
    jf_context *ctx = NULL;
    jf_model *model = NULL;
    float *out = NULL, *alpha = NULL, *beta = NULL;
    if (cli_read_image(guide_path, "guide", &guide) || cli_read_image(target_path, "target", &target))
        goto done;
    if ((bits = cli_output_bits(out_path, bits, target.bit_depth)) < 0) goto done;
    if (target.img.channels != 1) {
        fprintf(stderr, "jfilter: target image %s has %d channels; a gray image is needed\n", target_path,
                target.img.channels);
        goto done;
    }
    if (jf_context_create(&ctx, device) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(NULL));
        goto done;
    }
    if (jf_model_load(ctx, model_path, &model) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(ctx));
        goto done;
    }
    int w = guide.img.width, h = guide.img.height;
    jf_model_info info;
    jf_model_get_info(model, &info);
    if (cli_check_conventions(model_arg, &info, w, h, target.img.width, target.img.height, scale, degradation,
                              force))
        goto done;
    out = malloc((size_t)w * h * sizeof(float));
    if (!out) {
        fprintf(stderr, "jfilter: out of memory\n");
        goto done;
    }
    jf_image oimg = {w, h, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    opt.scale = scale;
    opt.memory_budget = (size_t)budget_mib << 20;
    if (!quiet && isatty(STDERR_FILENO)) opt.progress = draw_progress;
    if (coef_prefix) {
        if (!info.coefficients) {
            fprintf(stderr, "jfilter: --coefficients needs an SVLRM model or another that returns "
                    "coefficient maps; %s (%s) returns none\n", model_path, info.architecture);
            goto done;
        }
        alpha = malloc((size_t)w * h * sizeof(float));
        beta = malloc((size_t)w * h * sizeof(float));
        if (!alpha || !beta) {
            fprintf(stderr, "jfilter: out of memory\n");
            goto done;
        }
        opt.alpha = alpha;
        opt.beta = beta;
    }
    if (jf_model_run(model, &guide.img, &target.img, &oimg, &opt) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(ctx));
        goto done;
    }
    if (coef_prefix) {
        char path[4096];
        snprintf(path, sizeof path, "%s_alpha.npy", coef_prefix);
        if (cli_write_plane(path, alpha, w, h, 32)) goto done;
        snprintf(path, sizeof path, "%s_beta.npy", coef_prefix);
        if (cli_write_plane(path, beta, w, h, 32)) goto done;
    }
    if (cli_write_plane(out_path, out, w, h, bits)) goto done;
    if (!quiet)
        fprintf(stderr, "jfilter: wrote %s (%dx%d) with %s on %s\n", out_path, w, h, model_path,
                jf_context_device(ctx)->name);
    rc = 0;
done:
    free(out);
    free(alpha);
    free(beta);
    jf_model_destroy(model);
    jf_context_destroy(ctx);
    cli_free_image(&guide);
    cli_free_image(&target);
    return rc;
}
