/* cli.h - shared pieces of the `jfilter` program: subcommand entry points,
 * option parsing helpers, image files in and out, and model lookup. */
#ifndef JF_CLI_H
#define JF_CLI_H

#include "jfilter.h"

#include <stdio.h>

int cmd_devices(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* A loaded image file: pixels owned here, described by img. */
typedef struct cli_image {
    jf_image img;
    int bit_depth;   /* 8, 16, or 32 for float NPY */
    void *pixels;
} cli_image;

/* Reads a PNG (8/16-bit; gray, gray+alpha, RGB, RGBA) or a float32 .npy (HxW or HxWxC). */
int cli_read_image(const char *path, const char *role, cli_image *out);
void cli_free_image(cli_image *img);
/* Writes an interleaved float image (normalized units; 1 channel, or 3 in RGB
 * order) as .npy (float32, HxW or HxWx3) or .png (bits 8 or 16, rounded and
 * clamped); atomic, so a failure leaves no file. */
int cli_write_image(const char *path, const float *pixels, int width, int height, int channels,
                    int bits);
/* The one-channel case of cli_write_image. */
int cli_write_plane(const char *path, const float *plane, int width, int height, int bits);

/* Monotonic milliseconds, and the median of n timings (sorts them in place). */
double cli_now_ms(void);
double cli_median(double *times, int n);

/* Resolves --model: an existing path, else a name looked up (with .safetensors
 * added) in $JF_WEIGHTS_DIR, the source tree's weights/, and the installed
 * share/jfilter/weights. Returns 0 and fills out, or prints the places tried. */
int cli_find_model(const char *arg, char *out, size_t len);

/* "--name value" and "--name=value" parsing: returns the value or NULL. */
const char *cli_opt(int argc, char **argv, int *i, const char *name);
int cli_parse_int(const char *s, const char *what, int lo, int hi, int *out);

#define CLI_DEFAULT_MODEL "fdkn_x8"

#endif
