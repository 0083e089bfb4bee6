/* fuzz_safetensors.c - libFuzzer target: the safetensors parser
 * (jf_st_parse) on arbitrary bytes, then every tensor it accepts read back as
 * float32 (jf_st_read_f32), every name and metadata key looked up again.
 * Whatever the parser accepts must be safe to use as the loaders use it: the
 * checks below abort (a crash libFuzzer reports) when an accepted tensor does
 * not fit the file. */
#include "io/safetensors.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jf_safetensors st;
    char err[512];
    if (jf_st_parse(data, size, "fuzz", &st, err, sizeof err) != JF_OK) {
        /* a refused file leaves nothing behind, and says why */
        if (st.file || st.tensors || st.meta_keys || !err[0]) abort();
        return 0;
    }
    if (st.data_start > st.size) abort();
    size_t data_size = st.size - st.data_start;
    for (int i = 0; i < st.ntensors; i++) {
        const jf_st_tensor *t = &st.tensors[i];
        if (t->offset > data_size || t->nbytes > data_size - t->offset) abort();
        if (jf_st_numel(t) * jf_dtype_size(t->dtype) != t->nbytes) abort();
        if (jf_st_find(&st, t->name) == NULL) abort();
        /* float32 copies are at most 4/1 the size of the data (an 8-bit
         * tensor); the data itself is bounded by the input */
        size_t n = jf_st_numel(t);
        float *out = malloc((n ? n : 1) * sizeof *out);
        if (!out) abort();
        jf_status s = jf_st_read_f32(&st, t, out, err, sizeof err);
        int is_float = t->dtype == JF_DT_F32 || t->dtype == JF_DT_F16 || t->dtype == JF_DT_BF16 ||
                       t->dtype == JF_DT_F64;
        if (is_float ? s != JF_OK : s != JF_ERR_UNSUPPORTED) abort();
        /* touch every value so a short read shows under ASan/MSan */
        volatile float sink = 0;
        for (size_t k = 0; s == JF_OK && k < n; k++) sink += out[k];
        (void)sink;
        free(out);
    }
    for (int i = 0; i < st.nmeta; i++)
        if (jf_st_meta(&st, st.meta_keys[i]) == NULL) abort();
    jf_st_free(&st);
    return 0;
}
