/* cli_classic.h - the classical-filter subcommands of `jfilter` (guided, jbf,
 * jbu, bicubic, bench-classic) and the multi-channel image writer they share. */
#ifndef JF_CLI_CLASSIC_H
#define JF_CLI_CLASSIC_H

#include "cli.h"

int cmd_guided(int argc, char **argv);
int cmd_jbf(int argc, char **argv);
int cmd_jbu(int argc, char **argv);
int cmd_bicubic(int argc, char **argv);
int cmd_bench_classic(int argc, char **argv);

/* Writes an interleaved float image (normalized units; 1 channel, or 3 in RGB
 * order) as .npy (float32, HxW or HxWx3) or .png (bits 8 or 16, rounded and
 * clamped); atomic, so a failure leaves no file. */
int cli_write_image(const char *path, const float *pixels, int width, int height, int channels,
                    int bits);

#endif
