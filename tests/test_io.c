/* test_io.c - Check suite for the file formats: PNG (libpng), NPY and
 * safetensors. Every fixture, valid or malformed, is generated here, so the
 * suite needs no data files and states exactly what each case contains. */
#include "jf_test.h"

#include "io/npy.h"
#include "io/png_io.h"
#include "io/safetensors.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers ------------------------------------------------------------ */

/* A per-process scratch directory under the build tree; returns "<dir>/<name>"
 * in a caller buffer (jft_binary_path's buffer is shared). */
static const char *scratch(const char *name, char *buf, size_t cap)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", jft_binary_path("io_scratch"));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
    snprintf(buf, cap, "%s/%ld_%s", dir, (long)getpid(), name);
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    if (n) ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static uint8_t *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

#define assert_err_has(err, text) \
    ck_assert_msg(strstr((err), (text)) != NULL, "message \"%s\" lacks \"%s\"", (err), (text))

/* ---- PNG ---------------------------------------------------------------- */

/* Growable buffer that libpng writes an encoded image into. */
typedef struct {
    uint8_t *data;
    size_t size, cap;
} membuf;

static void membuf_write(png_structp png, png_bytep p, png_size_t n)
{
    membuf *m = png_get_io_ptr(png);
    if (m->size + n > m->cap) {
        size_t cap = (m->size + n) * 2;
        uint8_t *d = realloc(m->data, cap);
        if (!d) png_error(png, "oom");
        m->data = d;
        m->cap = cap;
    }
    memcpy(m->data + m->size, p, n);
    m->size += n;
}

static void membuf_flush(png_structp png) { (void)png; }

/* Encodes raw rows with libpng directly, so the tests can make layouts our
 * writer never produces (palettes, 1/2/4-bit gray, tRNS). Rows are packed as
 * libpng expects for the given depth. */
static membuf encode_png(int w, int h, int depth, int color_type, const uint8_t *rows,
                         size_t rowbytes, const png_color *palette, int npalette,
                         const png_byte *trns, int ntrns, const png_color_16 *trns_gray)
{
    membuf m = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    ck_assert(png && info);
    if (setjmp(png_jmpbuf(png))) ck_abort_msg("libpng failed to encode a fixture");
    png_set_write_fn(png, &m, membuf_write, membuf_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) png_set_PLTE(png, info, palette, npalette);
    if (trns || trns_gray) png_set_tRNS(png, info, trns, ntrns, trns_gray);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) png_write_row(png, rows + (size_t)y * rowbytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return m;
}

static void png_roundtrip(int w, int h, int channels, int depth)
{
    char path[4200], err[512];
    char name[64];
    snprintf(name, sizeof name, "rt_%dx%d_c%d_d%d.png", w, h, channels, depth);
    scratch(name, path, sizeof path);
    size_t n = (size_t)w * h * channels;
    size_t bytes = n * (depth / 8);
    uint8_t *px = malloc(bytes);
    ck_assert_ptr_nonnull(px);
    jft_seed((uint64_t)(w * 131 + h * 17 + channels * 5 + depth));
    if (depth == 8) {
        for (size_t i = 0; i < n; i++) px[i] = (uint8_t)(jft_uniform(0.f, 256.f));
    } else {
        uint16_t *p16 = (uint16_t *)(void *)px;
        for (size_t i = 0; i < n; i++) p16[i] = (uint16_t)(jft_uniform(0.f, 65536.f));
        p16[0] = 0x1234; /* a value whose bytes differ, so a byte swap shows */
    }
    jf_png img = {w, h, channels, depth, px};
    ck_assert_int_eq(jf_png_write(path, &img, err, sizeof err), JF_OK);

    jf_png back;
    jf_status st = jf_png_read(path, &back, err, sizeof err);
    ck_assert_msg(st == JF_OK, "read %s: %s", path, err);
    ck_assert_int_eq(back.width, w);
    ck_assert_int_eq(back.height, h);
    ck_assert_int_eq(back.channels, channels);
    ck_assert_int_eq(back.bit_depth, depth);
    ck_assert_msg(memcmp(back.pixels, px, bytes) == 0, "pixels differ for %s", name);
    if (depth == 16) ck_assert_uint_eq(((uint16_t *)back.pixels)[0], 0x1234);
    jf_png_free(&back);
    ck_assert_ptr_null(back.pixels);

    /* the same bytes decoded from memory */
    size_t fsize;
    uint8_t *file = read_bytes(path, &fsize);
    ck_assert_int_eq(jf_png_read_memory(file, fsize, "mem", &back, err, sizeof err), JF_OK);
    ck_assert_int_eq(back.channels, channels);
    ck_assert(memcmp(back.pixels, px, bytes) == 0);
    jf_png_free(&back);
    free(file);
    free(px);
    remove(path);
}

