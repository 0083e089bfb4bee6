/* cmd_run.c - `jfilter run`: one learned joint filter over one guide/target
 * pair, any image file in and out, depth in its own units (normalised over
 * its valid pixels, holes filled) and the model's conventions checked. */
#include "cli_batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void run_help(void)
{
    printf("Usage: jfilter run [--model M] --guide G --target T [--scale S] --output O [options]\n"
           "       jfilter run [--model M] --guide 'GLOB' --target 'GLOB' --output-dir D [options]\n"
           "       jfilter run [--model M] --pairs LIST.csv [--output-dir D] [options]\n"
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
           "                 millimetres in a 16-bit PNG. Smoothing models (fang_*) also\n"
           "                 filter a colour target (a no-flash photo under its flash\n"
           "                 twin) and then write a colour output\n"
           "  --lambda L     the smoothing strength of a model that takes one (the lambda\n"
           "                 of the smoother it imitates; a value outside the range the\n"
           "                 model was trained on is an error naming it); default: the\n"
           "                 model's own\n"
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
           "                 $JF_DEVICE, else the best device; see `jfilter devices`);\n"
           "                 all: every device at once (batch runs)\n"
           "  --quiet        no summary line and no progress bar on stderr\n"
           "Short forms: -m --model, -g --guide, -t --target, -o --output, -d --device,\n"
           "-q --quiet.\n"
           "\n"
           "Batch runs, a folder of pairs through one model (every option above applies\n"
           "to each pair):\n"
           "  --output-dir D  run every pair of the --guide and --target patterns (quote\n"
           "                 them: jfilter expands them, glob(3)) and write D/<target\n"
           "                 stem>.png (.npy for a .npy or .pfm target). A guide and a\n"
           "                 target pair when their stems (the name less its last\n"
           "                 extension) are equal once the suffixes below are stripped:\n"
           "                 the rule of Python's jfilter.match_pairs. Files without a\n"
           "                 partner are reported and left out\n"
           "  --guide-suffix S, --target-suffix S  stripped from the end of the stems\n"
           "                 before matching (rgb/0001_color.png, depth/0001_depth.png)\n"
           "  --output-suffix X  the outputs' extension: .png, .npy, .tif or .pfm\n"
           "  --pairs LIST   a CSV list instead of patterns: guide,target[,output] rows\n"
           "                 (paths as from the current folder; an optional header row\n"
           "                 guide,target,output; # comments). Rows without an output\n"
           "                 write into --output-dir as above\n"
           "  --skip-existing  leave out pairs whose output exists (resume a batch)\n"
           "  A failing pair is reported (its file and the reason) and the others go on;\n"
           "  a progress line with pairs/s is drawn when stderr is a terminal, and a\n"
           "  summary line (done, skipped, failed, pairs/s) ends the run. Exit status 1\n"
           "  when any pair failed, else 0. Outputs are written atomically.\n"
           "\n"
           "Examples:\n"
           "  jfilter run --guide rgb.png --target depth_low.png --scale 8 --output depth.png\n"
           "  jfilter run --model fdkn_x4 --guide rgb.jpg --target depth_mm.png --scale 4 \\\n"
           "              --keep-holes --output depth_mm_x4.png\n"
           "  jfilter run --guide 'rgb/*.png' --target 'depth/*.png' --target-suffix _depth \\\n"
           "              --scale 8 --device all --skip-existing --output-dir out/\n"
           "  jfilter run --pairs list.csv --output-dir out/ --output-suffix .npy\n",
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

/* A batch run (--output-dir or --pairs): list the pairs, then run them. */
static int run_batch(const cli_run_settings *s, const char *guide, const char *target, const char *pairs_csv,
                     const cli_pairing *p, int skip_existing)
{
    if (p->output_suffix) {
        char probe[64];
        snprintf(probe, sizeof probe, "out%s", p->output_suffix);
        if (p->output_suffix[0] != '.' || cli_output_bits(probe, s->bits, 16) < 0) {
            fprintf(stderr, "jfilter: --output-suffix is an extension that can be written: .png, .npy, .tif, "
                    ".pfm (got '%s')\n", p->output_suffix);
            return 2;
        }
    }
    cli_jobs jobs = {0};
    int listed = pairs_csv ? cli_pairs_from_csv(pairs_csv, p, &jobs) : cli_pairs_from_globs(guide, target, p, &jobs);
    if (listed || cli_pairs_check_outputs(&jobs)) {
        cli_jobs_free(&jobs);
        return 2;
    }
    int rc = cli_batch_run(s, s->device, skip_existing, &jobs);
    cli_jobs_free(&jobs);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    const char *guide_path = NULL, *target_path = NULL, *out_path = NULL, *coef_prefix = NULL, *v;
    const char *pairs_csv = NULL;
    int budget_mib = 0, skip_existing = 0;
    cli_pairing pairing = {.guide_suffix = "", .target_suffix = ""};
    /* the CLI's defaults: depth normalised over its valid pixels, 0 marks a hole */
    cli_run_settings s = {.model_arg = CLI_DEFAULT_MODEL,
                          .opt = {.size = sizeof(jf_run_options), .normalize = JF_NORMALIZE_VALID,
                                  .invalid = JF_INVALID_ZERO}};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            run_help();
            return 0;
        } else if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "run")) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--model"))) s.model_arg = v;
        else if ((v = cli_opt(argc, argv, &i, "--guide-suffix"))) pairing.guide_suffix = v;
        else if ((v = cli_opt(argc, argv, &i, "--target-suffix"))) pairing.target_suffix = v;
        else if ((v = cli_opt(argc, argv, &i, "--output-suffix"))) pairing.output_suffix = v;
        else if ((v = cli_opt(argc, argv, &i, "--output-dir"))) pairing.output_dir = v;
        else if ((v = cli_opt(argc, argv, &i, "--pairs"))) pairs_csv = v;
        else if ((v = cli_opt(argc, argv, &i, "--guide"))) guide_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--target"))) target_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--output"))) out_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--device"))) s.device = v;
        else if ((v = cli_opt(argc, argv, &i, "--coefficients"))) coef_prefix = v;
        else if ((v = cli_opt(argc, argv, &i, "--memory-budget"))) {
            if (cli_parse_int(v, "--memory-budget", 16, 1 << 20, &budget_mib)) return 2;
        }
        else if ((v = cli_opt(argc, argv, &i, "--scale"))) {
            if (cli_parse_int(v, "--scale", 1, 64, &s.scale)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--bits"))) {
            if (cli_parse_int(v, "--bits", 8, 32, &s.bits) || (s.bits != 8 && s.bits != 16 && s.bits != 32)) {
                fprintf(stderr, "jfilter: --bits must be 8, 16 or 32\n");
                return 2;
            }
        } else if ((v = cli_opt(argc, argv, &i, "--invalid"))) {
            if (parse_invalid(v, &s.opt)) return 2;
            s.depth_explicit = 1;
        } else if ((v = cli_opt(argc, argv, &i, "--degradation"))) {
            if (strcmp(v, "bicubic") && strcmp(v, "area") && strcmp(v, "subsample")) {
                fprintf(stderr, "jfilter: --degradation must be bicubic, area or subsample (got '%s')\n", v);
                return 2;
            }
            s.degradation = v;
        } else if ((v = cli_opt(argc, argv, &i, "--lambda"))) {
            if (cli_parse_lambda(v, &s.opt.lambda)) return 2;
        } else if (!strcmp(argv[i], "--keep-holes")) s.opt.keep_holes = s.depth_explicit = 1;
        else if (!strcmp(argv[i], "--no-normalize")) {
            s.opt.normalize = JF_NORMALIZE_NONE;
            s.depth_explicit = 1;
        }
        else if (!strcmp(argv[i], "--force")) s.force = 1;
        else if (!strcmp(argv[i], "--skip-existing")) skip_existing = 1;
        else if (cli_flag(argv[i], "--quiet")) s.quiet = 1;
        else {
            fprintf(stderr, "jfilter run: unknown option '%s' (see jfilter run --help)\n", argv[i]);
            return 2;
        }
    }
    s.memory_budget = (size_t)budget_mib << 20;
    int batch = pairing.output_dir || pairs_csv;
    if (batch) {
        const char *clash = out_path ? "--output" : coef_prefix ? "--coefficients"
                          : pairs_csv && (guide_path || target_path) ? "--guide/--target" : NULL;
        if (clash) {
            fprintf(stderr, "jfilter run: a batch run (--output-dir%s) takes no %s (see jfilter run --help)\n",
                    pairs_csv ? " or --pairs" : "", clash);
            return 2;
        }
        if (!pairs_csv && (!guide_path || !target_path)) {
            fprintf(stderr, "jfilter run: a batch run needs --guide and --target patterns, or --pairs LIST "
                    "(see jfilter run --help)\n");
            return 2;
        }
    } else if (cli_require("run", 3, (const char *const[]){"--guide", "--target", "--output"},
                           (const char *const[]){guide_path, target_path, out_path})) {
        return 2;
    }
    if (cli_find_model(s.model_arg, s.model_path, sizeof s.model_path)) return 1;
    if (batch) return run_batch(&s, guide_path, target_path, pairs_csv, &pairing, skip_existing);
    /* one pair; --device all means the best device here */
    if (s.device && !strcmp(s.device, "all")) s.device = NULL;

    int rc = 1, bits;
    char why[2048] = "";
    cli_image guide = {0}, target = {0};
    jf_context *ctx = NULL;
    jf_model *model = NULL;
    if (cli_pair_load(&s, guide_path, target_path, out_path, &guide, &target, &bits, why, sizeof why))
        goto done;
    if (cli_open_model(s.device, s.model_path, &ctx, &model)) goto done; /* it said why */
    if (cli_pair_run(&s, ctx, model, &guide, &target, bits, out_path, coef_prefix,
                     cli_progress_callback(s.quiet), why, sizeof why))
        goto done;
    if (!s.quiet)
        fprintf(stderr, "jfilter: wrote %s (%dx%d) with %s on %s\n", out_path, guide.img.width, guide.img.height,
                s.model_path, jf_context_device(ctx)->name);
    rc = 0;
done:
    if (rc && why[0]) fprintf(stderr, "jfilter: %s\n", why);
    jf_model_destroy(model);
    jf_context_destroy(ctx);
    cli_free_image(&guide);
    cli_free_image(&target);
    return rc;
}
