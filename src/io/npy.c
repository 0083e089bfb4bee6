/* npy.c - NumPy .npy reader and writer (see npy.h).
 * The header is a Python dict literal; a small bounded scanner pulls out
 * 'descr', 'fortran_order' and 'shape' without trusting any length in it. */
#include "io/npy.h"
#include "io/atomic_file.h"
#include "io/read_file.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Real headers are a few hundred bytes; a limit keeps a corrupt length from
 * driving a huge allocation. */
#define NPY_MAX_HEADER (1u << 20)

void jf_npy_free(jf_npy *a)
{
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

typedef enum { NPY_F4, NPY_F8, NPY_U1, NPY_U2 } npy_kind;

/* Cursor over the header text: every read is bounded by end. */
typedef struct {
    const char *p, *end;
} npy_cur;

static void npy_ws(npy_cur *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p)) c->p++;
}

static int npy_eat(npy_cur *c, char ch)
{
    npy_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted Python string ('..' or ".."), without escapes (npy never needs them).
 * Copies up to cap-1 chars into buf; returns 0 when malformed or too long. */
static int npy_string(npy_cur *c, char *buf, size_t cap)
{
    npy_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap) return 0;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end) return 0;
    c->p++;
    buf[n] = '\0';
    return 1;
}

static int npy_word(npy_cur *c, const char *w)
{
    npy_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* Skips one value we do not care about (a string, word, number or tuple). */
static int npy_skip_value(npy_cur *c)
{
    char tmp[256];
    npy_ws(c);
    if (c->p >= c->end) return 0;
    if (*c->p == '\'' || *c->p == '"') return npy_string(c, tmp, sizeof tmp);
    int depth = 0;
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == '(' || ch == '[') depth++;
        else if (ch == ')' || ch == ']') {
            if (depth == 0) return 0;
            depth--;
        } else if ((ch == ',' || ch == '}') && depth == 0) {
            return 1;
        }
        c->p++;
    }
    return 0;
}

/* Parses the shape tuple "(a, b, )" into shape[]; *ndim may exceed the max, in
 * which case the caller reports it. */
static int npy_shape(npy_cur *c, int64_t *shape, int *ndim, int *too_many)
{
    *ndim = 0;
    *too_many = 0;
    if (!npy_eat(c, '(')) return 0;
    for (;;) {
        npy_ws(c);
        if (npy_eat(c, ')')) return 1;
        if (c->p >= c->end || !isdigit((unsigned char)*c->p)) return 0;
        int64_t v = 0;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            int d = *c->p++ - '0';
            if (v > (INT64_MAX - d) / 10) return 0;
            v = v * 10 + d;
        }
        /* Python 2 era files may write longs as "3L". */
        if (c->p < c->end && *c->p == 'L') c->p++;
        if (*ndim < JF_NPY_MAX_DIMS)
            shape[*ndim] = v;
        else
            *too_many = 1;
        (*ndim)++;
        if (*ndim > 64) return 0;
        if (npy_eat(c, ',')) continue;
        if (npy_eat(c, ')')) return 1;
        return 0;
    }
}

