/* safetensors.c - parser for safetensors model files (see safetensors.h).
 * The file is copied into memory once; the JSON header is decoded with jansson
 * and every dtype, shape and offset is validated against the data section. */
#include "io/safetensors.h"
#include "io/read_file.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A header larger than this is not a model file we could ever use; refusing it
 * early keeps a corrupt length from driving a huge allocation in jansson. */
#define JF_ST_MAX_HEADER ((uint64_t)100 * 1024 * 1024)

static const struct {
    const char *name;
    jf_dtype dt;
    size_t size;
} st_dtypes[] = {
    {"F32", JF_DT_F32, 4}, {"F16", JF_DT_F16, 2}, {"BF16", JF_DT_BF16, 2},
    {"F64", JF_DT_F64, 8}, {"I64", JF_DT_I64, 8}, {"I32", JF_DT_I32, 4},
    {"I16", JF_DT_I16, 2}, {"I8", JF_DT_I8, 1},   {"U8", JF_DT_U8, 1},
    {"BOOL", JF_DT_BOOL, 1},
};
#define ST_NDTYPES (sizeof st_dtypes / sizeof st_dtypes[0])

size_t jf_dtype_size(jf_dtype dt)
{
    for (size_t i = 0; i < ST_NDTYPES; i++)
        if (st_dtypes[i].dt == dt) return st_dtypes[i].size;
    return 0;
}

static const char *st_dtype_name(jf_dtype dt)
{
    for (size_t i = 0; i < ST_NDTYPES; i++)
        if (st_dtypes[i].dt == dt) return st_dtypes[i].name;
    return "?";
}

size_t jf_st_numel(const jf_st_tensor *t)
{
    size_t n = 1;
    /* Shapes were checked for overflow at parse time. */
    for (int i = 0; i < t->ndim; i++) n *= (size_t)t->shape[i];
    return n;
}

void jf_st_free(jf_safetensors *st)
{
    if (!st) return;
    for (int i = 0; i < st->ntensors; i++) free(st->tensors[i].name);
    free(st->tensors);
    for (int i = 0; i < st->nmeta; i++) {
        free(st->meta_keys[i]);
        free(st->meta_values[i]);
    }
    free(st->meta_keys);
    free(st->meta_values);
    free(st->file);
    memset(st, 0, sizeof *st);
}

static uint64_t st_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* A JSON integer that is a non-negative count; rejects reals and negatives. */
static int st_json_u64(const json_t *v, uint64_t *out)
{
    if (!json_is_integer(v)) return 0;
    json_int_t x = json_integer_value(v);
    if (x < 0) return 0;
    *out = (uint64_t)x;
    return 1;
}

