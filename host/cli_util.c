/* cli_util.c - value parsing, timing helpers, model lookup and the progress
 * bar for the `jfilter` program (options: cli_args.c; image files: cli_read.c, cli_write.c). */
#include "cli.h"

#include "io/io.h"

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int cli_parse_lambda(const char *s, float *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0.0) || !isfinite(v)) {
        fprintf(stderr, "jfilter: --lambda must be a positive number (got '%s')\n", s);
        return -1;
    }
    *out = (float)v;
    return 0;
}

int cli_parse_int(const char *s, const char *what, int lo, int hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "jfilter: %s must be an integer in %d..%d (got '%s')\n", what, lo, hi, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* One side of a WxH size: digits after optional blanks and sign, as "%d"
 * took them, but refused past INT_MAX instead of wrapping. */
static const char *size_side(const char *s, int max, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno || v < 1 || v > max) return NULL;
    *out = (int)v;
    return end;
}

int cli_parse_size(const char *s, int max, int *w, int *h)
{
    int a, b;
    const char *p = size_side(s, max, &a);
    if (!p || *p != 'x') return -1;
    p = size_side(p + 1, max, &b);
    if (!p || *p) return -1;
    *w = a;
    *h = b;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int cli_write_plane(const char *path, const float *plane, int width, int height, int bits)
{
    return cli_write_image(path, plane, width, height, 1, bits);
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cli_median(double *times, int n)
{
    if (n <= 0) return 0.0;
    qsort(times, (size_t)n, sizeof *times, cmp_double);
    return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

static int try_model(const char *dir, const char *name, char *out, size_t len)
{
    if (!dir || !*dir) return -1;
    snprintf(out, len, "%s/%s.safetensors", dir, name);
    return access(out, R_OK) == 0 ? 0 : -1;
}

int cli_find_model(const char *arg, char *out, size_t len)
{
    if (strchr(arg, '/') || ends_with(arg, ".safetensors")) {
        snprintf(out, len, "%s", arg);
        if (access(out, R_OK) == 0) return 0;
        fprintf(stderr, "jfilter: model file %s cannot be read: %s\n", arg, strerror(errno));
        return -1;
    }
    /* the user's folder, then the installation's (found beside the library, so
     * a moved prefix still works), then the source tree this program was built
     * from: an installed program never prefers a checkout's files */
    const char *env = getenv("JF_WEIGHTS_DIR");
    const char *dirs[] = {env, jf_default_weights_dir(), JF_BUILD_WEIGHTS_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (try_model(dirs[i], arg, out, len) == 0) return 0;
    fprintf(stderr,
            "jfilter: model '%s' not found; looked for %s.safetensors in $JF_WEIGHTS_DIR (%s), %s and %s.\n"
            "Give --model a path to a .safetensors file.\n",
            arg, arg, env && *env ? env : "unset", jf_default_weights_dir(), JF_BUILD_WEIGHTS_DIR);
    return -1;
}

int cli_open_model(const char *device, const char *model_path, jf_context **ctx, jf_model **model)
{
    *ctx = NULL;
    *model = NULL;
    if (jf_context_create(ctx, device) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(NULL));
        return -1;
    }
    if (jf_model_load(*ctx, model_path, model) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(*ctx));
        jf_context_destroy(*ctx);
        *ctx = NULL;
        return -1;
    }
    return 0;
}

/* A one-line progress bar on stderr, drawn only when stderr is a terminal. */
static int draw_progress(void *user, int done, int total)
{
    (void)user;
    int width = 40, fill = total > 0 ? done * width / total : width;
    fprintf(stderr, "\r[%.*s%*s] %d/%d", fill, "########################################", width - fill, "", done,
            total);
    if (done >= total) fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

jf_progress_fn cli_progress_callback(int quiet)
{
    return !quiet && isatty(STDERR_FILENO) ? draw_progress : NULL;
}
