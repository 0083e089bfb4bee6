/* cmd_filters.c - `jfilter guided`, `jbf`, `jbu` and `bicubic`: the
 * classical joint filters over one guide/target pair, any image file in and out. */
#include "cli_filters.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"guided", "jbf", "jbu", "bicubic"};

static const char common_help[] =
    "  --output O          result, by extension: .png (8- or 16-bit), .tif/.tiff (8-,\n"
    "                      16-bit or float32), .pfm or .npy (float32); floats are in\n"
    "                      normalized units (8-bit / 255, 16-bit / 65535, float as\n"
    "                      is); a colour target gives an RGB result\n"
    "  --bits B            8, 16 or 32 (float, TIFF only) for a PNG/TIFF output;\n"
    "                      default: 8 for an 8-bit target, else 16 (TIFF: float for a\n"
    "                      float target), so no precision is lost silently\n"
    "  --device D          OpenCL device: index, cpu, gpu or name substring (default:\n"
    "                      $JF_DEVICE, else the best device; see `jfilter devices`)\n"
    "  --quiet             no summary line on stderr\n"
    "Short forms: -g --guide, -t --target, -o --output, -d --device, -q --quiet.\n"
    "\n"
    "Images: PNG (8/16-bit gray, gray+alpha, RGB, RGBA; alpha ignored), JPEG, TIFF\n"
    "(8/16-bit or float), PFM, or .npy (uint8, uint16, float32, float64; HxW or HxWxC);\n"
    "integer samples mean the same in every format (8-bit / 255, 16-bit / 65535),\n"
    "floats are taken as they are. A colour target (e.g. an RGB no-flash photo under\n"
    "its flash guide) is filtered channel by channel under the same guide.\n";

