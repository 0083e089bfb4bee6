/* test_io_safetensors.c - Check suite for the safetensors reader
 * (src/io/safetensors.c): valid files of every dtype, reading from disk, and
 * malformed headers, offsets and shapes rejected with a message. Every
 * fixture is assembled here byte by byte, so the suite needs no data files
 * and states exactly what each case contains. */
#include "jf_files.h"
#include "jf_test.h"

#include "io/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Assembles header length + JSON + data into a malloc'd buffer. */
static uint8_t *make_st(const char *json, const void *data, size_t nbytes, size_t *size)
{
    size_t h = strlen(json);
    *size = 8 + h + nbytes;
    uint8_t *b = malloc(*size);
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)h >> (8 * i));
    memcpy(b + 8, json, h);
    if (nbytes) memcpy(b + 8 + h, data, nbytes);
    return b;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

START_TEST(st_valid)
{
    char err[512];
    /* data: F32 [2,3] at 0..24, F16 [6] at 24..36, BF16 [4] at 36..44, F64 [2] at 44..60,
     * I64 [1] at 60..68, scalar F32 at 68..72 */
    uint8_t data[72];
    const float f32[6] = {1.f, -2.5f, 3.25f, 0.f, 1e-3f, -1e6f};
    for (int i = 0; i < 6; i++) {
        uint32_t u;
        memcpy(&u, &f32[i], 4);
        for (int k = 0; k < 4; k++) data[4 * i + k] = (uint8_t)(u >> (8 * k));
    }
    const uint16_t f16[6] = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0xFC00};
    const float f16_want[6] = {1.f, -2.f, 0.5f, 65504.f, 5.9604644775390625e-8f, -INFINITY};
    for (int i = 0; i < 6; i++) put_le16(data + 24 + 2 * i, f16[i]);
    const uint16_t bf16[4] = {0x3F80, 0xC060, 0x4049, 0x0000};
    const float bf16_want[4] = {1.f, -3.5f, 3.140625f, 0.f};
    for (int i = 0; i < 4; i++) put_le16(data + 36 + 2 * i, bf16[i]);
    const double f64[2] = {0.125, -7.0};
    for (int i = 0; i < 2; i++) {
        uint64_t u;
        memcpy(&u, &f64[i], 8);
        for (int k = 0; k < 8; k++) data[44 + 8 * i + k] = (uint8_t)(u >> (8 * k));
    }
    memset(data + 60, 0, 8);
    data[60] = 7;
    const float scalar = 9.5f;
    uint32_t us;
    memcpy(&us, &scalar, 4);
    for (int k = 0; k < 4; k++) data[68 + k] = (uint8_t)(us >> (8 * k));

    const char *json =
        "{\"__metadata__\": {\"format\": \"jfilter-1\", \"scale\": \"8\"},"
        " \"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]},"
        " \"h\": {\"dtype\": \"F16\", \"shape\": [6], \"data_offsets\": [24, 36]},"
        " \"b\": {\"dtype\": \"BF16\", \"shape\": [2, 2], \"data_offsets\": [36, 44]},"
        " \"d\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [44, 60]},"
        " \"i\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [60, 68]},"
        " \"s\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [68, 72]},"
        " \"e\": {\"dtype\": \"F32\", \"shape\": [0, 4], \"data_offsets\": [72, 72]}}   ";
    size_t size;
    uint8_t *buf = make_st(json, data, sizeof data, &size);
    jf_safetensors st;
    jf_status rc = jf_st_parse(buf, size, "mem.safetensors", &st, err, sizeof err);
    ck_assert_msg(rc == JF_OK, "%s", err);
    free(buf); /* the parser keeps its own copy */
    ck_assert_int_eq(st.ntensors, 7);
    ck_assert_int_eq(st.nmeta, 2);
    ck_assert_str_eq(jf_st_meta(&st, "format"), "jfilter-1");
    ck_assert_str_eq(jf_st_meta(&st, "scale"), "8");
    ck_assert_ptr_null(jf_st_meta(&st, "nope"));
    ck_assert_ptr_null(jf_st_find(&st, "nope"));
    ck_assert_ptr_null(jf_st_find(&st, "__metadata__"));

    float out[8];
    const jf_st_tensor *t = jf_st_find(&st, "conv1.weight");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->dtype, JF_DT_F32);
    ck_assert_int_eq(t->ndim, 2);
    ck_assert_int_eq(t->shape[0], 2);
    ck_assert_int_eq(t->shape[1], 3);
    ck_assert_uint_eq(jf_st_numel(t), 6);
    ck_assert_uint_eq(t->nbytes, 24);
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_OK);
    ck_assert(memcmp(out, f32, sizeof f32) == 0);

    t = jf_st_find(&st, "h");
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_OK);
    for (int i = 0; i < 6; i++) ck_assert_msg(out[i] == f16_want[i], "f16[%d] = %g", i, out[i]);

    t = jf_st_find(&st, "b");
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_OK);
    for (int i = 0; i < 4; i++) ck_assert_msg(out[i] == bf16_want[i], "bf16[%d] = %g", i, out[i]);

    t = jf_st_find(&st, "d");
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_OK);
    ck_assert(out[0] == 0.125f && out[1] == -7.f);

    t = jf_st_find(&st, "s");
    ck_assert_int_eq(t->ndim, 0);
    ck_assert_uint_eq(jf_st_numel(t), 1);
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_OK);
    ck_assert(out[0] == 9.5f);

    t = jf_st_find(&st, "e");
    ck_assert_uint_eq(jf_st_numel(t), 0);
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_OK);

    t = jf_st_find(&st, "i");
    ck_assert_int_eq(t->dtype, JF_DT_I64);
    ck_assert_uint_eq(jf_dtype_size(t->dtype), 8);
    ck_assert_int_eq(jf_st_read_f32(&st, t, out, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "'i'");
    jf_st_free(&st);
    ck_assert_ptr_null(st.file);
    jf_st_free(&st); /* freeing twice is harmless */

    /* F16 subnormal with several bits and the largest subnormal */
    uint8_t d2[4];
    put_le16(d2, 0x03FF);
    put_le16(d2 + 2, 0x8200);
    buf = make_st("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", d2, 4, &size);
    ck_assert_int_eq(jf_st_parse(buf, size, "sub", &st, err, sizeof err), JF_OK);
    ck_assert_int_eq(jf_st_read_f32(&st, &st.tensors[0], out, err, sizeof err), JF_OK);
    ck_assert(out[0] == 1023.f / 1024.f / 16384.f);
    ck_assert(out[1] == -512.f / 1024.f / 16384.f);
    jf_st_free(&st);
    free(buf);
}
END_TEST

