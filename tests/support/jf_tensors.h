/* jf_tensors.h - device tensors in the Check suites: seeded random host
 * arrays, and upload / download that fail the test (with the library's
 * message) instead of returning a status. */
#ifndef JF_TENSORS_H
#define JF_TENSORS_H

#include "runtime/runtime.h"

#include <stddef.h>

/* n floats uniform in [lo, hi) from the jft_seed generator; caller frees. */
float *jft_random(size_t n, float lo, float hi);
/* c x h x w planes uniform in [0, 1); caller frees. */
float *jft_random_planes(int c, int h, int w);

/* A new c x h x w tensor holding host[c * h * w]. */
jf_tensor jft_upload(jf_context *ctx, const float *host, int c, int h, int w);
/* A new host copy of t (jf_tensor_count(t) floats); caller frees. */
float *jft_download(jf_context *ctx, const jf_tensor *t);
/* Downloads t, checks it against want (jf_tensor_count(t) floats) to tol,
 * and frees want: the usual last step of an op-against-reference test. */
void jft_expect_tensor(jf_context *ctx, const jf_tensor *t, float *want, double tol);
/* n uninitialised floats (at least one, so n = 0 still allocates); caller frees. */
float *jft_alloc_floats(size_t n);

#endif