static void help(cli_filter_kind k)
{
    switch (k) {
    case F_GUIDED:
        printf("Usage: jfilter guided --guide G --target T [--radius R] [--eps E] [--fast S] --output O\n"
               "\n"
               "Guided filter (He, Sun, Tang 2010): in every (2R+1)x(2R+1) window the output is\n"
               "a linear function of the guide, q = a*I + b, fitted to the target by least\n"
               "squares with a penalty eps on a. Edges of the guide stronger than about\n"
               "sqrt(eps) are kept in the output; flatter regions are smoothed like a box\n"
               "filter. A colour guide fits a*I per channel (a 3x3 covariance per pixel),\n"
               "which keeps edges between colours of equal brightness. The window means\n"
               "mirror the image at its borders (OpenCV's BORDER_REFLECT), so the result\n"
               "matches cv2.ximgproc.guidedFilter.\n"
               "\n"
               "  --guide G           guidance image, gray or colour, the target's size\n"
               "  --target T          the image to filter (gray or colour)\n"
               "  --radius R          window radius in pixels (default 8)\n"
               "  --eps E             regularization in normalized intensity units squared,\n"
               "                      >= 0 (default 0.01 = 0.1^2; OpenCV's eps on 8-bit images\n"
               "                      is E x 255^2, e.g. 0.01 -> 650.25)\n"
               "  --fast S            fast guided filter (He, Sun 2015): fit the coefficients\n"
               "                      at 1/S resolution with radius R/S and upsample them;\n"
               "                      about S^2 fewer operations, a small error (default 1 =\n"
               "                      the exact filter; 2..64)\n"
               "  --memory-budget MIB device memory for the filter's maps; larger images run\n"
               "                      in overlapping tiles with the same result (default\n"
               "                      1536, which fits a 2 GiB device)\n"
               "%s"
               "\n"
               "Example:\n"
               "  jfilter guided --guide rgb.png --target depth.png --radius 8 --eps 0.01 --output out.png\n",
               common_help);
        break;
    case F_JBF:
        printf("Usage: jfilter jbf --guide G --target T [--diameter D] [--sigma-color C]\n"
               "                   [--sigma-space S] --output O\n"
               "\n"
               "Joint bilateral filter (Petschnigg et al. 2004; Eisemann, Durand 2004): each\n"
               "output pixel is the average of the target over a disk of radius D/2, weighted\n"
               "by distance, exp(-d^2 / 2S^2), and by guide similarity, exp(-c^2 / 2C^2), where\n"
               "c is the sum over the guide's channels of |difference|. Smooths the target\n"
               "without crossing the guide's edges. Same definition, parameters and border\n"
               "(BORDER_REFLECT_101) as cv2.ximgproc.jointBilateralFilter.\n"
               "\n"
               "  --guide G           guidance (joint) image, gray or colour, the target's size\n"
               "  --target T          the image to filter (gray or colour)\n"
               "  --diameter D        window diameter in pixels (default 9); D <= 0 takes the\n"
               "                      radius round(1.5 S) as OpenCV does\n"
               "  --sigma-color C     colour sigma in normalized units, > 0 (default 0.1; an\n"
               "                      OpenCV sigmaColor of 25 on 8-bit images is 25/255 = 0.098)\n"
               "  --sigma-space S     spatial sigma in pixels, > 0 (default 4)\n"
               "%s"
               "\n"
               "Example:\n"
               "  jfilter jbf --guide flash.png --target noflash.png --diameter 9 --sigma-color 0.1 \\\n"
               "              --sigma-space 4 --output denoised.png\n",
               common_help);
        break;
    case F_JBU:
        printf("Usage: jfilter jbu --guide G --target T [--radius R] [--sigma-color C]\n"
               "                   [--sigma-space S] --output O\n"
               "\n"
               "Joint bilateral upsampling (Kopf et al. 2007): upsamples a low-resolution\n"
               "target to the guide's size. Each output pixel averages the low-resolution\n"
               "pixels within R of its position, weighted by distance, exp(-d^2 / 2S^2), and by\n"
               "how close the guide at that low-resolution pixel's centre is to the guide at\n"
               "the output pixel, exp(-|dI|^2 / 2C^2) (Euclidean over the guide's channels).\n"
               "Edges come from the guide, values from the target.\n"
               "\n"
               "  --guide G           high-resolution guidance image, gray or colour\n"
               "  --target T          low-resolution target (any size up to the guide's; pixel\n"
               "                      centres aligned, so 8x smaller for an 8x upsampling)\n"
               "  --radius R          window radius in low-resolution pixels (default 2)\n"
               "  --sigma-color C     colour sigma in normalized units, > 0 (default 0.1)\n"
               "  --sigma-space S     spatial sigma in low-resolution pixels, > 0 (default 1)\n"
               "%s"
               "\n"
               "Example:\n"
               "  jfilter jbu --guide rgb.png --target depth_low.png --radius 2 --output depth.png\n",
               common_help);
        break;
    case F_BICUBIC:
        printf("Usage: jfilter bicubic --target T (--scale S | --size WxH | --guide G)\n"
               "                       [--mode pil|opencv] --output O\n"
               "\n"
               "Bicubic resizing, the baseline every joint upsampler is compared with (and\n"
               "the first step of the learned models). Two conventions:\n"
               "  pil     PIL's Image.resize(BICUBIC): Keys cubic a = -0.5, antialiased when\n"
               "          shrinking, taps clipped at the border and renormalized;\n"
               "  opencv  cv2.resize(INTER_CUBIC): a = -0.75, 4x4 taps, border replicated.\n"
               "\n"
               "  --target T          the image to resize (gray or colour)\n"
               "  --scale S           output = target size x S (integer 1..64)\n"
               "  --size WxH          or an explicit output size\n"
               "  --guide G           or the size of this image (a guide is not used otherwise)\n"
               "  --mode M            pil or opencv (default opencv)\n"
               "%s"
               "\n"
               "Example:\n"
               "  jfilter bicubic --target depth_low.png --scale 8 --mode pil --output depth_up.png\n",
               common_help);
        break;
    }
}

static int parse_float(const char *s, const char *what, double lo, double hi, float *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "jfilter: %s must be a number in %g..%g (got '%s')\n", what, lo, hi, s);
        return -1;
    }
    *out = (float)v;
    return 0;
}

