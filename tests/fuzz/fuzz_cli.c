/* fuzz_cli.c - libFuzzer target: the `jfilter` option parsers of guided,
 * jbf, jbu, bicubic (cli_filter_parse) and bench (cli_bench_parse), without
 * running anything. Input: the first byte picks the subcommand, the rest is
 * its arguments separated by NUL bytes. A usage error that would exit the
 * program (cli_exit) jumps back here instead. Whatever a parser accepts must
 * be within the ranges its help promises; the checks abort otherwise.
 * Help goes to stdout, which is closed here; run with -close_fd_mask=2 to
 * silence the error messages too (tests/fuzz/run.sh does). */
#include "cli.h"
#include "cli_filters.h"

#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf usage_exit;
static int exit_status;

static void fuzz_exit(int status)
{
    exit_status = status;
    longjmp(usage_exit, 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cli_exit = fuzz_exit;
    if (!freopen("/dev/null", "w", stdout)) abort();
    return 0;
}

/* Is p one of the argument strings (or inside one, for --name=value)? */
static int inside(const char *p, const char *buf, size_t n)
{
    return p >= buf && p < buf + n;
}

static void check_filter(cli_filter_kind k, const cli_filter_opts *o, const char *buf, size_t n)
{
    if (!o->target || !o->output || !inside(o->target, buf, n) || !inside(o->output, buf, n)) abort();
    if (k != F_BICUBIC && (!o->guide || !inside(o->guide, buf, n))) abort();
    if (o->device && !inside(o->device, buf, n)) abort();
    if (o->bits != 0 && o->bits != 8 && o->bits != 16 && o->bits != 32) abort();
    if (o->radius < 0 || o->radius > 65535 || (k == F_JBU && o->radius > 64)) abort();
    if (!(o->eps >= 0.0f) || !isfinite(o->eps) || o->fast < 1 || o->fast > 64) abort();
    if (o->diameter < -1 || o->diameter > 511) abort();
    if (!(o->sigma_color > 0.0f) || !(o->sigma_space > 0.0f)) abort();
    if (!isfinite(o->sigma_color) || !isfinite(o->sigma_space)) abort();
    if (o->scale < 0 || o->scale > 64) abort();
    if ((o->width == 0) != (o->height == 0) || o->width < 0 || o->width > 65535 ||
        o->height < 0 || o->height > 65535)
        abort();
    if (k == F_BICUBIC && !o->scale && !o->width && !o->guide) abort();
}

static void check_bench(const cli_bench_opts *o, const char *buf, size_t n)
{
    if (!o->model || (o->device && !inside(o->device, buf, n))) abort();
    if (o->repeat < 0 || o->repeat > 10000 || o->scale < 0 || o->scale > 64) abort();
    if (o->nsizes < 1 || o->nsizes > 16) abort();
    for (int i = 0; i < o->nsizes; i++)
        if (o->sizes[i][0] < 1 || o->sizes[i][0] > 16384 || o->sizes[i][1] < 1 ||
            o->sizes[i][1] > 16384)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"guided", "jbf", "jbu", "bicubic", "bench"};
    if (size < 1) return 0;
    int cmd = data[0] % 5;
    /* the arguments as the shell would hand them over: NUL-terminated strings */
    size_t n = size - 1;
    char *buf = malloc(n + 1);
    if (!buf) abort();
    memcpy(buf, data + 1, n);
    buf[n] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)names[cmd];
    for (size_t i = 0; i < n + 1 && argc < MAX_ARGS + 1;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
        if (i == n + 1) break;
    }
    argv[argc] = NULL;

    exit_status = 0;
    if (setjmp(usage_exit) == 0) {
        int rc;
        if (cmd < 4) {
            cli_filter_opts o;
            cli_filter_defaults((cli_filter_kind)cmd, &o);
            rc = cli_filter_parse((cli_filter_kind)cmd, argc, argv, &o);
            if (rc == 0) check_filter((cli_filter_kind)cmd, &o, buf, n + 1);
        } else {
            cli_bench_opts o;
            rc = cli_bench_parse(argc, argv, &o);
            if (rc == 0) check_bench(&o, buf, n + 1);
        }
        if (rc != 0 && rc != -1 && rc != 2) abort();
    } else if (exit_status != 2) {
        abort();
    }
    free(buf);
    return 0;
}