/* Parses the header dict; on failure writes a message and returns a status. */
static jf_status npy_parse_header(const char *path, const char *h, size_t hlen, npy_kind *kind,
                                  int *fortran, jf_npy *out, char *err, size_t errlen)
{
    npy_cur c = {h, h + hlen};
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    char descr[32] = "";
    if (!npy_eat(&c, '{')) {
        jf_io_errf(err, errlen, "%s: header is not a dict", path);
        return JF_ERR_BAD_FORMAT;
    }
    for (;;) {
        if (npy_eat(&c, '}')) break;
        char key[64];
        if (!npy_string(&c, key, sizeof key) || !npy_eat(&c, ':')) {
            jf_io_errf(err, errlen, "%s: malformed header dict", path);
            return JF_ERR_BAD_FORMAT;
        }
        if (strcmp(key, "descr") == 0) {
            /* Only checked once the whole dict has parsed, so a broken header
             * reports as malformed rather than as an odd dtype. */
            if (!npy_string(&c, descr, sizeof descr)) {
                jf_io_errf(err, errlen, "%s: 'descr' is not a simple dtype string", path);
                return JF_ERR_UNSUPPORTED;
            }
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (npy_word(&c, "True")) *fortran = 1;
            else if (npy_word(&c, "False")) *fortran = 0;
            else {
                jf_io_errf(err, errlen, "%s: 'fortran_order' is not True or False", path);
                return JF_ERR_BAD_FORMAT;
            }
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            int too_many;
            if (!npy_shape(&c, out->shape, &out->ndim, &too_many)) {
                jf_io_errf(err, errlen, "%s: 'shape' is not a tuple of non-negative integers",
                           path);
                return JF_ERR_BAD_FORMAT;
            }
            if (too_many) {
                jf_io_errf(err, errlen, "%s: %d dimensions (at most %d supported)", path,
                           out->ndim, JF_NPY_MAX_DIMS);
                out->ndim = 0;
                return JF_ERR_UNSUPPORTED;
            }
            have_shape = 1;
        } else if (!npy_skip_value(&c)) {
            jf_io_errf(err, errlen, "%s: malformed value for header key '%s'", path, key);
            return JF_ERR_BAD_FORMAT;
        }
        if (npy_eat(&c, ',')) continue;
        if (npy_eat(&c, '}')) break;
        jf_io_errf(err, errlen, "%s: malformed header dict", path);
        return JF_ERR_BAD_FORMAT;
    }
    if (!have_descr || !have_fortran || !have_shape) {
        jf_io_errf(err, errlen, "%s: header lacks '%s'", path,
                   !have_descr ? "descr" : !have_fortran ? "fortran_order" : "shape");
        return JF_ERR_BAD_FORMAT;
    }
    /* '=' is native order: the writer's host order, which is only known to be
     * little-endian when ours is. '|' marks single-byte types. */
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    if (descr[0] == '=' && first == 1) descr[0] = '<';
    const char *d = descr;
    if (!strcmp(d, "<f4")) *kind = NPY_F4;
    else if (!strcmp(d, "<f8")) *kind = NPY_F8;
    else if (!strcmp(d, "|u1") || !strcmp(d, "<u1") || !strcmp(d, "=u1")) *kind = NPY_U1;
    else if (!strcmp(d, "<u2")) *kind = NPY_U2;
    else {
        jf_io_errf(err, errlen, "%s: dtype '%s' is not supported (need <f4, <f8, |u1 or <u2)",
                   path, d);
        return JF_ERR_UNSUPPORTED;
    }
    return JF_OK;
}

static float npy_elem(const uint8_t *p, npy_kind k)
{
    switch (k) {
    case NPY_F4: {
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    case NPY_F8: {
        uint64_t u = 0;
        for (int i = 7; i >= 0; i--) u = (u << 8) | p[i];
        double d;
        memcpy(&d, &u, 8);
        return (float)d;
    }
    case NPY_U1:
        return (float)p[0];
    case NPY_U2:
    default:
        return (float)(uint16_t)(p[0] | p[1] << 8);
    }
}

jf_status jf_npy_read_memory(const void *data, size_t size, const char *what, jf_npy *out,
                            char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!data && size) return JF_ERR_INVALID_ARGUMENT;
    if (!what) what = "NPY data";
    const uint8_t *b = data;
    if (size < 10 || memcmp(b, "\x93NUMPY", 6) != 0) {
        jf_io_errf(err, errlen, "%s: not a .npy file (%s)", what,
                   size < 6 ? "too short" : memcmp(b, "\x93NUMPY", 6) ? "bad magic" : "truncated header");
        return JF_ERR_BAD_FORMAT;
    }
    int major = b[6];
    size_t prefix, hlen;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        prefix = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) {
            jf_io_errf(err, errlen, "%s: truncated header", what);
            return JF_ERR_BAD_FORMAT;
        }
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        prefix = 12;
    } else {
        jf_io_errf(err, errlen, "%s: format version %d.%d is not supported", what, major, b[7]);
        return JF_ERR_UNSUPPORTED;
    }
    if (hlen > NPY_MAX_HEADER || hlen > size - prefix) {
        jf_io_errf(err, errlen, "%s: header length %zu runs past the end of the file (%zu bytes)",
                   what, hlen, size);
        return JF_ERR_BAD_FORMAT;
    }
    npy_kind kind = NPY_F4;
    int fortran = 0;
    jf_status st = npy_parse_header(what, (const char *)b + prefix, hlen, &kind, &fortran, out,
                                    err, errlen);
    if (st != JF_OK) {
        jf_npy_free(out);
        return st;
    }

    static const size_t esizes[] = {4, 8, 1, 2};
    static const jf_npy_dtype dtypes[] = {JF_NPY_F32, JF_NPY_F64, JF_NPY_U8, JF_NPY_U16};
    out->dtype = dtypes[kind];
    size_t es = esizes[kind];
    size_t numel = 1;
    for (int i = 0; i < out->ndim; i++) {
        uint64_t d = (uint64_t)out->shape[i];
        if (d != 0 && numel > SIZE_MAX / 8 / d) {
            jf_io_errf(err, errlen, "%s: shape is too large", what);
            jf_npy_free(out);
            return JF_ERR_BAD_FORMAT;
        }
        numel *= (size_t)d;
    }
    size_t avail = size - prefix - hlen;
    size_t need = numel * es;
    if (need > avail) {
        jf_io_errf(err, errlen, "%s: data is %zu bytes but the shape needs %zu (file truncated?)",
                   what, avail, need);
        jf_npy_free(out);
        return JF_ERR_BAD_FORMAT;
    }
    const uint8_t *raw = b + prefix + hlen;
    out->data = malloc(numel ? numel * sizeof(float) : 1);
    if (!out->data) {
        jf_io_errf(err, errlen, "%s: out of memory for %zu elements", what, numel);
        jf_npy_free(out);
        return JF_ERR_OUT_OF_MEMORY;
    }
    if (!fortran || out->ndim < 2) {
        for (size_t i = 0; i < numel; i++) out->data[i] = npy_elem(raw + i * es, kind);
    } else {
        /* Fortran order: the first index varies fastest in the file. Walk the
         * C-order output index and compute the matching Fortran offset. */
        int nd = out->ndim;
        size_t fstride[JF_NPY_MAX_DIMS];
        size_t s = 1;
        for (int d = 0; d < nd; d++) {
            fstride[d] = s;
            s *= (size_t)out->shape[d];
        }
        size_t idx[JF_NPY_MAX_DIMS] = {0};
        for (size_t i = 0; i < numel; i++) {
            size_t off = 0;
            for (int d = 0; d < nd; d++) off += idx[d] * fstride[d];
            out->data[i] = npy_elem(raw + off * es, kind);
            for (int d = nd - 1; d >= 0; d--) {
                if (++idx[d] < (size_t)out->shape[d]) break;
                idx[d] = 0;
            }
        }
    }
    return JF_OK;
}

