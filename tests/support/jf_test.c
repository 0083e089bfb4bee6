/* jf_test.c - helpers shared by the Check suites (see jf_test.h). */
#include "jf_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t jft_state = 0x9E3779B97F4A7C15ull;

void jft_seed(uint64_t seed) { jft_state = seed * 0x9E3779B97F4A7C15ull + 1; }

static uint64_t jft_next(void)
{
    /* xorshift64*: small, fast and identical on every platform */
    jft_state ^= jft_state >> 12;
    jft_state ^= jft_state << 25;
    jft_state ^= jft_state >> 27;
    return jft_state * 2685821657736338717ull;
}

float jft_uniform(float lo, float hi)
{
    double u = (double)(jft_next() >> 11) / (double)(1ull << 53);
    return (float)(lo + (hi - lo) * u);
}

void jft_fill(float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) x[i] = jft_uniform(lo, hi);
}

double jft_max_abs_diff(const float *a, const float *b, size_t n, size_t *where)
{
    double worst = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > worst || isnan(d)) {
            worst = isnan(d) ? INFINITY : d;
            at = i;
        }
    }
    if (where) *where = at;
    return worst;
}

static const char *jft_join(const char *root, const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", root, rel);
    return buf;
}

const char *jft_source_path(const char *rel) { return jft_join(JF_SOURCE_DIR, rel); }
const char *jft_binary_path(const char *rel) { return jft_join(JF_BINARY_DIR, rel); }
/* $JF_SHARED_DIR (ctest sets it from the CMake cache variable), else the configured one */
static const char *jft_shared_dir(void)
{
    const char *env = getenv("JF_SHARED_DIR");
    return env && *env ? env : JF_SHARED_DIR;
}

const char *jft_shared_path(const char *rel) { return jft_join(jft_shared_dir(), rel); }

int jft_check_shared(const char *suite)
{
    const char *need = getenv("JFT_NEEDS_SHARED");
    char rel[1024];
    while (need && *need) {
        size_t n = strcspn(need, ":");
        snprintf(rel, sizeof rel, "%.*s", (int)n, need);
        need += n + (need[n] == ':');
        if (!*rel) continue;
        const char *path = jft_shared_path(rel);
        if (access(path, R_OK) != 0) {
            printf("%s: needs the reference data %s, which is missing (put the shared data beside the "
                   "source tree as ../shared, or configure with -DJF_SHARED_DIR=DIR; "
                   "`ctest -LE needs-shared` runs the suites that need none)\n",
                   suite, path);
            fflush(stdout);
            return -1;
        }
    }
    return 0;
}

jf_context *jft_context(void)
{
    jf_context *ctx = NULL;
    jf_status st = jf_context_create(&ctx, getenv("JF_TEST_DEVICE"));
    ck_assert_msg(st == JF_OK, "no OpenCL device for the tests: %s (%s)", jf_status_string(st),
                  jf_last_error(NULL));
    return ctx;
}

int jft_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    int run = srunner_ntests_run(sr);
    srunner_free(sr);
    /* A suite that ran nothing has proven nothing. */
    return (failed == 0 && run > 0) ? EXIT_SUCCESS : EXIT_FAILURE;
}

int jft_run_tests(const char *suite, const char *tcase, double timeout, const TTest *const *tests,
                  size_t n)
{
    if (jft_check_shared(suite) != 0) return EXIT_FAILURE;
    Suite *s = suite_create(suite);
    TCase *tc = tcase_create(tcase);
    if (timeout > 0) tcase_set_timeout(tc, timeout);
    for (size_t i = 0; i < n; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return jft_run_suite(s);
}
