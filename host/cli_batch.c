/* cli_batch.c - a batch `jfilter run`: the pairs of a list on one device or
 * on every OpenCL device at once (one context and loaded model per device, a
 * thread per device taking the next pair from a shared queue), a progress
 * line with pairs/s, a report for each failing pair while the rest go on,
 * and a summary line. Contexts are opened one after another up front, as
 * Python's run_batch does, so a bad device or model fails before any work. */
#include "cli_batch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct batch {
    const cli_run_settings *s;
    const cli_jobs *jobs;
    const int *todo;  /* indices of the pairs to run (those not skipped) */
    int ntodo;
    pthread_mutex_t lock; /* guards what follows, and stderr's report lines */
    int next, done, ok, failed;
    int draw;         /* a progress line on stderr */
    double t0;
} batch;

typedef struct worker {
    batch *b;
    jf_context *ctx;
    jf_model *model;
    pthread_t thread;
    int started;
} worker;

/* mkdir -p of the folder that holds path; 0 or -1 with errno. */
static int make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(dir, 0777) && errno != EEXIST ? -1 : 0;
}

static void draw_line(batch *b)
{
    double s = (cli_now_ms() - b->t0) / 1e3;
    int total = b->ntodo, fill = total ? b->done * 30 / total : 30;
    fprintf(stderr, "\r[%.*s%*s] %d/%d %.2f pairs/s", fill, "##############################", 30 - fill, "",
            b->done, total, s > 0 ? b->ok / s : 0.0);
    if (b->done == total) fputc('\n', stderr);
    fflush(stderr);
}

static void *work(void *arg)
{
    worker *w = arg;
    batch *b = w->b;
    const char *dev = jf_context_device(w->ctx)->name;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        int k = b->next < b->ntodo ? b->todo[b->next++] : -1;
        pthread_mutex_unlock(&b->lock);
        if (k < 0) return NULL;
        const cli_job *j = &b->jobs->v[k];
        cli_image guide = {0}, target = {0};
        char why[2048] = "";
        int bits, rc;
        if (make_parent(j->output)) {
            snprintf(why, sizeof why, "cannot make the folder of %s: %s", j->output, strerror(errno));
            rc = -1;
        } else {
            rc = cli_pair_load(b->s, j->guide, j->target, j->output, &guide, &target, &bits, why, sizeof why);
            if (!rc) rc = cli_pair_run(b->s, w->ctx, w->model, &guide, &target, bits, j->output, NULL, NULL, why,
                                       sizeof why);
        }
        cli_free_image(&guide);
        cli_free_image(&target);
        pthread_mutex_lock(&b->lock);
        b->done++;
        if (rc) {
            b->failed++;
            if (b->draw) fputs("\r\033[K", stderr); /* the report replaces the progress line */
            fprintf(stderr, "jfilter: FAILED %s (guide %s) on %s: %s\n", j->target, j->guide, dev,
                    why[0] ? why : "see the message above");
        } else {
            b->ok++;
        }
        if (b->draw) draw_line(b);
        pthread_mutex_unlock(&b->lock);
    }
}

/* Opens a context and the model on the device spec; 0, or -1 (printed). */
static int open_worker(worker *w, const cli_run_settings *s, const char *spec)
{
    return cli_open_model(spec, s->model_path, &w->ctx, &w->model);
}

int cli_batch_run(const cli_run_settings *s, const char *device, int skip_existing, const cli_jobs *jobs)
{
    batch b = {.s = s, .jobs = jobs, .lock = PTHREAD_MUTEX_INITIALIZER};
    int *todo = malloc((size_t)(jobs->n ? jobs->n : 1) * sizeof *todo), skipped = 0, nw = 0, rc = 1;
    worker *w = NULL;
    if (!todo) goto oom;
    b.todo = todo;
    /* resuming: what exists is skipped before any device is opened */
    for (int i = 0; i < jobs->n; i++) {
        if (skip_existing && access(jobs->v[i].output, F_OK) == 0) skipped++;
        else todo[b.ntodo++] = i;
    }
    double t0 = cli_now_ms();
    if (b.ntodo) {
        int ndev = 1;
        int all = device && !strcmp(device, "all");
        if (all && (jf_device_count(&ndev) != JF_OK || ndev < 1)) {
            fprintf(stderr, "jfilter: --device all: no OpenCL device found (%s)\n", jf_last_error(NULL));
            goto done;
        }
        if (!(w = calloc((size_t)ndev, sizeof *w))) goto oom;
        for (int d = 0; d < ndev; d++) {
            char spec[16];
            snprintf(spec, sizeof spec, "%d", d);
            if (open_worker(&w[nw], s, all ? spec : device)) {
                if (!all) goto done;
                fprintf(stderr, "jfilter: warning: device %d left out of the batch\n", d);
                continue;
            }
            w[nw++].b = &b;
        }
        if (!nw) goto done;
        b.draw = !s->quiet && isatty(STDERR_FILENO);
        b.t0 = t0 = cli_now_ms(); /* pairs/s counts the pairs' work, not the kernel builds */
        for (int i = 0; i < nw; i++) {
            if (pthread_create(&w[i].thread, NULL, work, &w[i])) {
                /* the threads started empty the queue; with none, this one does */
                fprintf(stderr, "jfilter: warning: cannot start a thread for device %d\n", i);
                if (i == 0) work(&w[0]);
                break;
            }
            w[i].started = 1;
        }
        for (int i = 0; i < nw; i++)
            if (w[i].started) pthread_join(w[i].thread, NULL);
    }
    double secs = (cli_now_ms() - t0) / 1e3;
    if (!s->quiet) {
        fprintf(stderr, "jfilter: %d done, %d skipped, %d failed in %.1f s (%.2f pairs/s)", b.ok, skipped,
                b.failed, secs, secs > 0 ? b.ok / secs : 0.0);
        if (nw) fprintf(stderr, " on %d device%s", nw, nw > 1 ? "s" : "");
        if (jobs->unmatched)
            fprintf(stderr, "; %d file%s without a partner", jobs->unmatched, jobs->unmatched > 1 ? "s" : "");
        fputc('\n', stderr);
    }
    rc = b.failed || b.ok + skipped < jobs->n ? 1 : 0;
    goto done;
oom:
    fprintf(stderr, "jfilter: out of memory\n");
done:
    for (int i = 0; w && i < nw; i++) {
        jf_model_destroy(w[i].model);
        jf_context_destroy(w[i].ctx);
    }
    free(w);
    free(todo);
    return rc;
}