jf_status jf_npy_read(const char *path, jf_npy *out, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!path) return JF_ERR_INVALID_ARGUMENT;
    /* The whole file, then the one decoder the in-memory entry (and its
     * fuzzer) uses: .npy files the CLI reads are images, a few MiB. */
    uint8_t *data;
    size_t size;
    jf_status st = jf_io_read_all(path, &data, &size, err, errlen);
    if (st != JF_OK) return st;
    st = jf_npy_read_memory(data, size, path, out, err, errlen);
    free(data);
    return st;
}

jf_status jf_npy_write(const char *path, const float *data, int ndim, const int64_t *shape,
                       char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || ndim < 0 || ndim > JF_NPY_MAX_DIMS || (ndim > 0 && !shape))
        return JF_ERR_INVALID_ARGUMENT;
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return JF_ERR_INVALID_ARGUMENT;
        if (shape[i] != 0 && numel > SIZE_MAX / 4 / (uint64_t)shape[i]) {
            jf_io_errf(err, errlen, "%s: shape is too large", path);
            return JF_ERR_INVALID_ARGUMENT;
        }
        numel *= (size_t)shape[i];
        /* a 1-tuple needs its trailing comma in Python syntax */
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%lld%s", (long long)shape[i],
                      (ndim == 1 || i + 1 < ndim) ? ", " : "");
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    if (numel && !data) return JF_ERR_INVALID_ARGUMENT;
    /* Pad so that magic + version + length + dict + '\n' is a multiple of 64,
     * which is what numpy itself does (keeps the data aligned for mmap). */
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t hlen = padded - 10;
    uint8_t head[320];
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (uint8_t)(hlen & 0xFF);
    head[9] = (uint8_t)(hlen >> 8);
    memcpy(head + 10, dict, (size_t)n);
    memset(head + 10 + n, ' ', padded - total);
    head[padded - 1] = '\n';

    jf_atomic_file af;
    jf_status st = jf_atomic_open(&af, path, err, errlen);
    if (st != JF_OK) return st;
    FILE *f = af.file;
    int ok = fwrite(head, 1, padded, f) == padded;
    /* Write in chunks, converting to little-endian bytes on any host. */
    uint8_t buf[4096];
    size_t i = 0;
    while (ok && i < numel) {
        size_t m = 0;
        for (; i < numel && m + 4 <= sizeof buf; i++, m += 4) {
            uint32_t u;
            memcpy(&u, &data[i], 4);
            buf[m] = (uint8_t)u;
            buf[m + 1] = (uint8_t)(u >> 8);
            buf[m + 2] = (uint8_t)(u >> 16);
            buf[m + 3] = (uint8_t)(u >> 24);
        }
        ok = fwrite(buf, 1, m, f) == m;
    }
    return jf_atomic_close(&af, ok, NULL, err, errlen);
}
