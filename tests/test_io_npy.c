/* test_io_npy.c - Check suite for NumPy .npy files (src/io/npy.c): round
 * trips, the other dtypes read, Fortran order transposed, malformed headers
 * rejected with a message, the in-memory decoder. Every fixture is assembled
 * here byte by byte, so the suite needs no data files and states exactly
 * what each case contains. */
#include "jf_files.h"
#include "jf_test.h"

#include "io/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Builds an .npy file from a header dict and raw data (version 1 or 2). The
 * dict is padded with spaces and a '\n' to a multiple of 64, like numpy. */
static void make_npy(const char *path, int version, const char *dict, const void *data,
                     size_t nbytes)
{
    size_t pre = version == 1 ? 10 : 12;
    size_t total = (pre + strlen(dict) + 1 + 63) / 64 * 64;
    size_t hlen = total - pre;
    uint8_t *b = malloc(total + nbytes);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (uint8_t)version;
    b[7] = 0;
    if (version == 1) {
        b[8] = (uint8_t)hlen;
        b[9] = (uint8_t)(hlen >> 8);
    } else {
        b[8] = (uint8_t)hlen;
        b[9] = (uint8_t)(hlen >> 8);
        b[10] = (uint8_t)(hlen >> 16);
        b[11] = (uint8_t)(hlen >> 24);
    }
    memset(b + pre, ' ', hlen);
    memcpy(b + pre, dict, strlen(dict));
    b[total - 1] = '\n';
    if (nbytes) memcpy(b + total, data, nbytes);
    jft_write_bytes(path, b, total + nbytes);
    free(b);
}

START_TEST(npy_roundtrip)
{
    char path[4200], err[512];
    static const int64_t shapes[][4] = {{5}, {3, 4}, {2, 3, 5}, {2, 1, 3, 4}, {1}, {0, 3}};
    static const int ndims[] = {1, 2, 3, 4, 1, 2};
    jft_scratch_file("rt.npy", path, sizeof path);
    for (size_t s = 0; s < sizeof ndims / sizeof ndims[0]; s++) {
        size_t n = 1;
        for (int d = 0; d < ndims[s]; d++) n *= (size_t)shapes[s][d];
        float *x = malloc((n ? n : 1) * sizeof(float));
        jft_seed(s + 1);
        jft_fill(x, n, -100.f, 100.f);
        ck_assert_int_eq(jf_npy_write(path, x, ndims[s], shapes[s], err, sizeof err), JF_OK);

        /* the header is padded to 64 bytes and ends with '\n' */
        size_t fsize;
        uint8_t *raw = jft_read_bytes(path, &fsize);
        size_t hlen = raw[8] | (size_t)raw[9] << 8;
        ck_assert_uint_eq((10 + hlen) % 64, 0);
        ck_assert_uint_eq(raw[9 + hlen], '\n');
        ck_assert_uint_eq(fsize, 10 + hlen + n * 4);
        ck_assert(strstr((const char *)raw + 10, "'descr': '<f4'") != NULL);
        free(raw);

        jf_npy a;
        jf_status st = jf_npy_read(path, &a, err, sizeof err);
        ck_assert_msg(st == JF_OK, "%s", err);
        ck_assert_int_eq(a.ndim, ndims[s]);
        for (int d = 0; d < ndims[s]; d++) ck_assert_int_eq(a.shape[d], shapes[s][d]);
        if (n) ck_assert(memcmp(a.data, x, n * sizeof(float)) == 0);
        jf_npy_free(&a);
        free(x);
    }
    remove(path);
}
END_TEST

START_TEST(npy_other_dtypes)
{
    char path[4200], err[512];
    jf_npy a;
    jft_scratch_file("dt.npy", path, sizeof path);

    const double f8[3] = {1.5, -2.25, 1e10};
    make_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", f8, sizeof f8);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    ck_assert_int_eq(a.ndim, 1);
    ck_assert_int_eq(a.shape[0], 3);
    ck_assert(a.data[0] == 1.5f && a.data[1] == -2.25f && a.data[2] == 1e10f);
    jf_npy_free(&a);

    const uint8_t u1[4] = {0, 1, 128, 255};
    make_npy(path, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", u1, 4);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    ck_assert_int_eq(a.ndim, 2);
    ck_assert(a.data[0] == 0.f && a.data[1] == 1.f && a.data[2] == 128.f && a.data[3] == 255.f);
    jf_npy_free(&a);

    /* little-endian u16 bytes: 0x0102, 0xFFFF, 0 */
    const uint8_t u2[6] = {0x02, 0x01, 0xFF, 0xFF, 0, 0};
    make_npy(path, 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }", u2, 6);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    ck_assert(a.data[0] == 258.f && a.data[1] == 65535.f && a.data[2] == 0.f);
    jf_npy_free(&a);

    /* a scalar (shape ()) and double-quoted keys in another order, version 2.0 */
    const float one = 42.f;
    make_npy(path, 2, "{\"shape\": (), \"fortran_order\": False, \"descr\": \"<f4\"}", &one, 4);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    ck_assert_int_eq(a.ndim, 0);
    ck_assert(a.data[0] == 42.f);
    jf_npy_free(&a);

    /* unsupported dtypes and too many dims */
    make_npy(path, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", &one, 4);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, ">f4");
    jft_assert_err_has(err, "dt.npy");
    make_npy(path, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", f8, 8);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_UNSUPPORTED);
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }",
             &one, 4);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_UNSUPPORTED);
    ck_assert_ptr_null(a.data);
    remove(path);
}
END_TEST