static int st_cmp_offset(const void *a, const void *b)
{
    const jf_st_tensor *x = *(const jf_st_tensor *const *)a;
    const jf_st_tensor *y = *(const jf_st_tensor *const *)b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Validates one tensor entry and fills *t (name not set here). */
static jf_status st_parse_tensor(const char *what, const char *name, json_t *v, size_t data_size,
                                 jf_st_tensor *t, char *err, size_t errlen)
{
    if (!json_is_object(v)) {
        jf_io_errf(err, errlen, "%s: tensor '%s': entry is not a JSON object", what, name);
        return JF_ERR_BAD_FORMAT;
    }
    json_t *jd = json_object_get(v, "dtype");
    if (!jd) {
        jf_io_errf(err, errlen, "%s: tensor '%s': missing \"dtype\"", what, name);
        return JF_ERR_BAD_FORMAT;
    }
    if (!json_is_string(jd)) {
        jf_io_errf(err, errlen, "%s: tensor '%s': \"dtype\" is not a string", what, name);
        return JF_ERR_BAD_FORMAT;
    }
    const char *ds = json_string_value(jd);
    size_t esize = 0;
    for (size_t i = 0; i < ST_NDTYPES; i++) {
        if (strcmp(ds, st_dtypes[i].name) == 0) {
            t->dtype = st_dtypes[i].dt;
            esize = st_dtypes[i].size;
        }
    }
    if (esize == 0) {
        jf_io_errf(err, errlen, "%s: tensor '%s': unknown dtype \"%.32s\"", what, name, ds);
        return JF_ERR_BAD_FORMAT;
    }

    json_t *js = json_object_get(v, "shape");
    if (!js || !json_is_array(js)) {
        jf_io_errf(err, errlen, "%s: tensor '%s': %s \"shape\"", what, name,
                   js ? "non-array" : "missing");
        return JF_ERR_BAD_FORMAT;
    }
    size_t nd = json_array_size(js);
    if (nd > JF_ST_MAX_DIMS) {
        jf_io_errf(err, errlen, "%s: tensor '%s': %zu dimensions (at most %d supported)", what, name,
                   nd, JF_ST_MAX_DIMS);
        return JF_ERR_BAD_FORMAT;
    }
    t->ndim = (int)nd;
    size_t numel = 1;
    int overflow = 0;
    for (size_t i = 0; i < nd; i++) {
        json_t *jv = json_array_get(js, i);
        if (!json_is_integer(jv) || json_integer_value(jv) < 0) {
            jf_io_errf(err, errlen, "%s: tensor '%s': shape[%zu] is not a non-negative integer", what,
                       name, i);
            return JF_ERR_BAD_FORMAT;
        }
        uint64_t d = (uint64_t)json_integer_value(jv);
        if (d > (uint64_t)INT64_MAX || d > (uint64_t)SIZE_MAX) overflow = 1;
        t->shape[i] = (int64_t)d;
        /* Keep multiplying (unless already overflowed) so a zero dim later still
         * gives numel 0; overflow anywhere is rejected regardless. */
        if (!overflow && d != 0 && numel > SIZE_MAX / (size_t)d) overflow = 1;
        if (!overflow) numel *= (size_t)d;
    }
    if (overflow || numel > SIZE_MAX / esize) {
        jf_io_errf(err, errlen, "%s: tensor '%s': shape is too large (element count overflows)",
                   what, name);
        return JF_ERR_BAD_FORMAT;
    }

    json_t *jo = json_object_get(v, "data_offsets");
    if (!jo || !json_is_array(jo) || json_array_size(jo) != 2) {
        jf_io_errf(err, errlen, "%s: tensor '%s': \"data_offsets\" %s", what, name,
                   jo ? "is not a [begin, end] pair" : "is missing");
        return JF_ERR_BAD_FORMAT;
    }
    uint64_t b, e;
    if (!st_json_u64(json_array_get(jo, 0), &b) || !st_json_u64(json_array_get(jo, 1), &e)) {
        jf_io_errf(err, errlen, "%s: tensor '%s': \"data_offsets\" are not non-negative integers",
                   what, name);
        return JF_ERR_BAD_FORMAT;
    }
    if (e < b) {
        jf_io_errf(err, errlen, "%s: tensor '%s': data_offsets [%llu, %llu] end before they begin",
                   what, name, (unsigned long long)b, (unsigned long long)e);
        return JF_ERR_BAD_FORMAT;
    }
    if (e > (uint64_t)data_size) {
        jf_io_errf(err, errlen,
                   "%s: tensor '%s': data_offsets [%llu, %llu] exceed the data section (%zu bytes)",
                   what, name, (unsigned long long)b, (unsigned long long)e, data_size);
        return JF_ERR_BAD_FORMAT;
    }
    size_t nbytes = numel * esize;
    if (e - b != (uint64_t)nbytes) {
        jf_io_errf(err, errlen,
                   "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes but shape and dtype %s "
                   "need %zu",
                   what, name, (unsigned long long)b, (unsigned long long)e,
                   (unsigned long long)(e - b), ds, nbytes);
        return JF_ERR_BAD_FORMAT;
    }
    t->offset = (size_t)b;
    t->nbytes = nbytes;
    return JF_OK;
}

static char *st_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static jf_status st_parse_metadata(const char *what, json_t *meta, jf_safetensors *out, char *err,
                                   size_t errlen)
{
    if (!json_is_object(meta)) {
        jf_io_errf(err, errlen, "%s: \"__metadata__\" is not an object", what);
        return JF_ERR_BAD_FORMAT;
    }
    size_t n = json_object_size(meta);
    if (n == 0) return JF_OK;
    out->meta_keys = calloc(n, sizeof(char *));
    out->meta_values = calloc(n, sizeof(char *));
    if (!out->meta_keys || !out->meta_values) goto oom;
    const char *k;
    json_t *v;
    json_object_foreach(meta, k, v) {
        if (!json_is_string(v)) {
            jf_io_errf(err, errlen, "%s: metadata '%s' is not a string", what, k);
            return JF_ERR_BAD_FORMAT;
        }
        if ((size_t)out->nmeta >= n) break; /* cannot happen; guards the arrays */
        char *ks = st_strdup(k), *vs = st_strdup(json_string_value(v));
        if (!ks || !vs) {
            free(ks);
            free(vs);
            goto oom;
        }
        out->meta_keys[out->nmeta] = ks;
        out->meta_values[out->nmeta] = vs;
        out->nmeta++;
    }
    return JF_OK;
oom:
    jf_io_errf(err, errlen, "%s: out of memory reading metadata", what);
    return JF_ERR_OUT_OF_MEMORY;
}

jf_status jf_st_parse(const void *buf, size_t size, const char *what, jf_safetensors *out,
                      char *err, size_t errlen)
{
    if (!what) what = "safetensors";
    if (err && errlen) err[0] = '\0';
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!buf && size) return JF_ERR_INVALID_ARGUMENT;
    if (size < 8) {
        jf_io_errf(err, errlen, "%s: file is %zu bytes, too short for a safetensors header", what,
                   size);
        return JF_ERR_BAD_FORMAT;
    }
    const uint8_t *b8 = buf;
    uint64_t hlen = st_le64(b8);
    if (hlen > (uint64_t)(size - 8)) {
        jf_io_errf(err, errlen, "%s: header length %llu runs past the end of the file (%zu bytes)",
                   what, (unsigned long long)hlen, size);
        return JF_ERR_BAD_FORMAT;
    }
    if (hlen > JF_ST_MAX_HEADER) {
        jf_io_errf(err, errlen, "%s: header length %llu is implausibly large", what,
                   (unsigned long long)hlen);
        return JF_ERR_BAD_FORMAT;
    }
    if (hlen < 2) {
        jf_io_errf(err, errlen, "%s: header length %llu is too short for a JSON object", what,
                   (unsigned long long)hlen);
        return JF_ERR_BAD_FORMAT;
    }

    jf_status status = JF_OK;
    json_t *root = NULL;
    jf_st_tensor **order = NULL;
    out->file = malloc(size);
    if (!out->file) {
        jf_io_errf(err, errlen, "%s: out of memory (%zu bytes)", what, size);
        return JF_ERR_OUT_OF_MEMORY;
    }
    memcpy(out->file, buf, size);
    out->size = size;
    out->data_start = 8 + (size_t)hlen;
    size_t data_size = size - out->data_start;

    json_error_t jerr;
    /* json_loadb needs no NUL terminator; the header may be padded with spaces. */
    root = json_loadb((const char *)out->file + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        jf_io_errf(err, errlen, "%s: header is not valid JSON (%s at offset %d)", what, jerr.text,
                   jerr.position);
        status = JF_ERR_BAD_FORMAT;
        goto fail;
    }
    if (!json_is_object(root)) {
        jf_io_errf(err, errlen, "%s: header is not a JSON object", what);
        status = JF_ERR_BAD_FORMAT;
        goto fail;
    }
    size_t nkeys = json_object_size(root);
    if (nkeys > (size_t)INT_MAX) {
        jf_io_errf(err, errlen, "%s: too many tensors", what);
        status = JF_ERR_BAD_FORMAT;
        goto fail;
    }
    if (nkeys) {
        out->tensors = calloc(nkeys, sizeof *out->tensors);
        if (!out->tensors) {
            jf_io_errf(err, errlen, "%s: out of memory", what);
            status = JF_ERR_OUT_OF_MEMORY;
            goto fail;
        }
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "__metadata__") == 0) {
            status = st_parse_metadata(what, val, out, err, errlen);
            if (status != JF_OK) goto fail;
            continue;
        }
        if ((size_t)out->ntensors >= nkeys) break;
        jf_st_tensor *t = &out->tensors[out->ntensors];
        status = st_parse_tensor(what, key, val, data_size, t, err, errlen);
        if (status != JF_OK) goto fail;
        t->name = st_strdup(key);
        if (!t->name) {
            jf_io_errf(err, errlen, "%s: out of memory", what);
            status = JF_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        out->ntensors++;
    }

    /* Overlapping tensors would mean a corrupt or hand-crafted file; catching it
     * here keeps aliasing surprises out of the model loader. */
    if (out->ntensors > 1) {
        order = malloc((size_t)out->ntensors * sizeof *order);
        if (!order) {
            jf_io_errf(err, errlen, "%s: out of memory", what);
            status = JF_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        for (int i = 0; i < out->ntensors; i++) order[i] = &out->tensors[i];
        qsort(order, (size_t)out->ntensors, sizeof *order, st_cmp_offset);
        for (int i = 1; i < out->ntensors; i++) {
            const jf_st_tensor *p = order[i - 1], *q = order[i];
            if (p->nbytes && q->nbytes && p->offset + p->nbytes > q->offset) {
                jf_io_errf(err, errlen, "%s: tensor '%s': data overlaps tensor '%s'", what, q->name,
                           p->name);
                status = JF_ERR_BAD_FORMAT;
                goto fail;
            }
        }
        free(order);
        order = NULL;
    }
    json_decref(root);
    return JF_OK;

fail:
    free(order);
    if (root) json_decref(root);
    jf_st_free(out);
    return status;
}

