/* test_faults.c - the fault walk (runtime/faults.h): for a full FDKN, DKN,
 * SVLRM, guided-filter, Fang and Fan job (model load, run, destroy), every device
 * allocation, enqueue, kernel creation and host allocation is made to fail in
 * turn. Each failure must come back as the status the real failure gives,
 * with a message; leave no device object behind (buffers counted through the
 * hook); and leave the context working: the same job then runs and gives the
 * result of an undisturbed run. Program builds are walked on fresh contexts
 * over a warm binary cache (a failing cached build falls back to a source
 * build, so the job still succeeds), and once from source with no cache. */
#include "jf_test.h"
#include "runtime/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 40
#define H 32
#define SCALE 8

static unsigned char guide_px[W * H * 3];
static float low_px[(W / SCALE) * (H / SCALE)], full_px[W * H];

typedef struct job {
    const char *name;
    const char *weights; /* NULL: the guided filter */
    int full_target;     /* 1: a gray target at the guide's size; 2: the guide itself as the target */
} job;

static const job jobs[] = {
    {"fdkn", "weights/fdkn_x8.safetensors", 0},
    {"dkn", "weights/dkn_x8.safetensors", 0},
    {"svlrm", "weights/svlrm_x8.safetensors", 0},
    {"guided", NULL, 0},
    {"fang", "weights/fang_wls.safetensors", 1}, /* lambda-conditioned weights made per run, instance norm */
    {"fan", "weights/fan_smooth.safetensors", 2}, /* colour target, transposed convolution */
};

static void make_inputs(void)
{
    jft_seed(7);
    for (int i = 0; i < W * H * 3; i++) guide_px[i] = (unsigned char)jft_uniform(0, 255);
    jft_fill(low_px, sizeof low_px / sizeof low_px[0], 0.1f, 0.9f);
    jft_fill(full_px, sizeof full_px / sizeof full_px[0], 0.1f, 0.9f);
}

/* The whole job on ctx: load, run, destroy. */
static jf_status run_job(jf_context *ctx, const job *j, float *out)
{
    jf_image guide = {sizeof(jf_image), W, H, 3, JF_PIXEL_U8, JF_ORDER_RGB, 0, guide_px};
    jf_image low = {sizeof(jf_image), W / SCALE, H / SCALE, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, low_px};
    jf_image full = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, full_px};
    jf_image o = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    if (!j->weights) return jf_guided_filter(ctx, &guide, &full, &o, 3, 1e-3f, 1);
    jf_model *m = NULL;
    jf_status s = jf_model_load(ctx, jft_source_path(j->weights), &m);
    if (j->full_target == 2) {
        static float colour[W * H * 3];
        jf_image co = {sizeof co, W, H, 3, JF_PIXEL_F32, JF_ORDER_RGB, 0, colour};
        if (s == JF_OK) s = jf_model_smooth(m, &guide, &co, NULL);
        if (s == JF_OK) memcpy(out, colour, sizeof(float) * W * H); /* the first plane's worth is compared */
    } else if (s == JF_OK) {
        s = jf_model_run(m, &guide, j->full_target ? &full : &low, &o, NULL);
    }
    jf_model_destroy(m);
    return s;
}

/* What a failure at a site may come back as. */
static int expected_status(jf_fault_site site, jf_status s)
{
    switch (site) {
    case JF_FAULT_DEVICE_ALLOC: return s == JF_ERR_DEVICE_MEMORY;
    case JF_FAULT_ENQUEUE: return s == JF_ERR_DEVICE_MEMORY; /* CL_OUT_OF_RESOURCES, CLBlast's likewise */
    case JF_FAULT_BUILD: return s == JF_ERR_BUILD || s == JF_ERR_DEVICE_MEMORY;
    case JF_FAULT_HOST_ALLOC: return s == JF_ERR_OUT_OF_MEMORY;
    default: return 0;
    }
}

/* Walks every call of `site` in one job on one warm context; returns the count. */
static long walk_site(jf_context *ctx, const job *j, jf_fault_site site, const float *want)
{
    static float out[W * H];
    jf_fault_arm(site, 0);
    ck_assert_int_eq(run_job(ctx, j, out), JF_OK);
    long total = jf_fault_calls(site);
    for (long n = 1; n <= total; n++) {
        long live = jf_live_count(JF_LIVE_MEM);
        jf_fault_arm(site, n);
        jf_status s = run_job(ctx, j, out);
        jf_fault_arm(site, 0);
        ck_assert_msg(s != JF_OK, "%s: %s call %ld of %ld failed, but the job succeeded", j->name,
                      jf_fault_site_name(site), n, total);
        ck_assert_msg(expected_status(site, s), "%s: %s call %ld gave %s: %s", j->name, jf_fault_site_name(site), n,
                      jf_status_string(s), jf_last_error(ctx));
        ck_assert_msg(strlen(jf_last_error(ctx)) > 10, "%s: %s call %ld: no message", j->name,
                      jf_fault_site_name(site), n);
        ck_assert_msg(jf_live_count(JF_LIVE_MEM) == live, "%s: %s call %ld leaked %ld device buffers", j->name,
                      jf_fault_site_name(site), n, jf_live_count(JF_LIVE_MEM) - live);
        /* the context still works, and gives the undisturbed result */
        ck_assert_msg(run_job(ctx, j, out) == JF_OK, "%s: after %s call %ld: %s", j->name, jf_fault_site_name(site),
                      n, jf_last_error(ctx));
        ck_assert_msg(!memcmp(out, want, sizeof out), "%s: after %s call %ld the result differs", j->name,
                      jf_fault_site_name(site), n);
    }
    return total;
}