START_TEST(png_roundtrip_all)
{
    static const int sizes[][2] = {{1, 1}, {7, 3}, {3, 7}, {16, 5}, {33, 1}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int c = 1; c <= 4; c++) {
            png_roundtrip(sizes[s][0], sizes[s][1], c, 8);
            png_roundtrip(sizes[s][0], sizes[s][1], c, 16);
        }
}
END_TEST

START_TEST(png_palette_expands)
{
    char err[512];
    const png_color pal[4] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
    /* 2-bit indices, 3x2 image: row0 = 0 1 2, row1 = 3 0 1 (packed MSB first) */
    const uint8_t rows[2] = {(0 << 6) | (1 << 4) | (2 << 2), (3 << 6) | (0 << 4) | (1 << 2)};
    const uint8_t want_rgb[] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 255, 0, 0, 0, 255, 0};

    membuf m = encode_png(3, 2, 2, PNG_COLOR_TYPE_PALETTE, rows, 1, pal, 4, NULL, 0, NULL);
    jf_png img;
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "pal", &img, err, sizeof err), JF_OK);
    ck_assert_int_eq(img.channels, 3);
    ck_assert_int_eq(img.bit_depth, 8);
    ck_assert_int_eq(img.width, 3);
    ck_assert_int_eq(img.height, 2);
    ck_assert(memcmp(img.pixels, want_rgb, sizeof want_rgb) == 0);
    jf_png_free(&img);
    free(m.data);

    /* with tRNS: entry 1 half transparent, others opaque -> RGBA */
    const png_byte trns[2] = {255, 128};
    m = encode_png(3, 2, 2, PNG_COLOR_TYPE_PALETTE, rows, 1, pal, 4, trns, 2, NULL);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "palA", &img, err, sizeof err), JF_OK);
    ck_assert_int_eq(img.channels, 4);
    const uint8_t *p = img.pixels;
    ck_assert_uint_eq(p[0], 255);
    ck_assert_uint_eq(p[3], 255); /* index 0 alpha */
    ck_assert_uint_eq(p[4 + 1], 255);
    ck_assert_uint_eq(p[4 + 3], 128); /* index 1 alpha */
    ck_assert_uint_eq(p[2 * 4 + 3], 255); /* index 2: beyond tRNS -> opaque */
    ck_assert_uint_eq(p[3 * 4 + 0], 10);
    jf_png_free(&img);
    free(m.data);
}
END_TEST

