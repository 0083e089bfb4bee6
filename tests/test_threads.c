/* test_threads.c - the threading contract of include/jfilter.h: contexts are
 * independent, so four threads, each with its own context, running FDKN and
 * the guided filter on inputs of their own, give results bit-identical to the
 * same runs made one after another in one thread. (A context itself serves one
 * thread at a time; the header says why.) */
#include "jf_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 4
#define GW 96
#define GH 72
#define SCALE 8
#define ROUNDS 2

typedef struct job {
    int seed;
    unsigned char guide[GW * GH * 3];
    unsigned short low[(GW / SCALE) * (GH / SCALE)];
    float fdkn[GW * GH], guided[GW * GH];
    jf_status status;
    char error[512];
} job;

static void make_inputs(job *j)
{
    uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(j->seed + 1);
    for (size_t i = 0; i < sizeof j->guide; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        j->guide[i] = (unsigned char)(x >> 24);
    }
    for (size_t i = 0; i < sizeof j->low / sizeof j->low[0]; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        j->low[i] = (unsigned short)(1000 + (x >> 52));
    }
}

/* The model file, resolved once before any thread starts (jft_source_path
 * answers in one static buffer). */
static char model_path[4096];

/* One thread's work: its own context and model, FDKN then the guided filter,
 * ROUNDS times (the later rounds reuse the built kernels and buffers). */
static void *work(void *arg)
{
    job *j = arg;
    jf_context *ctx = NULL;
    jf_model *m = NULL;
    j->status = jf_context_create(&ctx, getenv("JF_DEVICE"));
    if (j->status == JF_OK) j->status = jf_model_load(ctx, model_path, &m);
    jf_image guide = {sizeof(jf_image), GW, GH, 3, JF_PIXEL_U8, JF_ORDER_RGB, 0, j->guide};
    jf_image low = {sizeof(jf_image), GW / SCALE, GH / SCALE, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, j->low};
    jf_image out = {sizeof(jf_image), GW, GH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, j->fdkn};
    jf_image gout = {sizeof(jf_image), GW, GH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, j->guided};
    jf_image target = {sizeof(jf_image), GW, GH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, j->fdkn};
    jf_run_options opt = {.size = sizeof(jf_run_options), .scale = SCALE, .normalize = JF_NORMALIZE_VALID, .invalid = JF_INVALID_ZERO};
    for (int r = 0; r < ROUNDS && j->status == JF_OK; r++) {
        j->status = jf_model_run(m, &guide, &low, &out, &opt);
        /* the guided filter smooths the FDKN result under the same guide */
        if (j->status == JF_OK) j->status = jf_guided_filter(ctx, &guide, &target, &gout, 4, 1e-3f, 1);
    }
    if (j->status != JF_OK) snprintf(j->error, sizeof j->error, "%s", jf_last_error(ctx));
    jf_model_destroy(m);
    jf_context_destroy(ctx);
    return NULL;
}

START_TEST(own_contexts_in_parallel_equal_serial_runs)
{
    static job serial[NTHREADS], parallel[NTHREADS];
    snprintf(model_path, sizeof model_path, "%s", jft_source_path("weights/fdkn_x8.safetensors"));
    for (int t = 0; t < NTHREADS; t++) {
        serial[t].seed = parallel[t].seed = t;
        make_inputs(&serial[t]);
        make_inputs(&parallel[t]);
        work(&serial[t]);
        ck_assert_msg(serial[t].status == JF_OK, "serial run %d: %s", t, serial[t].error);
    }
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_create(&th[t], NULL, work, &parallel[t]), 0);
    for (int t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < NTHREADS; t++) {
        ck_assert_msg(parallel[t].status == JF_OK, "thread %d: %s", t, parallel[t].error);
        ck_assert_msg(!memcmp(parallel[t].fdkn, serial[t].fdkn, sizeof serial[t].fdkn), "thread %d: FDKN differs", t);
        ck_assert_msg(!memcmp(parallel[t].guided, serial[t].guided, sizeof serial[t].guided),
                      "thread %d: guided filter differs", t);
    }
    /* the inputs differ, so equal results are no accident of sharing */
    ck_assert(memcmp(serial[0].fdkn, serial[1].fdkn, sizeof serial[0].fdkn) != 0);
}
END_TEST

int main(void)
{
    return jft_run_tests("threads", "threads", 900, JFT_TESTS(own_contexts_in_parallel_equal_serial_runs));
}