jf_status jf_st_open(const char *path, jf_safetensors *out, char *err, size_t errlen)
{
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!path) return JF_ERR_INVALID_ARGUMENT;
    uint8_t *data;
    size_t size;
    jf_status status = jf_io_read_all(path, &data, &size, err, errlen);
    if (status != JF_OK) return status;
    status = jf_st_parse(data, size, path, out, err, errlen);
    free(data);
    return status;
}

const jf_st_tensor *jf_st_find(const jf_safetensors *st, const char *name)
{
    if (!st || !name) return NULL;
    for (int i = 0; i < st->ntensors; i++)
        if (strcmp(st->tensors[i].name, name) == 0) return &st->tensors[i];
    return NULL;
}

const char *jf_st_meta(const jf_safetensors *st, const char *key)
{
    if (!st || !key) return NULL;
    for (int i = 0; i < st->nmeta; i++)
        if (strcmp(st->meta_keys[i], key) == 0) return st->meta_values[i];
    return NULL;
}

/* IEEE half -> float by bit manipulation, so the result does not depend on the
 * compiler's _Float16 support; subnormals, infinities and NaN are kept. */
static float st_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t man = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {
            /* subnormal: normalize the mantissa into float's wider exponent */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400u));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3FFu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

jf_status jf_st_read_f32(const jf_safetensors *st, const jf_st_tensor *t, float *out, char *err,
                         size_t errlen)
{
    if (!st || !t || (!out && t->nbytes)) return JF_ERR_INVALID_ARGUMENT;
    size_t n = jf_st_numel(t);
    size_t es = jf_dtype_size(t->dtype);
    /* Re-check against the file: the tensor struct is caller-visible and writable. */
    if (es == 0 || t->offset > st->size - st->data_start ||
        t->nbytes > st->size - st->data_start - t->offset || n * es != t->nbytes) {
        jf_io_errf(err, errlen, "tensor '%s': offsets do not fit the file", t->name ? t->name : "?");
        return JF_ERR_BAD_FORMAT;
    }
    const uint8_t *p = st->file + st->data_start + t->offset;
    switch (t->dtype) {
    case JF_DT_F32:
        for (size_t i = 0; i < n; i++) {
            const uint8_t *q = p + 4 * i;
            uint32_t u = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                         (uint32_t)q[3] << 24;
            memcpy(&out[i], &u, 4);
        }
        return JF_OK;
    case JF_DT_F16:
        for (size_t i = 0; i < n; i++)
            out[i] = st_half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        return JF_OK;
    case JF_DT_BF16:
        for (size_t i = 0; i < n; i++) {
            /* bfloat16 is the top half of a float32 */
            uint32_t u = ((uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8) << 16;
            memcpy(&out[i], &u, 4);
        }
        return JF_OK;
    case JF_DT_F64:
        for (size_t i = 0; i < n; i++) {
            uint64_t u = st_le64(p + 8 * i);
            double d;
            memcpy(&d, &u, 8);
            out[i] = (float)d;
        }
        return JF_OK;
    default:
        jf_io_errf(err, errlen, "tensor '%s': dtype %s cannot be read as float32",
                   t->name ? t->name : "?", st_dtype_name(t->dtype));
        return JF_ERR_UNSUPPORTED;
    }
}