START_TEST(png_low_bit_gray_and_alpha)
{
    char err[512];
    jf_png img;
    /* 1-bit gray, 5x1: 1 0 1 1 0 -> 255 0 255 255 0 */
    const uint8_t r1[1] = {0xB0};
    membuf m = encode_png(5, 1, 1, PNG_COLOR_TYPE_GRAY, r1, 1, NULL, 0, NULL, 0, NULL);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "g1", &img, err, sizeof err), JF_OK);
    ck_assert_int_eq(img.channels, 1);
    ck_assert_int_eq(img.bit_depth, 8);
    const uint8_t want1[5] = {255, 0, 255, 255, 0};
    ck_assert(memcmp(img.pixels, want1, 5) == 0);
    jf_png_free(&img);
    free(m.data);

    /* 4-bit gray, 3x1: 0x0, 0x7, 0xF -> 0, 119, 255 (v * 17) */
    const uint8_t r4[2] = {0x07, 0xF0};
    m = encode_png(3, 1, 4, PNG_COLOR_TYPE_GRAY, r4, 2, NULL, 0, NULL, 0, NULL);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "g4", &img, err, sizeof err), JF_OK);
    const uint8_t want4[3] = {0, 119, 255};
    ck_assert(memcmp(img.pixels, want4, 3) == 0);
    jf_png_free(&img);
    free(m.data);

    /* 8-bit gray + alpha encoded by libpng directly */
    const uint8_t ga[6] = {10, 200, 20, 0, 255, 255};
    m = encode_png(3, 1, 8, PNG_COLOR_TYPE_GRAY_ALPHA, ga, 6, NULL, 0, NULL, 0, NULL);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "ga", &img, err, sizeof err), JF_OK);
    ck_assert_int_eq(img.channels, 2);
    ck_assert(memcmp(img.pixels, ga, 6) == 0);
    jf_png_free(&img);
    free(m.data);

    /* gray with a tRNS key colour: value 20 becomes transparent, others opaque */
    const uint8_t g8[3] = {10, 20, 30};
    png_color_16 key = {0, 0, 0, 0, 20};
    m = encode_png(3, 1, 8, PNG_COLOR_TYPE_GRAY, g8, 3, NULL, 0, NULL, 0, &key);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "gt", &img, err, sizeof err), JF_OK);
    ck_assert_int_eq(img.channels, 2);
    const uint8_t wantt[6] = {10, 255, 20, 0, 30, 255};
    ck_assert(memcmp(img.pixels, wantt, 6) == 0);
    jf_png_free(&img);
    free(m.data);

    /* 16-bit gray from libpng (big-endian in the file) comes back host-order */
    const uint8_t g16[4] = {0xAB, 0xCD, 0x00, 0x01};
    m = encode_png(2, 1, 16, PNG_COLOR_TYPE_GRAY, g16, 4, NULL, 0, NULL, 0, NULL);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "g16", &img, err, sizeof err), JF_OK);
    ck_assert_int_eq(img.bit_depth, 16);
    ck_assert_uint_eq(((uint16_t *)img.pixels)[0], 0xABCD);
    ck_assert_uint_eq(((uint16_t *)img.pixels)[1], 0x0001);
    jf_png_free(&img);
    free(m.data);
}
END_TEST

START_TEST(png_malformed)
{
    char path[4200], err[512];
    jf_png img;
    /* a valid 16x16 RGB image to cut short */
    uint8_t px[16 * 16 * 3];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 7);
    jf_png src = {16, 16, 3, 8, px};
    scratch("full.png", path, sizeof path);
    ck_assert_int_eq(jf_png_write(path, &src, err, sizeof err), JF_OK);
    size_t n;
    uint8_t *full = read_bytes(path, &n);
    remove(path);

    /* truncated at several points: in IHDR, in IDAT, before IEND */
    const size_t cuts[] = {12, 30, n / 2, n - 12, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        scratch("trunc.png", path, sizeof path);
        write_bytes(path, full, cuts[i]);
        memset(&img, 0x55, sizeof img);
        err[0] = '\0';
        jf_status st = jf_png_read(path, &img, err, sizeof err);
        ck_assert_msg(st == JF_ERR_BAD_FORMAT, "cut at %zu: status %d (%s)", cuts[i], st, err);
        assert_err_has(err, "trunc.png");
        ck_assert_ptr_null(img.pixels);
        /* same through memory */
        st = jf_png_read_memory(full, cuts[i], "cutmem", &img, err, sizeof err);
        ck_assert_int_eq(st, JF_ERR_BAD_FORMAT);
        assert_err_has(err, "cutmem");
    }
    remove(path);

    /* a corrupted IDAT byte (CRC mismatch in a critical chunk) */
    uint8_t *bad = malloc(n);
    memcpy(bad, full, n);
    bad[50] ^= 0xFF;
    ck_assert_int_eq(jf_png_read_memory(bad, n, "crc", &img, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "crc");
    free(bad);
    free(full);

    /* garbage bytes */
    uint8_t junk[100];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 37 + 11);
    scratch("garbage.png", path, sizeof path);
    write_bytes(path, junk, sizeof junk);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "garbage.png");
    remove(path);

    /* PNG signature followed by garbage */
    memcpy(junk, "\x89PNG\r\n\x1a\n", 8);
    ck_assert_int_eq(jf_png_read_memory(junk, sizeof junk, "sig", &img, err, sizeof err),
                     JF_ERR_BAD_FORMAT);
    assert_err_has(err, "sig");

    /* empty file */
    scratch("empty.png", path, sizeof path);
    write_bytes(path, NULL, 0);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "empty.png");
    remove(path);

    /* missing file */
    scratch("does_not_exist.png", path, sizeof path);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "does_not_exist.png");
    assert_err_has(err, strerror(ENOENT));

    /* a NULL err buffer is allowed */
    ck_assert_int_eq(jf_png_read(path, &img, NULL, 0), JF_ERR_IO);

    /* a directory is an I/O error for every reader, not a huge or empty file */
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", jft_binary_path("io_scratch"));
    ck_assert_int_eq(jf_png_read(dir, &img, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "io_scratch");
    jf_npy a;
    ck_assert_int_eq(jf_npy_read(dir, &a, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "io_scratch");
    jf_safetensors st;
    ck_assert_int_eq(jf_st_open(dir, &st, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "io_scratch");
}
END_TEST

START_TEST(png_absurd_dimensions)
{
    char err[512];
    /* An IHDR claiming 100000 x 100000: rejected before any pixel allocation. */
    uint8_t one[3] = {1, 2, 3};
    membuf m = encode_png(1, 1, 8, PNG_COLOR_TYPE_GRAY, one, 1, NULL, 0, NULL, 0, NULL);
    /* Patch width/height in IHDR (offset 16) and fix its CRC so only the size is wrong. */
    uint8_t *d = m.data;
    const uint32_t big = 100000;
    for (int k = 0; k < 2; k++) {
        d[16 + 4 * k] = (uint8_t)(big >> 24);
        d[17 + 4 * k] = (uint8_t)(big >> 16);
        d[18 + 4 * k] = (uint8_t)(big >> 8);
        d[19 + 4 * k] = (uint8_t)big;
    }
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    crc = (uint32_t)crc32(crc, d + 12, 17);
    d[29] = (uint8_t)(crc >> 24);
    d[30] = (uint8_t)(crc >> 16);
    d[31] = (uint8_t)(crc >> 8);
    d[32] = (uint8_t)crc;
    jf_png img;
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "huge", &img, err, sizeof err),
                     JF_ERR_BAD_FORMAT);
    assert_err_has(err, "huge");
    ck_assert_ptr_null(img.pixels);
    free(m.data);
}
END_TEST

