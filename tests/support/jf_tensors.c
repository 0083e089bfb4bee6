/* jf_tensors.c - device tensor helpers of the Check suites (see jf_tensors.h). */
#include "jf_tensors.h"

#include "jf_test.h"

#include <stdlib.h>

float *jft_random(size_t n, float lo, float hi)
{
    float *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    jft_fill(x, n, lo, hi);
    return x;
}

float *jft_random_planes(int c, int h, int w)
{
    return jft_random((size_t)c * h * w, 0.0f, 1.0f);
}

jf_tensor jft_upload(jf_context *ctx, const float *host, int c, int h, int w)
{
    jf_tensor t;
    ck_assert_msg(jf_tensor_alloc(ctx, &t, c, h, w) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_msg(jf_tensor_upload(ctx, &t, host) == JF_OK, "%s", jf_last_error(ctx));
    return t;
}

float *jft_download(jf_context *ctx, const jf_tensor *t)
{
    float *x = malloc(jf_tensor_count(t) * sizeof *x);
    ck_assert_ptr_nonnull(x);
    ck_assert_msg(jf_tensor_download(ctx, t, x) == JF_OK, "%s", jf_last_error(ctx));
    return x;
}

void jft_expect_tensor(jf_context *ctx, const jf_tensor *t, float *want, double tol)
{
    float *got = jft_download(ctx, t);
    jft_assert_close(got, want, jf_tensor_count(t), tol);
    free(got);
    free(want);
}

float *jft_alloc_floats(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    ck_assert_ptr_nonnull(p);
    return p;
}
