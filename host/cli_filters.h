/* cli_filters.h - the classical-filter subcommands of `jfilter` (guided, jbf,
 * jbu, bicubic, bench-filters). */
#ifndef JF_CLI_FILTERS_H
#define JF_CLI_FILTERS_H

#include "cli.h"

int cmd_guided(int argc, char **argv);
int cmd_jbf(int argc, char **argv);
int cmd_jbu(int argc, char **argv);
int cmd_bicubic(int argc, char **argv);
int cmd_bench_filters(int argc, char **argv);

#endif
