/* safetensors.h - reader for safetensors model files: an 8-byte little-endian
 * header length, a JSON header (name -> dtype, shape, data_offsets, plus a
 * "__metadata__" string map), then raw little-endian tensor data.
 * Every length, offset and shape is checked before it is trusted. */
#ifndef JF_SAFETENSORS_H
#define JF_SAFETENSORS_H

#include "jfilter.h"

#include <stddef.h>
#include <stdint.h>

#define JF_ST_MAX_DIMS 8

typedef enum jf_dtype {
    JF_DT_F32 = 0, JF_DT_F16, JF_DT_BF16, JF_DT_F64,
    JF_DT_I64, JF_DT_I32, JF_DT_I16, JF_DT_I8, JF_DT_U8, JF_DT_BOOL
} jf_dtype;

typedef struct jf_st_tensor {
    char *name;                     /* owned by the jf_safetensors */
    jf_dtype dtype;
    int ndim;
    int64_t shape[JF_ST_MAX_DIMS];
    size_t offset;                  /* byte offset from the start of the data section */
    size_t nbytes;
} jf_st_tensor;

typedef struct jf_safetensors {
    uint8_t *file;                  /* owned copy of the whole file */
    size_t size;
    size_t data_start;              /* 8 + header length */
    jf_st_tensor *tensors;
    int ntensors;
    char **meta_keys, **meta_values;
    int nmeta;
} jf_safetensors;

/* Parses a copy of buf[0..size). On error returns JF_ERR_BAD_FORMAT (or
 * JF_ERR_OUT_OF_MEMORY) with a message in err naming what is wrong, and leaves
 * *out empty (safe to jf_st_free). `what` names the source in messages. */
jf_status jf_st_parse(const void *buf, size_t size, const char *what, jf_safetensors *out,
                      char *err, size_t errlen);
/* Reads and parses a file (JF_ERR_IO when it cannot be read). */
jf_status jf_st_open(const char *path, jf_safetensors *out, char *err, size_t errlen);
void jf_st_free(jf_safetensors *st);
const jf_st_tensor *jf_st_find(const jf_safetensors *st, const char *name);
/* The metadata value for key, or NULL. Borrowed. */
const char *jf_st_meta(const jf_safetensors *st, const char *key);
size_t jf_dtype_size(jf_dtype dt);
/* Element count of a tensor (product of its shape; 1 for a scalar). */
size_t jf_st_numel(const jf_st_tensor *t);
/* Converts the tensor's data (F32, F16, BF16, F64) to float32 in out[numel]. */
jf_status jf_st_read_f32(const jf_safetensors *st, const jf_st_tensor *t, float *out,
                         char *err, size_t errlen);

#endif
