/* test_io_png.c - Check suite for PNG in and out (src/io/png_io.c): round
 * trips over depths and channel counts, palettes and low bit depths expanded,
 * malformed and absurd files rejected with a message, failed writes leaving
 * nothing. Every fixture is encoded here with libpng, so the suite needs no
 * data files and states exactly what each case contains. */
#include "jf_files.h"
#include "jf_test.h"

#include "io/npy.h" /* a directory is an I/O error for every reader */
#include "io/file_image.h"
#include "io/png_io.h"
#include "io/safetensors.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

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
    jft_scratch_file(name, path, sizeof path);
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
    uint8_t *file = jft_read_bytes(path, &fsize);
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
    jft_scratch_file("full.png", path, sizeof path);
    ck_assert_int_eq(jf_png_write(path, &src, err, sizeof err), JF_OK);
    size_t n;
    uint8_t *full = jft_read_bytes(path, &n);
    remove(path);

    /* truncated at several points: in IHDR, in IDAT, before IEND */
    const size_t cuts[] = {12, 30, n / 2, n - 12, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        jft_scratch_file("trunc.png", path, sizeof path);
        jft_write_bytes(path, full, cuts[i]);
        memset(&img, 0x55, sizeof img);
        err[0] = '\0';
        jf_status st = jf_png_read(path, &img, err, sizeof err);
        ck_assert_msg(st == JF_ERR_BAD_FORMAT, "cut at %zu: status %d (%s)", cuts[i], st, err);
        jft_assert_err_has(err, "trunc.png");
        ck_assert_ptr_null(img.pixels);
        /* same through memory */
        st = jf_png_read_memory(full, cuts[i], "cutmem", &img, err, sizeof err);
        ck_assert_int_eq(st, JF_ERR_BAD_FORMAT);
        jft_assert_err_has(err, "cutmem");
    }
    remove(path);

    /* a corrupted IDAT byte (CRC mismatch in a critical chunk) */
    uint8_t *bad = malloc(n);
    memcpy(bad, full, n);
    bad[50] ^= 0xFF;
    ck_assert_int_eq(jf_png_read_memory(bad, n, "crc", &img, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "crc");
    free(bad);
    free(full);

    /* garbage bytes */
    uint8_t junk[100];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 37 + 11);
    jft_scratch_file("garbage.png", path, sizeof path);
    jft_write_bytes(path, junk, sizeof junk);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "garbage.png");
    remove(path);

    /* PNG signature followed by garbage */
    memcpy(junk, "\x89PNG\r\n\x1a\n", 8);
    ck_assert_int_eq(jf_png_read_memory(junk, sizeof junk, "sig", &img, err, sizeof err),
                     JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "sig");

    /* empty file */
    jft_scratch_file("empty.png", path, sizeof path);
    jft_write_bytes(path, NULL, 0);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "empty.png");
    remove(path);

    /* missing file */
    jft_scratch_file("does_not_exist.png", path, sizeof path);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "does_not_exist.png");
    jft_assert_err_has(err, strerror(ENOENT));

    /* a NULL err buffer is allowed */
    ck_assert_int_eq(jf_png_read(path, &img, NULL, 0), JF_ERR_IO);

    /* a directory is an I/O error for every reader, not a huge or empty file */
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", jft_binary_path("io_scratch"));
    ck_assert_int_eq(jf_png_read(dir, &img, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "io_scratch");
    jf_npy a;
    ck_assert_int_eq(jf_npy_read(dir, &a, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "io_scratch");
    jf_safetensors st;
    ck_assert_int_eq(jf_st_open(dir, &st, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "io_scratch");
}
END_TEST

/* A 1x1 gray PNG whose IHDR is patched to declare w x h (its CRC fixed, so
 * only the size is wrong): a few bytes that ask for any number of pixels. */
static membuf png_declaring(uint32_t w, uint32_t h)
{
    uint8_t one[3] = {1, 2, 3};
    membuf m = encode_png(1, 1, 8, PNG_COLOR_TYPE_GRAY, one, 1, NULL, 0, NULL, 0, NULL);
    uint8_t *d = m.data;
    const uint32_t dims[2] = {w, h};
    for (int k = 0; k < 2; k++) {
        d[16 + 4 * k] = (uint8_t)(dims[k] >> 24);
        d[17 + 4 * k] = (uint8_t)(dims[k] >> 16);
        d[18 + 4 * k] = (uint8_t)(dims[k] >> 8);
        d[19 + 4 * k] = (uint8_t)dims[k];
    }
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    crc = (uint32_t)crc32(crc, d + 12, 17);
    d[29] = (uint8_t)(crc >> 24);
    d[30] = (uint8_t)(crc >> 16);
    d[31] = (uint8_t)(crc >> 8);
    d[32] = (uint8_t)crc;
    return m;
}

START_TEST(png_absurd_dimensions)
{
    char err[512];
    /* An IHDR claiming 100000 x 100000: rejected before any pixel allocation. */
    membuf m = png_declaring(100000, 100000);
    jf_png img;
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "huge", &img, err, sizeof err),
                     JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "huge");
    ck_assert_ptr_null(img.pixels);
    free(m.data);
}
END_TEST

