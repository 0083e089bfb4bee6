/* cmd_smooth.c - `jfilter smooth`: one image through a smoothing model (the
 * image is both the guide and the target), colour in, colour out. Joint
 * filtering with the same models goes through `jfilter run`. */
#include "cli_batch.h"

#include <string.h>

static void smooth_help(void)
{
    printf("Usage: jfilter smooth [--model M] [--lambda L] --input I --output O [options]\n"
           "\n"
           "Edge-preserving smoothing of one image with a learned smoother: flat regions\n"
           "flattened, strong edges kept, texture and noise removed. The image guides\n"
           "itself; to filter one image under another (a no-flash photo under its flash\n"
           "twin), give a smoothing model to `jfilter run --guide G --target T`.\n"
           "\n"
           "  --model M      a smoothing model: name (looked up in the weights folders)\n"
           "                 or a .safetensors file; default %s.\n"
           "                 fang_l0, fang_wls, fang_rtv imitate L0 smoothing, weighted\n"
           "                 least squares and relative total variation; fan_smooth is\n"
           "                 trained without ground truth (Fan et al.'s energy)\n"
           "  --lambda L     smoothing strength for models that take one (fang_*), in the\n"
           "                 units of the smoother imitated (L0 0.002..0.2, WLS 0.1..10,\n"
           "                 RTV 0.002..0.05 for the shipped weights); larger is smoother;\n"
           "                 default: the model's own; outside the model's range: an error\n"
           "  --input I      the image: PNG, JPEG, TIFF, PFM or .npy; gray or colour\n"
           "  --output O     result, by extension: .png, .tif/.tiff, .pfm or .npy, with the\n"
           "                 input's channels (gray stays gray, colour stays colour)\n"
           "  --bits B       8, 16 or 32 (float, TIFF only) for a PNG/TIFF output; default:\n"
           "                 the input's own depth\n"
           "  --memory-budget MIB  device memory for intermediate maps (default 1536)\n"
           "  --device D     OpenCL device: index, cpu, gpu or name substring (default:\n"
           "                 $JF_DEVICE, else the best device; see `jfilter devices`)\n"
           "  --quiet        no summary line and no progress bar on stderr (the bar\n"
           "                 is drawn only when stderr is a terminal)\n"
           "Short forms: -m --model, -o --output, -d --device, -q --quiet.\n"
           "\n"
           "Examples:\n"
           "  jfilter smooth --model fang_rtv --lambda 0.01 --input photo.jpg --output flat.png\n"
           "  jfilter smooth --model fan_smooth --input photo.png --output smooth.png\n",
           CLI_DEFAULT_SMOOTH_MODEL);
}

int cmd_smooth(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL, *v;
    int budget_mib = 0;
    cli_run_settings s = {.model_arg = CLI_DEFAULT_SMOOTH_MODEL, .opt = {.size = sizeof(jf_run_options)}};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            smooth_help();
            return 0;
        } else if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "smooth")) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--model"))) s.model_arg = v;
        else if ((v = cli_opt(argc, argv, &i, "--input"))) in_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--output"))) out_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--device"))) s.device = v;
        else if ((v = cli_opt(argc, argv, &i, "--lambda"))) {
            if (cli_parse_lambda(v, &s.opt.lambda)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--memory-budget"))) {
            if (cli_parse_int(v, "--memory-budget", 16, 1 << 20, &budget_mib)) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--bits"))) {
            if (cli_parse_int(v, "--bits", 8, 32, &s.bits) || (s.bits != 8 && s.bits != 16 && s.bits != 32)) {
                fprintf(stderr, "jfilter: --bits must be 8, 16 or 32\n");
                return 2;
            }
        } else if (cli_flag(argv[i], "--quiet")) s.quiet = 1;
        else {
            fprintf(stderr, "jfilter smooth: unknown option '%s' (see jfilter smooth --help)\n", argv[i]);
            return 2;
        }
    }
    if (cli_require("smooth", 2, (const char *const[]){"--input", "--output"},
                    (const char *const[]){in_path, out_path}))
        return 2;
    s.memory_budget = (size_t)budget_mib << 20;
    if (cli_find_model(s.model_arg, s.model_path, sizeof s.model_path)) return 1;

    int rc = 1, bits;
    char why[2048] = "", err[1024];
    cli_image img = {0};
    jf_context *ctx = NULL;
    jf_model *model = NULL;
    if (cli_load_image(in_path, &img, err, sizeof err)) {
        snprintf(why, sizeof why, "input image: %s", err);
        goto done;
    }
    if ((bits = cli_output_bits(out_path, s.bits, img.bit_depth)) < 0) goto done; /* it said why */
    if (cli_open_model(s.device, s.model_path, &ctx, &model)) goto done; /* it said why */
    jf_model_info info = {.size = sizeof(jf_model_info)};
    jf_model_get_info(model, &info);
    if (!info.has_lambda && !info.colour_target) {
        snprintf(why, sizeof why, "%s (%s) is not a smoothing model; it filters a target under a guide: use "
                 "jfilter run", s.model_arg, info.architecture);
        goto done;
    }
    /* the image guides itself */
    if (cli_pair_run(&s, ctx, model, &img, &img, bits, out_path, NULL, cli_progress_callback(s.quiet), why,
                     sizeof why)) goto done;
    if (!s.quiet)
        fprintf(stderr, "jfilter: wrote %s (%dx%d) with %s on %s\n", out_path, img.img.width, img.img.height,
                s.model_path, jf_context_device(ctx)->name);
    rc = 0;
done:
    if (rc && why[0]) fprintf(stderr, "jfilter: %s\n", why);
    jf_model_destroy(model);
    jf_context_destroy(ctx);
    cli_free_image(&img);
    return rc;
}