START_TEST(npy_fortran_order)
{
    char path[4200], err[512];
    jf_npy a;
    jft_scratch_file("fo.npy", path, sizeof path);
    /* C-order 2x3 [[0,1,2],[3,4,5]] stored column-major: 0 3 1 4 2 5 */
    const float f2[6] = {0, 3, 1, 4, 2, 5};
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f2, sizeof f2);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    ck_assert_int_eq(a.shape[0], 2);
    ck_assert_int_eq(a.shape[1], 3);
    for (int i = 0; i < 6; i++) ck_assert(a.data[i] == (float)i);
    jf_npy_free(&a);

    /* 3-D 2x3x4: element (i,j,k) = 100i + 10j + k at Fortran offset i + 2j + 6k */
    float f3[24];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) f3[i + 2 * j + 6 * k] = (float)(100 * i + 10 * j + k);
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }", f3,
             sizeof f3);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                ck_assert(a.data[(i * 3 + j) * 4 + k] == (float)(100 * i + 10 * j + k));
    jf_npy_free(&a);
    remove(path);
}
END_TEST

START_TEST(npy_malformed)
{
    char path[4200], err[512];
    jf_npy a;
    const float four[4] = {1, 2, 3, 4};
    jft_scratch_file("bad.npy", path, sizeof path);

    /* bad magic */
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four, 16);
    size_t n;
    uint8_t *b = jft_read_bytes(path, &n);
    b[1] = 'X';
    jft_write_bytes(path, b, n);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "bad.npy");
    jft_assert_err_has(err, "magic");
    b[1] = 'N';

    /* truncated inside the header */
    jft_write_bytes(path, b, 40);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "bad.npy");
    jft_write_bytes(path, b, 7);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);

    /* header length past EOF */
    b[8] = 0xFF;
    b[9] = 0x7F;
    jft_write_bytes(path, b, n);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "header length");
    free(b);

    /* data shorter than the shape */
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four, 16);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "bad.npy");
    ck_assert_ptr_null(a.data);

    /* header dicts that are broken in different ways */
    static const char *dicts[] = {
        "{'descr': '<f4', 'fortran_order': False, }",                  /* no shape */
        "{'descr': '<f4', 'shape': (4,), }",                           /* no fortran_order */
        "{'fortran_order': False, 'shape': (4,), }",                   /* no descr */
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }",   /* bad bool */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }",  /* negative dim */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,, }",    /* unclosed tuple */
        "{'descr': '<f4, 'fortran_order': False, 'shape': (4,), }",    /* unbalanced quote */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000, 4000000000, 4000000000), }",
        "['descr', '<f4']",
        "",
    };
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
        make_npy(path, 1, dicts[i], four, 16);
        jf_status st = jf_npy_read(path, &a, err, sizeof err);
        ck_assert_msg(st == JF_ERR_BAD_FORMAT, "dict %zu: status %d (%s)", i, st, err);
        jft_assert_err_has(err, "bad.npy");
    }

    /* unknown version */
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four, 16);
    b = jft_read_bytes(path, &n);
    b[6] = 9;
    jft_write_bytes(path, b, n);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_UNSUPPORTED);
    free(b);

    remove(path);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "bad.npy");

    /* a failed write leaves nothing */
    jft_scratch_file("missing_dir/x.npy", path, sizeof path);
    int64_t shp[1] = {4};
    ck_assert_int_eq(jf_npy_write(path, four, 1, shp, err, sizeof err), JF_ERR_IO);
    ck_assert(!jft_file_exists(path));
}
END_TEST

START_TEST(npy_from_memory)
{
    char path[4200], err[512];
    jf_npy a, b;
    const float six[6] = {0, 1, 2, 3, 4, 5};
    jft_scratch_file("mem.npy", path, sizeof path);
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", six, sizeof six);
    size_t n;
    uint8_t *bytes = jft_read_bytes(path, &n);
    /* the same bytes decode the same from memory as from the file */
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_OK);
    ck_assert_int_eq(jf_npy_read_memory(bytes, n, "mem", &b, err, sizeof err), JF_OK);
    ck_assert_int_eq(b.ndim, 2);
    ck_assert(b.shape[0] == 2 && b.shape[1] == 3);
    ck_assert(memcmp(a.data, b.data, sizeof six) == 0);
    ck_assert(b.data[1] == 2.f); /* Fortran order: (0, 1) is the third value in the file */
    jf_npy_free(&a);
    jf_npy_free(&b);
    /* messages name the source given, else "NPY data"; cut short anywhere is refused */
    ck_assert_int_eq(jf_npy_read_memory(bytes, n - 1, "cut", &b, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "cut");
    ck_assert_ptr_null(b.data);
    ck_assert_int_eq(jf_npy_read_memory(bytes, 11, NULL, &b, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "NPY data");
    ck_assert_int_eq(jf_npy_read_memory(NULL, 0, "none", &b, err, sizeof err), JF_ERR_BAD_FORMAT);
    ck_assert_int_eq(jf_npy_read_memory(NULL, 4, "none", &b, err, sizeof err), JF_ERR_INVALID_ARGUMENT);
    free(bytes);
    remove(path);
}
END_TEST

int main(void)
{
    return jft_run_tests("io_npy", "npy", 0,
                         JFT_TESTS(npy_roundtrip, npy_other_dtypes, npy_fortran_order,
                                   npy_malformed, npy_from_memory));
}