START_TEST(st_file)
{
    char path[4200], err[512];
    const float v[2] = {3.f, 4.f};
    size_t size;
    uint8_t *buf = make_st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", v,
                           8, &size);
    jft_scratch_file("m.safetensors", path, sizeof path);
    jft_write_bytes(path, buf, size);
    free(buf);
    jf_safetensors st;
    ck_assert_int_eq(jf_st_open(path, &st, err, sizeof err), JF_OK);
    float out[2];
    ck_assert_int_eq(jf_st_read_f32(&st, jf_st_find(&st, "w"), out, err, sizeof err), JF_OK);
    ck_assert(out[0] == 3.f && out[1] == 4.f);
    jf_st_free(&st);

    /* a malformed file names itself */
    jft_write_bytes(path, "\x10\0\0\0\0\0\0\0{}", 10);
    ck_assert_int_eq(jf_st_open(path, &st, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "m.safetensors");
    remove(path);
    ck_assert_int_eq(jf_st_open(path, &st, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "m.safetensors");
    ck_assert_ptr_null(st.file);
}
END_TEST

START_TEST(st_malformed)
{
    char err[512];
    uint8_t data[64] = {0};
    static const struct {
        const char *json;
        size_t ndata;
        const char *must; /* text the message must contain */
    } cases[] = {
        {"not json at all", 0, "JSON"},
        {"[1, 2, 3]", 0, "object"},
        {"{\"conv1.weight\": 5}", 0, "conv1.weight"},
        {"{\"conv1.weight\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"Q4\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
         "Q4"},
        {"{\"conv1.weight\": {\"dtype\": 3, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
         "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4, "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": 4, \"data_offsets\": [0, 16]}}", 16,
         "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4,
         "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [\"0\", 4]}}",
         4, "conv1.weight"},
        /* shape/offset mismatch */
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}",
         24, "conv1.weight"},
        /* offsets past the end of the data section */
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [100], \"data_offsets\": [0, 400]}}",
         64, "exceed the data section (64 bytes)"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", 8,
         "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}}", 8,
         "conv1.weight"},
        /* negative and fractional dims */
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [-1, 4], \"data_offsets\": [0, 16]}}",
         16, "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4,
         "conv1.weight"},
        /* dims whose product overflows 64 bits (and would alias small offsets if wrapped) */
        {"{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4],"
         " \"data_offsets\": [0, 0]}}",
         0, "conv1.weight"},
        {"{\"conv1.weight\": {\"dtype\": \"U8\", \"shape\": [9223372036854775807, 3],"
         " \"data_offsets\": [0, 4]}}",
         4, "conv1.weight"},
        /* more dims than supported */
        {"{\"conv1.weight\": {\"dtype\": \"U8\", \"shape\": [1,1,1,1,1,1,1,1,1],"
         " \"data_offsets\": [0, 1]}}",
         1, "conv1.weight"},
        /* overlapping tensors */
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
         " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
         12, "overlaps"},
        /* duplicate names */
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
         " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
         8, "JSON"},
        {"{\"__metadata__\": {\"scale\": 8}}", 0, "scale"},
        {"{\"__metadata__\": [\"x\"]}", 0, "__metadata__"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size;
        uint8_t *buf = make_st(cases[i].json, data, cases[i].ndata, &size);
        jf_safetensors st;
        memset(&st, 0x5A, sizeof st);
        err[0] = '\0';
        jf_status rc = jf_st_parse(buf, size, "model.safetensors", &st, err, sizeof err);
        ck_assert_msg(rc == JF_ERR_BAD_FORMAT, "case %zu: status %d (%s)", i, rc, err);
        jft_assert_err_has(err, "model.safetensors");
        jft_assert_err_has(err, cases[i].must);
        ck_assert_ptr_null(st.file);
        ck_assert_ptr_null(st.tensors);
        ck_assert_int_eq(st.ntensors, 0);
        jf_st_free(&st);
        free(buf);
    }

    /* framing errors */
    jf_safetensors st;
    ck_assert_int_eq(jf_st_parse("\x01\x02\x03", 3, "tiny", &st, err, sizeof err),
                     JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "tiny");
    /* header length far past EOF, and one that only just overruns */
    uint8_t h[32] = {0};
    h[0] = 0xFF;
    h[7] = 0x7F;
    ck_assert_int_eq(jf_st_parse(h, sizeof h, "past", &st, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "past the end");
    memset(h, 0, sizeof h);
    h[0] = 25;
    memcpy(h + 8, "{}", 2);
    ck_assert_int_eq(jf_st_parse(h, sizeof h, "past1", &st, err, sizeof err), JF_ERR_BAD_FORMAT);
    h[0] = 0xFF;
    h[1] = 0xFF;
    h[2] = 0xFF;
    h[3] = 0xFF;
    h[4] = 0xFF;
    h[5] = 0xFF;
    h[6] = 0xFF;
    h[7] = 0xFF; /* 2^64-1: must not wrap when added to 8 */
    ck_assert_int_eq(jf_st_parse(h, sizeof h, "wrap", &st, err, sizeof err), JF_ERR_BAD_FORMAT);
    /* an empty object is a valid (empty) model file */
    memset(h, 0, sizeof h);
    h[0] = 2;
    memcpy(h + 8, "{}", 2);
    ck_assert_int_eq(jf_st_parse(h, 10, "empty", &st, err, sizeof err), JF_OK);
    ck_assert_int_eq(st.ntensors, 0);
    jf_st_free(&st);
}
END_TEST

int main(void)
{
    return jft_run_tests("io_safetensors", "safetensors", 0,
                         JFT_TESTS(st_valid, st_file, st_malformed));
}
