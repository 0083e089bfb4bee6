/* cli_batch.h - `jfilter run` over one pair or many: the settings every pair
 * of a run shares, one pair's work (cli_pair.c), the list of pairs of a batch
 * (cli_pairs.c: globs or a CSV list, matched by the rule of the Python
 * package's match_pairs) and the batch runner over one or all devices
 * (cli_batch.c). */
#ifndef JF_CLI_BATCH_H
#define JF_CLI_BATCH_H

#include "cli.h"

/* What `jfilter run`'s options say, for each pair alike. */
typedef struct cli_run_settings {
    const char *model_arg;   /* --model as given: the name in messages */
    char model_path[4096];   /* the file it resolved to */
    const char *device;      /* --device (NULL: $JF_DEVICE or the best) */
    const char *degradation; /* --degradation or NULL */
    int scale, bits, force, quiet;
    int depth_explicit;      /* --invalid, --keep-holes or --no-normalize given */
    size_t memory_budget;    /* bytes, 0: the library's default */
    jf_run_options opt;      /* normalisation, holes, lambda; scale, budget filled per run */
} cli_run_settings;

/* One pair's input: both images read and the output's sample bits chosen (cli_output_bits). Returns 0, or -1 with the
 * reason in why (a read error names its file), or why "" when the reason was
 * printed already (by cli_output_bits). */
int cli_pair_load(const cli_run_settings *s, const char *guide_path, const char *target_path,
                  const char *out_path, cli_image *guide, cli_image *target, int *bits, char *why,
                  size_t len);
/* Runs the model on a loaded pair (the target's channels checked against
 * what the model filters) and writes out_path (atomically), and with
 * coef_prefix the coefficient maps; progress as jf_run_options.progress.
 * Returns 0, or -1 with the reason in why (jf_last_error for the library's
 * failures), or why "" when it was printed already (the conventions'
 * check, the writers). */
int cli_pair_run(const cli_run_settings *s, jf_context *ctx, jf_model *model, const cli_image *guide,
                 const cli_image *target, int bits, const char *out_path, const char *coef_prefix,
                 int (*progress)(void *, int, int), char *why, size_t len);

/* One job of a batch; the strings are owned by the list. */
typedef struct cli_job {
    char *guide, *target, *output;
} cli_job;

typedef struct cli_jobs {
    cli_job *v;
    int n, cap;
    int unmatched; /* files of the globs without a partner (each reported) */
} cli_jobs;

/* How a batch names its pairs and outputs. */
typedef struct cli_pairing {
    const char *guide_suffix, *target_suffix; /* stripped from the stems before matching ("" none) */
    const char *output_dir;                   /* outputs: output_dir/<target stem><suffix> */
    const char *output_suffix;                /* ".png", ".npy", ...; NULL: by the target's kind */
} cli_pairing;

/* Pairs the files the two glob(3) patterns match: the same stem (name less
 * its last extension, as Python's Path.stem) once the suffixes are stripped
 * from its end. Files without a partner are reported and counted; two files
 * of one side with the same key are an error. Returns 0 or -1 (printed). */
int cli_pairs_from_globs(const char *guide_glob, const char *target_glob, const cli_pairing *p,
                         cli_jobs *jobs);
/* Reads a CSV list of guide,target[,output] rows (paths as given, relative
 * to the current folder; a first row "guide,target[,output]" is a header;
 * blank lines and lines starting with # are skipped; fields may be "quoted").
 * Rows without an output need p->output_dir. Returns 0 or -1 (printed). */
int cli_pairs_from_csv(const char *csv_path, const cli_pairing *p, cli_jobs *jobs);
/* Fails (printed) when two jobs would write the same output. */
int cli_pairs_check_outputs(const cli_jobs *jobs);
void cli_jobs_free(cli_jobs *jobs);

/* Runs the jobs: one context and model per device (device "all": every
 * OpenCL device, else s->device), a thread per device taking pairs from a
 * shared queue; skip_existing skips pairs whose output exists. Reports each
 * failing pair, draws a progress line with pairs/s when stderr is a terminal
 * (not quiet), and ends with a summary line. Returns the exit status: 0, 1
 * when any pair failed or no device or model could be opened. */
int cli_batch_run(const cli_run_settings *s, const char *device, int skip_existing, const cli_jobs *jobs);

#endif
