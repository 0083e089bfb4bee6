/* cli_filters.h - the classical-filter subcommands of `jfilter` (guided, jbf,
 * jbu, bicubic, bench-filters). */
#ifndef JF_CLI_FILTERS_H
#define JF_CLI_FILTERS_H

#include "cli.h"

typedef enum { F_GUIDED, F_JBF, F_JBU, F_BICUBIC } cli_filter_kind;

/* The options of one filter subcommand. */
typedef struct cli_filter_opts {
    const char *guide, *target, *output, *device;
    int bits, quiet;
    int radius, fast, diameter, mode, width, height, scale;
    int budget_mib; /* guided: --memory-budget (0: the library's default) */
    float eps, sigma_color, sigma_space;
} cli_filter_opts;

/* The defaults of subcommand k, then argv parsed over them, apart from
 * running anything so the parser can be fuzzed alone. cli_filter_parse
 * returns -1 when it printed the help (exit 0), 2 on a usage error (message
 * printed), 0 to go on; it touches no file and no device. */
void cli_filter_defaults(cli_filter_kind k, cli_filter_opts *o);
int cli_filter_parse(cli_filter_kind k, int argc, char **argv, cli_filter_opts *o);

int cmd_guided(int argc, char **argv);
int cmd_jbf(int argc, char **argv);
int cmd_jbu(int argc, char **argv);
int cmd_bicubic(int argc, char **argv);
int cmd_bench_filters(int argc, char **argv);

#endif
