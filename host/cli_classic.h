/* cli_classic.h - the classical-filter subcommands of `jfilter` (guided, jbf,
 * jbu, bicubic, bench-classic). */
#ifndef JF_CLI_CLASSIC_H
#define JF_CLI_CLASSIC_H

#include "cli.h"

int cmd_guided(int argc, char **argv);
int cmd_jbf(int argc, char **argv);
int cmd_jbu(int argc, char **argv);
int cmd_bicubic(int argc, char **argv);
int cmd_bench_classic(int argc, char **argv);

#endif