void cli_filter_defaults(cli_filter_kind k, cli_filter_opts *o)
{
    memset(o, 0, sizeof *o);
    o->radius = k == F_JBU ? 2 : 8;
    o->eps = 0.01f;
    o->fast = 1;
    o->diameter = 9;
    o->sigma_color = 0.1f;
    o->sigma_space = k == F_JBU ? 1.0f : 4.0f;
    o->mode = JF_BICUBIC_OPENCV;
}

int cli_filter_parse(cli_filter_kind k, int argc, char **argv, cli_filter_opts *o)
{
    const char *v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(k);
            return -1;
        } else if (!strcmp(a, "--")) {
            if (cli_operands(argc, argv, i, names[k])) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--guide"))) o->guide = v;
        else if ((v = cli_opt(argc, argv, &i, "--target"))) o->target = v;
        else if ((v = cli_opt(argc, argv, &i, "--output"))) o->output = v;
        else if ((v = cli_opt(argc, argv, &i, "--device"))) o->device = v;
        else if (cli_flag(a, "--quiet")) o->quiet = 1;
        else if ((v = cli_opt(argc, argv, &i, "--bits"))) {
            if (cli_parse_int(v, "--bits", 8, 32, &o->bits) || (o->bits != 8 && o->bits != 16 && o->bits != 32)) {
                fprintf(stderr, "jfilter: --bits must be 8, 16 or 32\n");
                return 2;
            }
        } else if (k != F_BICUBIC && k != F_JBF && (v = cli_opt(argc, argv, &i, "--radius"))) {
            if (cli_parse_int(v, "--radius", 0, k == F_JBU ? 64 : 65535, &o->radius)) return 2;
        } else if (k == F_GUIDED && (v = cli_opt(argc, argv, &i, "--eps"))) {
            if (parse_float(v, "--eps", 0.0, 1e30, &o->eps)) return 2;
        } else if (k == F_GUIDED && (v = cli_opt(argc, argv, &i, "--memory-budget"))) {
            if (cli_parse_int(v, "--memory-budget", 16, 1 << 20, &o->budget_mib)) return 2;
        } else if (k == F_GUIDED && (v = cli_opt(argc, argv, &i, "--fast"))) {
            if (cli_parse_int(v, "--fast", 1, 64, &o->fast)) return 2;
        } else if (k == F_JBF && (v = cli_opt(argc, argv, &i, "--diameter"))) {
            if (cli_parse_int(v, "--diameter", -1, 511, &o->diameter)) return 2;
        } else if ((k == F_JBF || k == F_JBU) && (v = cli_opt(argc, argv, &i, "--sigma-color"))) {
            if (parse_float(v, "--sigma-color", 1e-6, 1e30, &o->sigma_color)) return 2;
        } else if ((k == F_JBF || k == F_JBU) && (v = cli_opt(argc, argv, &i, "--sigma-space"))) {
            if (parse_float(v, "--sigma-space", 1e-6, 1e6, &o->sigma_space)) return 2;
        } else if (k == F_BICUBIC && (v = cli_opt(argc, argv, &i, "--scale"))) {
            if (cli_parse_int(v, "--scale", 1, 64, &o->scale)) return 2;
        } else if (k == F_BICUBIC && (v = cli_opt(argc, argv, &i, "--size"))) {
            if (cli_parse_size(v, 65535, &o->width, &o->height)) {
                fprintf(stderr, "jfilter: --size must look like 640x480 (at most 65535 a side)\n");
                return 2;
            }
        } else if (k == F_BICUBIC && (v = cli_opt(argc, argv, &i, "--mode"))) {
            if (!strcmp(v, "pil")) o->mode = JF_BICUBIC_PIL;
            else if (!strcmp(v, "opencv")) o->mode = JF_BICUBIC_OPENCV;
            else {
                fprintf(stderr, "jfilter: --mode must be pil or opencv (got '%s')\n", v);
                return 2;
            }
        } else {
            fprintf(stderr, "jfilter %s: unknown option '%s' (see jfilter %s --help)\n", names[k], a,
                    names[k]);
            return 2;
        }
    }
    if (k == F_BICUBIC ? cli_require(names[k], 2, (const char *const[]){"--target", "--output"},
                                     (const char *const[]){o->target, o->output})
                       : cli_require(names[k], 3, (const char *const[]){"--guide", "--target", "--output"},
                                     (const char *const[]){o->guide, o->target, o->output}))
        return 2;
    if (k == F_BICUBIC && !o->scale && !o->width && !o->guide) {
        fprintf(stderr, "jfilter bicubic: give the output size with --scale, --size or --guide\n");
        return 2;
    }
    return 0;
}

