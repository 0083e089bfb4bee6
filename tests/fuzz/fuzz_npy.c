/* fuzz_npy.c - libFuzzer target: the .npy reader (jf_npy_read_memory, which
 * jf_npy_read runs on files too) on arbitrary bytes: header dict scanner,
 * dtypes, shapes, C and Fortran order. An accepted array must have a
 * non-negative shape of at most 4 dims and a float buffer holding every
 * element (read back here); a refused one leaves nothing and a message. */
#include "io/npy.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jf_npy a;
    char err[512];
    if (jf_npy_read_memory(data, size, "fuzz", &a, err, sizeof err) != JF_OK) {
        if (a.data || a.ndim || !err[0]) abort();
        return 0;
    }
    if (a.ndim < 0 || a.ndim > JF_NPY_MAX_DIMS || !a.data) abort();
    size_t n = 1;
    for (int d = 0; d < a.ndim; d++) {
        if (a.shape[d] < 0) abort();
        n *= (size_t)a.shape[d];
    }
    /* every element came from the input: at least one byte each */
    if (n > size) abort();
    volatile float sink = 0;
    for (size_t i = 0; i < n; i++) sink += a.data[i];
    (void)sink;
    jf_npy_free(&a);
    return 0;
}