START_TEST(png_write_failure_leaves_nothing)
{
    char path[4200], err[512];
    uint8_t px[4] = {1, 2, 3, 4};
    jf_png img = {2, 2, 1, 8, px};
    scratch("no_such_dir/out.png", path, sizeof path);
    ck_assert_int_eq(jf_png_write(path, &img, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "out.png");
    ck_assert(!file_exists(path));
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert(!file_exists(tmp));

    /* invalid descriptions are refused without touching the disk */
    scratch("bad.png", path, sizeof path);
    jf_png bad = {2, 2, 5, 8, px};
    ck_assert_int_eq(jf_png_write(path, &bad, err, sizeof err), JF_ERR_UNSUPPORTED);
    bad.channels = 1;
    bad.bit_depth = 4;
    ck_assert_int_eq(jf_png_write(path, &bad, err, sizeof err), JF_ERR_UNSUPPORTED);
    ck_assert(!file_exists(path));

    /* writing over an existing file replaces it whole */
    scratch("replace.png", path, sizeof path);
    write_bytes(path, "old", 3);
    ck_assert_int_eq(jf_png_write(path, &img, err, sizeof err), JF_OK);
    jf_png back;
    ck_assert_int_eq(jf_png_read(path, &back, err, sizeof err), JF_OK);
    ck_assert(memcmp(back.pixels, px, 4) == 0);
    jf_png_free(&back);
    remove(path);
}
END_TEST

/* ---- NPY ---------------------------------------------------------------- */

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
    write_bytes(path, b, total + nbytes);
    free(b);
}

