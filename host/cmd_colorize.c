/* cmd_colorize.c - `jfilter colorize`: a depth map (or any one-channel
 * image) as an 8-bit RGB picture through the turbo or viridis colour map,
 * over its valid range or a given one, holes drawn black. Host only: no
 * OpenCL device is needed. */
#include "cli.h"

#include "io/io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void colorize_help(void)
{
    printf("Usage: jfilter colorize --input D --output O [--colormap turbo|viridis]\n"
           "                        [--range LO:HI] [--invalid V] [--reverse]\n"
           "\n"
           "Draws a depth map (or any one-channel image) as an 8-bit RGB picture, because\n"
           "people look at depth maps, they do not read them.\n"
           "\n"
           "  --input D      any image file jfilter reads (PNG, JPEG, TIFF, PFM, .npy), one\n"
           "                 channel; values in its own units (16-bit millimetres, metres...)\n"
           "  --output O     .png or .tif/.tiff, 8-bit RGB\n"
           "  --colormap C   turbo (default) or viridis; low values at the map's start\n"
           "                 (turbo: dark blue, viridis: purple)\n"
           "  --range LO:HI  the values at the two ends of the map, in the input's units;\n"
           "                 default: the smallest and largest valid value\n"
           "  --invalid V    the value that marks a hole, drawn black: 0 (default), nan, a\n"
           "                 number, or none; NaN and inf are always holes\n"
           "  --reverse      run the map the other way (near = warm with turbo)\n"
           "  --quiet        no summary line on stderr\n"
           "Short forms: -o --output, -q --quiet.\n"
           "\n"
           "Example:\n"
           "  jfilter colorize --input depth_mm.png --range 500:5000 --output depth_color.png\n");
}

static int parse_range(const char *v, double *lo, double *hi)
{
    char *end = NULL;
    errno = 0;
    *lo = strtod(v, &end);
    if (errno || end == v || *end != ':') return -1;
    const char *b = end + 1;
    *hi = strtod(b, &end);
    if (errno || end == b || *end || !isfinite(*lo) || !isfinite(*hi) || *lo == *hi) return -1;
    return 0;
}

/* --invalid: none (mode 0), nan (2) or a number (1, the marker). */
static int parse_invalid(const char *v, int *mode, double *marker)
{
    if (!strcmp(v, "none")) *mode = 0;
    else if (!strcmp(v, "nan") || !strcmp(v, "NaN")) *mode = 2;
    else {
        char *end = NULL;
        *marker = strtod(v, &end);
        if (end == v || *end || !isfinite(*marker)) return -1;
        *mode = 1;
    }
    return 0;
}

/* Sample i of a one-channel image, in its own units. */
static double sample(const jf_image *img, size_t i)
{
    switch (img->type) {
    case JF_PIXEL_U8: return ((const uint8_t *)img->data)[i];
    case JF_PIXEL_U16: return ((const uint16_t *)img->data)[i];
    default: return ((const float *)img->data)[i];
    }
}

int cmd_colorize(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL, *map = "turbo", *v;
    int have_range = 0, reverse = 0, quiet = 0;
    int invalid_mode = 1; /* 0 none, 1 a value (default 0), 2 NaN only */
    double lo = 0, hi = 0, marker = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            colorize_help();
            return 0;
        } else if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "colorize")) return 2;
            break;
        } else if ((v = cli_opt(argc, argv, &i, "--input"))) in_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--output"))) out_path = v;
        else if ((v = cli_opt(argc, argv, &i, "--colormap"))) {
            if (!cli_colormap_known(v)) {
                fprintf(stderr, "jfilter: --colormap must be turbo or viridis (got '%s')\n", v);
                return 2;
            }
            map = v;
        } else if ((v = cli_opt(argc, argv, &i, "--range"))) {
            if (parse_range(v, &lo, &hi)) {
                fprintf(stderr, "jfilter: --range must look like 500:5000 (two different numbers; got '%s')\n", v);
                return 2;
            }
            have_range = 1;
        } else if ((v = cli_opt(argc, argv, &i, "--invalid"))) {
            if (parse_invalid(v, &invalid_mode, &marker)) {
                fprintf(stderr, "jfilter: --invalid must be a number, nan or none (got '%s')\n", v);
                return 2;
            }
        } else if (!strcmp(argv[i], "--reverse")) reverse = 1;
        else if (cli_flag(argv[i], "--quiet")) quiet = 1;
        else {
            fprintf(stderr, "jfilter colorize: unknown option '%s' (see jfilter colorize --help)\n", argv[i]);
            return 2;
        }
    }
    if (cli_require("colorize", 2, (const char *const[]){"--input", "--output"},
                    (const char *const[]){in_path, out_path}))
        return 2;
    jf_file_format of = jf_file_format_from_name(out_path);
    if (of != JF_FILE_PNG && of != JF_FILE_TIFF) {
        fprintf(stderr, "jfilter: output %s: a colour picture is written as .png or .tif/.tiff\n", out_path);
        return 2;
    }
    cli_image img;
    if (cli_read_image(in_path, "input", &img)) return 1;
    int rc = 1;
    unsigned char *rgb = NULL, *hole = NULL;
    if (img.img.channels != 1) {
        fprintf(stderr, "jfilter: input %s has %d channels; colorize draws one-channel images (depth)\n",
                in_path, img.img.channels);
        goto done;
    }
    size_t n = (size_t)img.img.width * img.img.height;
    hole = malloc(n);
    rgb = malloc(n * 3);
    if (!hole || !rgb) {
        fprintf(stderr, "jfilter: out of memory\n");
        goto done;
    }
    double vmin = INFINITY, vmax = -INFINITY;
    size_t holes = 0;
    for (size_t i = 0; i < n; i++) {
        double x = sample(&img.img, i);
        hole[i] = !isfinite(x) || (invalid_mode == 1 && x == marker);
        holes += hole[i];
        if (hole[i]) continue;
        vmin = x < vmin ? x : vmin;
        vmax = x > vmax ? x : vmax;
    }
    if (!have_range) {
        lo = holes < n ? vmin : 0.0;
        hi = holes < n ? vmax : 1.0;
    }
    double span = hi - lo;
    for (size_t i = 0; i < n; i++) {
        if (hole[i]) {
            memset(rgb + 3 * i, 0, 3);
            continue;
        }
        float t = span != 0.0 ? (float)((sample(&img.img, i) - lo) / span) : 0.5f;
        cli_colormap(map, reverse ? 1.0f - t : t, rgb + 3 * i);
    }
    jf_file_image out = {img.img.width, img.img.height, 3, JF_PIXEL_U8, of, rgb};
    char err[1024];
    if (jf_file_image_write(out_path, &out, err, sizeof err) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", err);
        goto done;
    }
    if (!quiet)
        fprintf(stderr, "jfilter: wrote %s (%dx%d, %s over %g..%g%s, %zu hole%s in black)\n", out_path,
                img.img.width, img.img.height, map, lo, hi, reverse ? " reversed" : "", holes, holes == 1 ? "" : "s");
    rc = 0;
done:
    free(hole);
    free(rgb);
    cli_free_image(&img);
    return rc;
}