START_TEST(every_run_site_fails_cleanly)
{
    make_inputs();
    const job *j = &jobs[_i];
    static float want[W * H];
    jf_context *ctx = jft_context();
    ck_assert_msg(run_job(ctx, j, want) == JF_OK, "%s: %s", j->name, jf_last_error(ctx));
    long mem0 = jf_live_count(JF_LIVE_MEM);
    long walked = 0;
    const jf_fault_site sites[] = {JF_FAULT_DEVICE_ALLOC, JF_FAULT_ENQUEUE, JF_FAULT_HOST_ALLOC};
    for (int k = 0; k < 3; k++) {
        long n = walk_site(ctx, j, sites[k], want);
        ck_assert_msg(n > 0 || sites[k] == JF_FAULT_HOST_ALLOC, "%s makes no %s call", j->name,
                      jf_fault_site_name(sites[k]));
        printf("fault walk %s: %ld %s sites\n", j->name, n, jf_fault_site_name(sites[k]));
        walked += n;
    }
    ck_assert_int_eq(jf_live_count(JF_LIVE_MEM), mem0);
    jf_context_destroy(ctx);
    ck_assert_int_eq(jf_live_count(JF_LIVE_MEM), 0);
    ck_assert_int_eq(jf_live_count(JF_LIVE_PROGRAM), 0);
    ck_assert_int_eq(jf_live_count(JF_LIVE_KERNEL), 0);
    printf("fault walk %s: %ld sites in all\n", j->name, walked);
    fflush(stdout);
}
END_TEST

/* Builds: each program build and kernel creation of a fresh context fails in
 * turn, over a warm binary cache. */
START_TEST(every_build_site_fails_cleanly)
{
    make_inputs();
    const job *j = &jobs[_i];
    static float want[W * H], out[W * H];
    char cache[4096];
    snprintf(cache, sizeof cache, "%s", jft_binary_path("test-cache-faults"));
    setenv("JF_CACHE_DIR", cache, 1);
    jf_context *ctx = jft_context();
    ck_assert_int_eq(run_job(ctx, j, want), JF_OK); /* warms the cache */
    jf_context_destroy(ctx);
    jf_fault_arm(JF_FAULT_BUILD, 0);
    ctx = jft_context();
    ck_assert_int_eq(run_job(ctx, j, out), JF_OK);
    jf_context_destroy(ctx);
    long total = jf_fault_calls(JF_FAULT_BUILD);
    ck_assert_int_gt(total, 0);
    int recovered = 0;
    for (long n = 1; n <= total; n++) {
        ctx = jft_context();
        jf_fault_arm(JF_FAULT_BUILD, n);
        jf_status s = run_job(ctx, j, out);
        jf_fault_arm(JF_FAULT_BUILD, 0);
        if (s == JF_OK) {
            recovered++; /* a cached binary that fails to build is rebuilt from source */
            ck_assert_msg(!memcmp(out, want, sizeof out), "%s: build %ld recovered with another result", j->name, n);
        } else {
            ck_assert_msg(expected_status(JF_FAULT_BUILD, s), "%s: build %ld gave %s: %s", j->name, n,
                          jf_status_string(s), jf_last_error(ctx));
            ck_assert_int_eq(run_job(ctx, j, out), JF_OK);
            ck_assert(!memcmp(out, want, sizeof out));
        }
        jf_context_destroy(ctx);
        ck_assert_int_eq(jf_live_count(JF_LIVE_PROGRAM), 0);
        ck_assert_int_eq(jf_live_count(JF_LIVE_KERNEL), 0);
        ck_assert_int_eq(jf_live_count(JF_LIVE_MEM), 0);
    }
    printf("fault walk %s: %ld build sites (%d recovered from the cache's failure)\n", j->name, total, recovered);
    /* from source with no cache, the first build failing is the run's failure, with its log */
    setenv("JF_CACHE_DIR", "off", 1);
    ctx = jft_context();
    jf_fault_arm(JF_FAULT_BUILD, 1);
    jf_status s = run_job(ctx, j, out);
    jf_fault_arm(JF_FAULT_BUILD, 0);
    ck_assert_msg(s == JF_ERR_BUILD, "%s: a failed source build gave %s", j->name, jf_status_string(s));
    ck_assert_int_eq(run_job(ctx, j, out), JF_OK);
    jf_context_destroy(ctx);
    unsetenv("JF_CACHE_DIR");
    fflush(stdout);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 1200);
    int n = (int)(sizeof jobs / sizeof jobs[0]);
    tcase_add_loop_test(tc, every_run_site_fails_cleanly, 0, n);
    tcase_add_loop_test(tc, every_build_site_fails_cleanly, 0, n);
    suite_add_tcase(s, tc);
    return jft_run_suite(s);
}