START_TEST(npy_roundtrip)
{
    char path[4200], err[512];
    static const int64_t shapes[][4] = {{5}, {3, 4}, {2, 3, 5}, {2, 1, 3, 4}, {1}, {0, 3}};
    static const int ndims[] = {1, 2, 3, 4, 1, 2};
    scratch("rt.npy", path, sizeof path);
    for (size_t s = 0; s < sizeof ndims / sizeof ndims[0]; s++) {
        size_t n = 1;
        for (int d = 0; d < ndims[s]; d++) n *= (size_t)shapes[s][d];
        float *x = malloc((n ? n : 1) * sizeof(float));
        jft_seed(s + 1);
        jft_fill(x, n, -100.f, 100.f);
        ck_assert_int_eq(jf_npy_write(path, x, ndims[s], shapes[s], err, sizeof err), JF_OK);

        /* the header is padded to 64 bytes and ends with '\n' */
        size_t fsize;
        uint8_t *raw = read_bytes(path, &fsize);
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
    scratch("dt.npy", path, sizeof path);

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
    assert_err_has(err, ">f4");
    assert_err_has(err, "dt.npy");
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
    scratch("fo.npy", path, sizeof path);
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
    scratch("bad.npy", path, sizeof path);

    /* bad magic */
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four, 16);
    size_t n;
    uint8_t *b = read_bytes(path, &n);
    b[1] = 'X';
    write_bytes(path, b, n);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "bad.npy");
    assert_err_has(err, "magic");
    b[1] = 'N';

    /* truncated inside the header */
    write_bytes(path, b, 40);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "bad.npy");
    write_bytes(path, b, 7);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);

    /* header length past EOF */
    b[8] = 0xFF;
    b[9] = 0x7F;
    write_bytes(path, b, n);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "header length");
    free(b);

    /* data shorter than the shape */
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four, 16);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "bad.npy");
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
        assert_err_has(err, "bad.npy");
    }

    /* unknown version */
    make_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four, 16);
    b = read_bytes(path, &n);
    b[6] = 9;
    write_bytes(path, b, n);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_UNSUPPORTED);
    free(b);

    remove(path);
    ck_assert_int_eq(jf_npy_read(path, &a, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "bad.npy");

    /* a failed write leaves nothing */
    scratch("missing_dir/x.npy", path, sizeof path);
    int64_t shp[1] = {4};
    ck_assert_int_eq(jf_npy_write(path, four, 1, shp, err, sizeof err), JF_ERR_IO);
    ck_assert(!file_exists(path));
}
END_TEST

/* ---- safetensors --------------------------------------------------------- */

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
    assert_err_has(err, "'i'");
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
    scratch("m.safetensors", path, sizeof path);
    write_bytes(path, buf, size);
    free(buf);
    jf_safetensors st;
    ck_assert_int_eq(jf_st_open(path, &st, err, sizeof err), JF_OK);
    float out[2];
    ck_assert_int_eq(jf_st_read_f32(&st, jf_st_find(&st, "w"), out, err, sizeof err), JF_OK);
    ck_assert(out[0] == 3.f && out[1] == 4.f);
    jf_st_free(&st);

    /* a malformed file names itself */
    write_bytes(path, "\x10\0\0\0\0\0\0\0{}", 10);
    ck_assert_int_eq(jf_st_open(path, &st, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "m.safetensors");
    remove(path);
    ck_assert_int_eq(jf_st_open(path, &st, err, sizeof err), JF_ERR_IO);
    assert_err_has(err, "m.safetensors");
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
        assert_err_has(err, "model.safetensors");
        assert_err_has(err, cases[i].must);
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
    assert_err_has(err, "tiny");
    /* header length far past EOF, and one that only just overruns */
    uint8_t h[32] = {0};
    h[0] = 0xFF;
    h[7] = 0x7F;
    ck_assert_int_eq(jf_st_parse(h, sizeof h, "past", &st, err, sizeof err), JF_ERR_BAD_FORMAT);
    assert_err_has(err, "past the end");
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

static Suite *io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *png = tcase_create("png");
    tcase_add_test(png, png_roundtrip_all);
    tcase_add_test(png, png_palette_expands);
    tcase_add_test(png, png_low_bit_gray_and_alpha);
    tcase_add_test(png, png_malformed);
    tcase_add_test(png, png_absurd_dimensions);
    tcase_add_test(png, png_write_failure_leaves_nothing);
    suite_add_tcase(s, png);
    TCase *npy = tcase_create("npy");
    tcase_add_test(npy, npy_roundtrip);
    tcase_add_test(npy, npy_other_dtypes);
    tcase_add_test(npy, npy_fortran_order);
    tcase_add_test(npy, npy_malformed);
    suite_add_tcase(s, npy);
    TCase *st = tcase_create("safetensors");
    tcase_add_test(st, st_valid);
    tcase_add_test(st, st_file);
    tcase_add_test(st, st_malformed);
    suite_add_tcase(s, st);
    return s;
}

int main(void) { return jft_run_suite(io_suite()); }