START_TEST(png_pixel_limit)
{
    char err[512], path[4200];
    jf_png img;
    unsetenv("JF_MAX_PIXELS");
    uint64_t limit;
    ck_assert_int_eq(jf_file_max_pixels(&limit, err, sizeof err), JF_OK);
    ck_assert_uint_eq(limit, JF_FILE_DEFAULT_MAX_PIXELS);

    /* 60000 x 60000 is within the per-side cap but 3.6e9 pixels: refused by
     * the default limit from IHDR alone (libpng would fail later, on the
     * missing data, with BAD_FORMAT, after a 3.6 GB allocation) */
    membuf m = png_declaring(60000, 60000);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "bomb", &img, err, sizeof err),
                     JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "bomb");
    jft_assert_err_has(err, "60000x60000");
    jft_assert_err_has(err, "100000000");
    jft_assert_err_has(err, "JF_MAX_PIXELS");
    ck_assert_ptr_null(img.pixels);
    /* the file reader takes the same path */
    jft_scratch_file("bomb.png", path, sizeof path);
    jft_write_bytes(path, m.data, m.size);
    ck_assert_int_eq(jf_png_read(path, &img, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "bomb.png");
    remove(path);
    free(m.data);

    /* a real 40x25 image against a lowered limit: 1000 pixels pass, 999 do not */
    uint8_t px[40 * 25];
    memset(px, 7, sizeof px);
    m = encode_png(40, 25, 8, PNG_COLOR_TYPE_GRAY, px, 40, NULL, 0, NULL, 0, NULL);
    setenv("JF_MAX_PIXELS", "1000", 1);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "small", &img, err, sizeof err), JF_OK);
    jf_png_free(&img);
    setenv("JF_MAX_PIXELS", "999", 1);
    ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "small", &img, err, sizeof err),
                     JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "40x25 = 1000 pixels");
    jft_assert_err_has(err, "limit of 999");
    /* a raised limit lets a declared 2000x1000 through to libpng, which then
     * finds the pixel data missing */
    membuf b = png_declaring(2000, 1000);
    ck_assert_int_eq(jf_png_read_memory(b.data, b.size, "short", &img, err, sizeof err),
                     JF_ERR_UNSUPPORTED);
    setenv("JF_MAX_PIXELS", "2000000", 1);
    ck_assert_int_eq(jf_png_read_memory(b.data, b.size, "short", &img, err, sizeof err),
                     JF_ERR_BAD_FORMAT);
    ck_assert_ptr_null(img.pixels);
    free(b.data);

    /* a malformed limit is an error, not silently the default or no limit */
    static const char *const bad[] = {"lots", "-1", "0", "12abc", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("JF_MAX_PIXELS", bad[i], 1);
        ck_assert_int_eq(jf_png_read_memory(m.data, m.size, "small", &img, err, sizeof err),
                         JF_ERR_INVALID_ARGUMENT);
        jft_assert_err_has(err, "JF_MAX_PIXELS");
        jft_assert_err_has(err, bad[i]);
        ck_assert_ptr_null(img.pixels);
    }
    unsetenv("JF_MAX_PIXELS");
    free(m.data);
}
END_TEST

START_TEST(png_write_failure_leaves_nothing)
{
    char path[4200], err[512];
    uint8_t px[4] = {1, 2, 3, 4};
    jf_png img = {2, 2, 1, 8, px};
    jft_scratch_file("no_such_dir/out.png", path, sizeof path);
    ck_assert_int_eq(jf_png_write(path, &img, err, sizeof err), JF_ERR_IO);
    jft_assert_err_has(err, "out.png");
    ck_assert(!jft_file_exists(path));
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert(!jft_file_exists(tmp));

    /* invalid descriptions are refused without touching the disk */
    jft_scratch_file("bad.png", path, sizeof path);
    jf_png bad = {2, 2, 5, 8, px};
    ck_assert_int_eq(jf_png_write(path, &bad, err, sizeof err), JF_ERR_UNSUPPORTED);
    bad.channels = 1;
    bad.bit_depth = 4;
    ck_assert_int_eq(jf_png_write(path, &bad, err, sizeof err), JF_ERR_UNSUPPORTED);
    ck_assert(!jft_file_exists(path));

    /* writing over an existing file replaces it whole */
    jft_scratch_file("replace.png", path, sizeof path);
    jft_write_bytes(path, "old", 3);
    ck_assert_int_eq(jf_png_write(path, &img, err, sizeof err), JF_OK);
    jf_png back;
    ck_assert_int_eq(jf_png_read(path, &back, err, sizeof err), JF_OK);
    ck_assert(memcmp(back.pixels, px, 4) == 0);
    jf_png_free(&back);
    remove(path);
}
END_TEST

int main(void)
{
    return jft_run_tests("io_png", "png", 0,
                         JFT_TESTS(png_roundtrip_all, png_palette_expands,
                                   png_low_bit_gray_and_alpha, png_malformed, png_absurd_dimensions,
                                   png_pixel_limit, png_write_failure_leaves_nothing));
}