static int run_filter(cli_filter_kind k, int argc, char **argv)
{
    cli_filter_opts o;
    cli_filter_defaults(k, &o);
    int prc = cli_filter_parse(k, argc, argv, &o);
    if (prc) return prc < 0 ? 0 : prc;

    int rc = 1;
    cli_image guide = {0}, target = {0};
    jf_context *ctx = NULL;
    float *out = NULL;
    if (cli_read_image(o.target, "target", &target)) goto done;
    if (o.guide && cli_read_image(o.guide, "guide", &guide)) goto done;
    int bits = cli_output_bits(o.output, o.bits, target.bit_depth);
    if (bits < 0) goto done;
    int w, h;
    if (k == F_BICUBIC) {
        w = o.scale ? target.img.width * o.scale : o.width ? o.width : guide.img.width;
        h = o.scale ? target.img.height * o.scale : o.width ? o.height : guide.img.height;
    } else {
        w = guide.img.width;
        h = guide.img.height;
    }
    int channels = target.img.channels == 1 ? 1 : 3;
    out = malloc((size_t)w * h * channels * sizeof(float));
    if (!out) {
        fprintf(stderr, "jfilter: out of memory for a %dx%d output\n", w, h);
        goto done;
    }
    if (jf_context_create(&ctx, o.device) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(NULL));
        goto done;
    }
    jf_image oimg = {sizeof(jf_image), w, h, channels, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    jf_status st = jf_context_set_memory_budget(ctx, (size_t)o.budget_mib << 20);
    if (st != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(ctx));
        goto done;
    }
    switch (k) {
    case F_GUIDED: st = jf_guided_filter(ctx, &guide.img, &target.img, &oimg, o.radius, o.eps, o.fast); break;
    case F_JBF:
        st = jf_joint_bilateral(ctx, &guide.img, &target.img, &oimg, o.diameter, o.sigma_color, o.sigma_space);
        break;
    case F_JBU:
        st = jf_jbu(ctx, &guide.img, &target.img, &oimg, o.radius, o.sigma_color, o.sigma_space);
        break;
    default: st = jf_bicubic(ctx, &target.img, &oimg, (jf_bicubic_mode)o.mode); break;
    }
    if (st != JF_OK) {
        fprintf(stderr, "jfilter %s: %s\n", names[k], jf_last_error(ctx));
        goto done;
    }
    if (cli_write_image(o.output, out, w, h, channels, bits)) goto done;
    if (!o.quiet)
        fprintf(stderr, "jfilter: wrote %s (%dx%d, %d channel%s) with %s on %s\n", o.output, w, h,
                channels, channels > 1 ? "s" : "", names[k], jf_context_device(ctx)->name);
    rc = 0;
done:
    free(out);
    jf_context_destroy(ctx);
    cli_free_image(&guide);
    cli_free_image(&target);
    return rc;
}

int cmd_guided(int argc, char **argv) { return run_filter(F_GUIDED, argc, argv); }
int cmd_jbf(int argc, char **argv) { return run_filter(F_JBF, argc, argv); }
int cmd_jbu(int argc, char **argv) { return run_filter(F_JBU, argc, argv); }
int cmd_bicubic(int argc, char **argv) { return run_filter(F_BICUBIC, argc, argv); }
