/* cli.h - shared pieces of the `jfilter` program: subcommand entry points,
 * option parsing helpers, image files in and out, and model lookup. */
#ifndef JF_CLI_H
#define JF_CLI_H

#include "jfilter.h"

#include <stdio.h>

int cmd_devices(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_colorize(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_smooth(int argc, char **argv);

/* Colour maps (colormaps.c): rgb gets map `name` (turbo, viridis) at t in
 * 0..1 (clamped; NaN as 0), interpolated between its 256 entries. */
void cli_colormap(const char *name, float t, unsigned char rgb[3]);
int cli_colormap_known(const char *name);

/* A loaded image file: pixels owned here, described by img. */
typedef struct cli_image {
    jf_image img;
    int bit_depth;   /* 8, 16, or 32 for float samples */
    int format;      /* the jf_file_format it was read from */
    void *pixels;
} cli_image;

/* Reads any image file jfilter takes (PNG, JPEG, TIFF, PFM, NPY of uint8,
 * uint16, float32 or float64; see src/io/image_file.h); a gray+alpha image
 * loses its alpha. Prints the reason and returns -1 on failure. */
int cli_read_image(const char *path, const char *role, cli_image *out);
/* The same, silent: the reason (naming the file) goes to err. Returns 0 or -1. */
int cli_load_image(const char *path, cli_image *out, char *err, size_t errlen);
void cli_free_image(cli_image *img);
/* The sample bits of an output file, the same rule in every command: the
 * requested --bits (0: none) when the format holds it, else 8 for an 8-bit
 * target and 16 for a 16-bit or float one (PNG), the target's own depth
 * (TIFF: float stays float), 32 for PFM and NPY. Prints why and returns -1
 * for a name without a writable extension or bits the format cannot hold. */
int cli_output_bits(const char *path, int requested, int target_bits);
/* Writes an interleaved float image (normalized units; 1 channel, or 3 in RGB
 * order) in the format of path's extension: bits 8 or 16 (PNG, TIFF; rounded
 * and clamped, with a warning when more than 1% of the values are clipped) or
 * 32 (TIFF, PFM, NPY float32); atomic, so a failure leaves no file. */
int cli_write_image(const char *path, const float *pixels, int width, int height, int channels,
                    int bits);
/* The one-channel case of cli_write_image. */
int cli_write_plane(const char *path, const float *plane, int width, int height, int bits);

/* Holds a run to the model's training conventions (cli_conventions.c): a
 * factor (--scale, else the guide/target size ratio) other than info->scale
 * is an error (-1, printed) unless force; a low-resolution target made
 * another way than info->degradation says (degradation: what --degradation
 * declared, NULL: "bicubic", pixel centres aligned) gives a warning naming
 * both conventions unless force. Returns 0 to go on. */
int cli_check_conventions(const char *model, const jf_model_info *info, int gw, int gh, int tw, int th,
                          int scale, const char *degradation, int force);

/* Monotonic milliseconds, and the median of n timings (sorts them in place). */
double cli_now_ms(void);
double cli_median(double *times, int n);

/* Resolves --model: an existing path, else a name looked up (with .safetensors
 * added) in $JF_WEIGHTS_DIR, the installed share/jfilter/weights
 * (jf_default_weights_dir) and the source tree's weights/, in that order.
 * Returns 0 and fills out, or prints the places tried. */
int cli_find_model(const char *arg, char *out, size_t len);
/* A context on `device` (NULL: $JF_DEVICE or the best) and the model file on
 * it; 0, or -1 with the reason printed and nothing left open. */
int cli_open_model(const char *device, const char *model_path, jf_context **ctx, jf_model **model);

/* Options (cli_args.c), the same conventions in every command:
 * cli_opt: "--name value" and "--name=value", and for the common options a
 * short alias, "-o value" or "-ovalue" (-m --model, -g --guide, -t --target,
 * -o --output, -d --device); returns the value (advancing *i past it) or NULL
 * when argv[*i] is not that option. A "--name" with nothing after it prints a
 * message and calls cli_exit(2). */
const char *cli_opt(int argc, char **argv, int *i, const char *name);
/* A flag without a value: "--name", or its alias ("-q" for --quiet). */
int cli_flag(const char *arg, const char *name);
/* For argv[i] == "--", which ends the options: no command takes operands, so
 * anything after it is an error, printed; returns 2 then, else 0 (stop parsing). */
int cli_operands(int argc, char **argv, int i, const char *cmd);
/* The required options names[0..n) of command cmd whose values[] are NULL:
 * prints "jfilter CMD: missing --x and --y (--w, --x and --y are required; ...)"
 * and returns 2, or 0 when none is missing. */
int cli_require(const char *cmd, int n, const char *const names[], const char *const values[]);
int cli_parse_int(const char *s, const char *what, int lo, int hi, int *out);
/* --lambda: a positive finite number (the model checks its own range). */
int cli_parse_lambda(const char *s, float *out);
/* "WxH" with 1 <= W, H <= max: 0, or -1 (no message; the caller says what
 * the option wants). Numbers that overflow an int are refused, not wrapped. */
int cli_parse_size(const char *s, int max, int *w, int *h);
/* The progress bar for a long run (tiles and stages, one line on stderr):
 * NULL when quiet or when stderr is not a terminal, so logs stay clean. */
jf_progress_fn cli_progress_callback(int quiet);
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
/* `jfilter smooth`'s default model */
#define CLI_DEFAULT_SMOOTH_MODEL "fang_rtv"

#endif
