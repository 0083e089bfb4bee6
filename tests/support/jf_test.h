/* jf_test.h - shared helpers of the Check suites: a seeded random generator,
 * float comparisons that report the worst element, paths to the source tree,
 * the build tree and ../shared, a context on the test device, and the suite
 * runner every main() uses. */
#ifndef JF_TEST_H
#define JF_TEST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "jfilter.h"

/* Deterministic uniform floats in [lo, hi). */
void jft_seed(uint64_t seed);
float jft_uniform(float lo, float hi);
void jft_fill(float *x, size_t n, float lo, float hi);

/* Largest |a[i] - b[i]|; *where (may be NULL) receives its index. */
double jft_max_abs_diff(const float *a, const float *b, size_t n, size_t *where);

/* Asserts max |a - b| <= tol and prints the worst element when not. */
#define jft_assert_close(a, b, n, tol)                                                     \
    do {                                                                                   \
        size_t jft_where_ = 0;                                                             \
        double jft_d_ = jft_max_abs_diff((a), (b), (n), &jft_where_);                      \
        ck_assert_msg(jft_d_ <= (tol), "max abs diff %g > %g at %zu (got %g, want %g)",    \
                      jft_d_, (double)(tol), jft_where_, (double)(a)[jft_where_],          \
                      (double)(b)[jft_where_]);                                            \
    } while (0)

/* "<source>/<rel>", "<build>/<rel>", "<shared>/<rel>" in a static buffer (one at a time). */
const char *jft_source_path(const char *rel);
const char *jft_binary_path(const char *rel);
const char *jft_shared_path(const char *rel);
/* For suites labelled needs-shared (tests/CMakeLists.txt sets JFT_NEEDS_SHARED
 * to the ':'-separated paths under the shared folder they read): prints one
 * line naming the first one missing and where it is expected, and returns -1;
 * 0 when all are there. jft_run_tests calls it first. The shared folder is
 * $JF_SHARED_DIR, else the CMake cache variable JF_SHARED_DIR. */
int jft_check_shared(const char *suite);

/* A context on JF_TEST_DEVICE (or the default device). Fails the test, never
 * skips it, when no OpenCL device is there: a run that compiles no kernel must fail. */
jf_context *jft_context(void);

/* Runs a suite with Check and returns the process exit status: failure when
 * a test failed or none ran. */
int jft_run_suite(Suite *s);
/* The whole of a suite's main(): runs tests[0..n) (START_TEST names) as suite
 * `suite` with one test case `tcase`, whose timeout is `timeout` seconds (0
 * keeps Check's default, CK_DEFAULT_TIMEOUT), through jft_run_suite. */
int jft_run_tests(const char *suite, const char *tcase, double timeout, const TTest *const *tests,
                  size_t n);
/* The tests and their count for jft_run_tests: JFT_TESTS(test_a, test_b). */
#define JFT_TESTS(...)                                                                     \
    (const TTest *const[]){__VA_ARGS__},                                                   \
        sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(const TTest *)

/* Tiled runs against untiled ones, in two passes. Pass 0 (JF_CONV=direct):
 * every output is the same sum wherever a tile starts, equal within 1e-6.
 * Pass 1 (the defaults, Winograd F(4x4) for stride-1 3x3 layers on CPUs):
 * an output comes out of its whole 6x6 input tile's transform, so where a
 * model tile starts moves results by float rounding (measured up to 1.1e-5),
 * well inside the models' 1e-4. Sets JF_CONV for the pass (models choose
 * their paths at load: load after this) and returns the pass's tolerance. */
#define JFT_TILING_PASSES 2
static inline double jft_tiling_pass(int pass)
{
    if (pass == 0) setenv("JF_CONV", "direct", 1);
    else unsetenv("JF_CONV");
    return pass == 0 ? 1e-6 : 5e-5;
}

#endif
