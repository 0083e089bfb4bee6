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

/* "--name value" and "--name=value" parsing: returns the value or NULL. A
 * "--name" with nothing after it prints a message and calls cli_exit(2). */
const char *cli_opt(int argc, char **argv, int *i, const char *name);
int cli_parse_int(const char *s, const char *what, int lo, int hi, int *out);
/* "WxH" with 1 <= W, H <= max: 0, or -1 (no message; the caller says what
 * the option wants). Numbers that overflow an int are refused, not wrapped. */
int cli_parse_size(const char *s, int max, int *w, int *h);
/* What cli_opt calls on a usage error: exit, unless a test harness (the
 * argument-parsing fuzzer) puts its own in, which must not return. */
extern void (*cli_exit)(int status);

/* `jfilter bench` options, parsed apart from running them so the parser can
 * be fuzzed alone. */
typedef struct cli_bench_opts {
    const char *model, *device;
    int repeat, scale, nsizes;
    int sizes[16][2];
} cli_bench_opts;
/* Fills o (defaults first) from argv; -1: help printed (exit 0), 2: a usage
 * error (message printed), 0: go on. Touches no file and no device. */
int cli_bench_parse(int argc, char **argv, cli_bench_opts *o);

#define CLI_DEFAULT_MODEL "fdkn_x8"

#endif
