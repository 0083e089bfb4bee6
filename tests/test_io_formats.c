/* test_io_formats.c - Check suite for the one image reader and writer
 * (src/io/image_file.c) and its formats: TIFF (8/16-bit, float, 1-4 channels,
 * tiled and separate-plane files made with libtiff here), PFM (both byte
 * orders, rows bottom to top), JPEG (encoded here with libjpeg), NPY of
 * uint8/uint16 read as integers, PNG through the dispatcher, the format found
 * from the content rather than the name, and malformed files refused with a
 * message, the pixel limit (JF_MAX_PIXELS) the same for every format. Every
 * file is made by the test itself. */
#include "jf_files.h"
#include "jf_test.h"

#include "io/image_file.h"
#include "io/npy.h"
#include "io/png_io.h"

#include <stdio.h> /* before jpeglib.h */
#include <jpeglib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <tiffio.h>

static size_t px_count(const jf_file_image *f) { return (size_t)f->width * f->height * f->channels; }

/* A w x h x c test pattern of the given type: distinct, full-range values. */
static void *pattern(jf_pixel_type t, int w, int h, int c, unsigned seed)
{
    size_t n = (size_t)w * h * c;
    void *p = malloc(n * jf_file_sample_bytes(t));
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(i * 2654435761u + seed * 40503u);
        if (t == JF_PIXEL_U8) ((uint8_t *)p)[i] = (uint8_t)(v >> 13);
        else if (t == JF_PIXEL_U16) ((uint16_t *)p)[i] = (uint16_t)(v >> 7);
        else ((float *)p)[i] = (float)((double)(v >> 3) / 7.0 - 1e7); /* metres, mm, any float */
    }
    return p;
}

static void assert_same_pixels(const jf_file_image *f, jf_pixel_type t, int w, int h, int c, const void *want)
{
    ck_assert_int_eq(f->width, w);
    ck_assert_int_eq(f->height, h);
    ck_assert_int_eq(f->channels, c);
    ck_assert_int_eq(f->type, t);
    ck_assert_msg(!memcmp(f->pixels, want, px_count(f) * jf_file_sample_bytes(t)), "pixels differ");
}

START_TEST(tiff_roundtrip)
{
    char path[4200], err[512];
    jft_scratch_file("rt.tiff", path, sizeof path);
    static const jf_pixel_type types[] = {JF_PIXEL_U8, JF_PIXEL_U16, JF_PIXEL_F32};
    for (int ti = 0; ti < 3; ti++)
        for (int c = 1; c <= 4; c++) {
            int w = 37, h = 23;
            void *px = pattern(types[ti], w, h, c, (unsigned)(ti * 4 + c));
            jf_file_image img = {w, h, c, types[ti], JF_FILE_UNKNOWN, px}, got;
            ck_assert_msg(jf_file_image_write(path, &img, err, sizeof err) == JF_OK, "%s", err);
            ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
            ck_assert_int_eq(got.format, JF_FILE_TIFF);
            assert_same_pixels(&got, types[ti], w, h, c, px);
            jf_file_image_free(&got);
            free(px);
        }
}
END_TEST

/* A TIFF as other programs write it: tiled or separate planes, big-endian, float64. */
static void write_tiff_with_libtiff(const char *path, const char *mode, int tiled, int separate, int bps,
                                    int fmt, int w, int h, int c, const void *px)
{
    TIFF *t = TIFFOpen(path, mode);
    ck_assert_ptr_nonnull(t);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)h);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)c);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, (uint16_t)bps);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, (uint16_t)fmt);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, (uint16_t)(c >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK));
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, (uint16_t)(separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG));
    TIFFSetField(t, TIFFTAG_COMPRESSION, (uint16_t)COMPRESSION_LZW);
    size_t sb = (size_t)bps / 8;
    if (tiled) {
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16u);
        TIFFSetField(t, TIFFTAG_TILELENGTH, 16u);
        int per = separate ? 1 : c;
        unsigned char *tile = calloc(16 * 16 * (size_t)per, sb);
        for (int p = 0; p < (separate ? c : 1); p++)
            for (int y0 = 0; y0 < h; y0 += 16)
                for (int x0 = 0; x0 < w; x0 += 16) {
                    memset(tile, 0, 16 * 16 * (size_t)per * sb);
                    for (int y = y0; y < y0 + 16 && y < h; y++)
                        for (int x = x0; x < x0 + 16 && x < w; x++)
                            for (int k = 0; k < per; k++)
                                memcpy(tile + (((size_t)(y - y0) * 16 + (x - x0)) * per + k) * sb,
                                       (const unsigned char *)px + (((size_t)y * w + x) * c + (separate ? p : k)) * sb, sb);
                    ck_assert_int_ge(TIFFWriteTile(t, tile, (uint32_t)x0, (uint32_t)y0, 0, (uint16_t)p), 0);
                }
        free(tile);
    } else {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 5u);
        unsigned char *row = malloc((size_t)w * c * sb);
        for (int p = 0; p < (separate ? c : 1); p++)
            for (int y = 0; y < h; y++) {
                size_t m = 0;
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < (separate ? 1 : c); k++, m++)
                        memcpy(row + m * sb, (const unsigned char *)px + (((size_t)y * w + x) * c + (separate ? p : k)) * sb, sb);
                ck_assert_int_eq(TIFFWriteScanline(t, row, (uint32_t)y, (uint16_t)p), 1);
            }
        free(row);
    }
    TIFFClose(t);
}

START_TEST(tiff_layouts)
{
    char path[4200], err[512];
    jft_scratch_file("layout.tif", path, sizeof path);
    int w = 40, h = 21;
    for (int tiled = 0; tiled < 2; tiled++)
        for (int separate = 0; separate < 2; separate++)
            for (int big = 0; big < 2; big++) {
                const char *mode = big ? "wb" : "wl";
                uint16_t *u16 = pattern(JF_PIXEL_U16, w, h, 3, 7);
                write_tiff_with_libtiff(path, mode, tiled, separate, 16, SAMPLEFORMAT_UINT, w, h, 3, u16);
                jf_file_image got;
                ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
                assert_same_pixels(&got, JF_PIXEL_U16, w, h, 3, u16);
                jf_file_image_free(&got);
                free(u16);
            }
    /* float64 depth (metres) narrows to float32 */
    double *d = malloc((size_t)w * h * sizeof *d);
    float *f = malloc((size_t)w * h * sizeof *f);
    for (int i = 0; i < w * h; i++) f[i] = (float)(d[i] = 0.5 + i * 0.001);
    write_tiff_with_libtiff(path, "wb", 0, 0, 64, SAMPLEFORMAT_IEEEFP, w, h, 1, d);
    jf_file_image got;
    ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
    assert_same_pixels(&got, JF_PIXEL_F32, w, h, 1, f);
    jf_file_image_free(&got);
    /* signed 16-bit: refused, with the reason */
    write_tiff_with_libtiff(path, "w", 0, 0, 16, SAMPLEFORMAT_INT, w, h, 1, d);
    ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "signed");
    free(d);
    free(f);
}
END_TEST

START_TEST(pfm_roundtrip_and_byte_order)
{
    char path[4200], err[512];
    jft_scratch_file("rt.pfm", path, sizeof path);
    for (int c = 1; c <= 3; c += 2) {
        int w = 9, h = 5;
        float *px = pattern(JF_PIXEL_F32, w, h, c, (unsigned)c);
        px[3] = NAN;
        px[4] = -INFINITY;
        jf_file_image img = {w, h, c, JF_PIXEL_F32, JF_FILE_UNKNOWN, px}, got;
        ck_assert_msg(jf_file_image_write(path, &img, err, sizeof err) == JF_OK, "%s", err);
        size_t n;
        uint8_t *raw = jft_read_bytes(path, &n);
        ck_assert_msg(!memcmp(raw, c == 1 ? "Pf\n9 5\n-1.0\n" : "PF\n9 5\n-1.0\n", 12), "header");
        /* rows bottom to top: the file's first row is the image's last */
        ck_assert(!memcmp(raw + 12, px + (size_t)(h - 1) * w * c, 4));
        free(raw);
        ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
        ck_assert_int_eq(got.format, JF_FILE_PFM);
        assert_same_pixels(&got, JF_PIXEL_F32, w, h, c, px);
        jf_file_image_free(&got);
        free(px);
    }
    /* big-endian (positive scale), header fields on one line, as some writers do */
    const char head[] = "Pf 2 1 1.0\n";
    uint8_t b[sizeof head - 1 + 8];
    memcpy(b, head, sizeof head - 1);
    const uint8_t be[8] = {0x3f, 0x80, 0, 0, 0xc0, 0x00, 0, 0}; /* 1.0, -2.0 */
    memcpy(b + sizeof head - 1, be, 8);
    jft_write_bytes(path, b, sizeof b);
    jf_file_image got;
    ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
    ck_assert(((float *)got.pixels)[0] == 1.0f && ((float *)got.pixels)[1] == -2.0f);
    jf_file_image_free(&got);
    /* truncated data */
    jft_write_bytes(path, b, sizeof b - 1);
    ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "truncated");
    /* PFM holds floats only */
    uint8_t u8[4] = {1, 2, 3, 4};
    jf_file_image img = {2, 2, 1, JF_PIXEL_U8, JF_FILE_UNKNOWN, u8};
    ck_assert_int_eq(jf_file_image_write(path, &img, err, sizeof err), JF_ERR_UNSUPPORTED);
}
END_TEST

/* Encodes w x h x c 8-bit pixels as a JPEG file with libjpeg (progressive:
 * several scans, which a decoder buffers whole). */
static void write_jpeg(const char *path, const uint8_t *px, int w, int h, int c, int quality,
                       int progressive)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr em;
    ci.err = jpeg_std_error(&em);
    jpeg_create_compress(&ci);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    jpeg_stdio_dest(&ci, f);
    ci.image_width = (JDIMENSION)w;
    ci.image_height = (JDIMENSION)h;
    ci.input_components = c;
    ci.in_color_space = c == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, quality, TRUE);
    if (progressive) jpeg_simple_progression(&ci);
    jpeg_start_compress(&ci, TRUE);
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW r = (JSAMPROW)(px + (size_t)ci.next_scanline * w * c);
        jpeg_write_scanlines(&ci, &r, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    fclose(f);
}

START_TEST(jpeg_read)
{
    char path[4200], err[512];
    /* named .png: the content decides the format */
    jft_scratch_file("photo.png", path, sizeof path);
    int w = 48, h = 32;
    for (int c = 1; c <= 3; c += 2) {
        uint8_t *px = malloc((size_t)w * h * c);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++) px[((size_t)y * w + x) * c + k] = (uint8_t)(x * 2 + y * 2 + k * 30); /* smooth */
        write_jpeg(path, px, w, h, c, 100, 0);
        jf_file_image got;
        ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
        ck_assert_int_eq(got.format, JF_FILE_JPEG);
        ck_assert_int_eq(got.type, JF_PIXEL_U8);
        ck_assert_int_eq(got.channels, c);
        ck_assert_int_eq(got.width, w);
        ck_assert_int_eq(got.height, h);
        int worst = 0;
        for (size_t i = 0; i < px_count(&got); i++) {
            int d = abs((int)((uint8_t *)got.pixels)[i] - px[i]);
            worst = d > worst ? d : worst;
        }
        ck_assert_msg(worst <= 6, "a quality-100 JPEG is off by %d", worst);
        jf_file_image_free(&got);
        /* truncated: an error, not a half-grey picture */
        size_t n;
        uint8_t *raw = jft_read_bytes(path, &n);
        jft_write_bytes(path, raw, n / 2);
        free(raw);
        ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_BAD_FORMAT);
        jft_assert_err_has(err, "photo.png");
        free(px);
    }
    /* JPEG is not written */
    jft_scratch_file("out.jpg", path, sizeof path);
    uint8_t u8[4] = {0};
    jf_file_image img = {2, 2, 1, JF_PIXEL_U8, JF_FILE_UNKNOWN, u8};
    ck_assert_int_eq(jf_file_image_write(path, &img, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "read, not written");
}
END_TEST

START_TEST(npy_integers_stay_integers)
{
    char path[4200], err[512];
    jft_scratch_file("int.npy", path, sizeof path);
    /* uint16 millimetres as numpy writes them: the same counts as a 16-bit PNG */
    const char dict[] = "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }";
    uint8_t b[128 + 12];
    memset(b, ' ', 128);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = 118;
    b[9] = 0;
    memcpy(b + 10, dict, sizeof dict - 1);
    b[127] = '\n';
    const uint16_t mm[6] = {0, 1534, 7754, 65535, 4000, 1};
    for (int i = 0; i < 6; i++) {
        b[128 + 2 * i] = (uint8_t)mm[i];
        b[129 + 2 * i] = (uint8_t)(mm[i] >> 8);
    }
    jft_write_bytes(path, b, sizeof b);
    jf_file_image got;
    ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
    ck_assert_int_eq(got.format, JF_FILE_NPY);
    assert_same_pixels(&got, JF_PIXEL_U16, 3, 2, 1, mm);
    jf_file_image_free(&got);
    /* uint8 */
    b[10 + 11] = '|'; /* '<u2' -> '|u1' */
    b[10 + 13] = '1';
    jft_write_bytes(path, b, 128 + 6);
    ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
    const uint8_t want8[6] = {0, 0, 0xFE, 0x05, 0x4A, 0x1E}; /* the bytes of 0, 1534, 7754 */
    assert_same_pixels(&got, JF_PIXEL_U8, 3, 2, 1, want8);
    jf_file_image_free(&got);
    /* a float result written as NPY reads back as float */
    float f[6] = {0.5f, -1.f, 2.f, 3.f, 4.f, 1e6f};
    jf_file_image img = {3, 2, 1, JF_PIXEL_F32, JF_FILE_UNKNOWN, f};
    ck_assert_msg(jf_file_image_write(path, &img, err, sizeof err) == JF_OK, "%s", err);
    ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
    assert_same_pixels(&got, JF_PIXEL_F32, 3, 2, 1, f);
    jf_file_image_free(&got);
}
END_TEST

START_TEST(dispatch_and_errors)
{
    char path[4200], err[512];
    /* PNG through the dispatcher, both depths */
    jft_scratch_file("d.png", path, sizeof path);
    uint16_t *p16 = pattern(JF_PIXEL_U16, 7, 3, 1, 3);
    jf_file_image img = {7, 3, 1, JF_PIXEL_U16, JF_FILE_UNKNOWN, p16}, got;
    ck_assert_msg(jf_file_image_write(path, &img, err, sizeof err) == JF_OK, "%s", err);
    ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s", err);
    ck_assert_int_eq(got.format, JF_FILE_PNG);
    assert_same_pixels(&got, JF_PIXEL_U16, 7, 3, 1, p16);
    jf_file_image_free(&got);
    /* PNG cannot hold float: refused rather than quantised */
    float f[21] = {0};
    jf_file_image fimg = {7, 3, 1, JF_PIXEL_F32, JF_FILE_UNKNOWN, f};
    ck_assert_int_eq(jf_file_image_write(path, &fimg, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "float");
    free(p16);
    /* names */
    ck_assert_int_eq(jf_file_format_from_name("a/b.TIFF"), JF_FILE_TIFF);
    ck_assert_int_eq(jf_file_format_from_name("x.tif"), JF_FILE_TIFF);
    ck_assert_int_eq(jf_file_format_from_name("x.Pfm"), JF_FILE_PFM);
    ck_assert_int_eq(jf_file_format_from_name("x.bmp"), JF_FILE_UNKNOWN);
    /* unknown content, empty file, unknown extension */
    jft_scratch_file("garbage.tif", path, sizeof path);
    jft_write_bytes(path, "GIF89a....", 10);
    ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "PNG, JPEG, TIFF, PFM or NPY");
    jft_write_bytes(path, "", 0);
    ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "empty");
    /* a TIFF header and nothing else */
    jft_write_bytes(path, "II*\0\x08\0\0\0", 8);
    ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_BAD_FORMAT);
    jft_assert_err_has(err, "garbage.tif");
    jft_scratch_file("x.bmp", path, sizeof path);
    ck_assert_int_eq(jf_file_image_write(path, &img, err, sizeof err), JF_ERR_UNSUPPORTED);
    ck_assert(!jft_file_exists(path));
    /* a failed TIFF write leaves nothing behind */
    jft_scratch_file("missing_dir/x.tiff", path, sizeof path);
    ck_assert_int_eq(jf_file_image_write(path, &img, err, sizeof err), JF_ERR_IO);
    ck_assert(!jft_file_exists(path));
}
END_TEST

static long max_rss_kib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

START_TEST(pixel_limit_every_format)
{
    char path[4200], err[512];
    jf_file_image got;
    /* one 400 x 300 image in every format that is written, read against
     * JF_MAX_PIXELS just above and just below its 120000 pixels */
    static const char *const names[] = {"lim.png", "lim.tif", "lim.pfm", "lim.npy"};
    uint8_t *u8 = pattern(JF_PIXEL_U8, 400, 300, 1, 1);
    float *f32 = pattern(JF_PIXEL_F32, 400, 300, 1, 2);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        jft_scratch_file(names[i], path, sizeof path);
        int is_float = i >= 2;
        jf_file_image img = {400, 300, 1, is_float ? JF_PIXEL_F32 : JF_PIXEL_U8, JF_FILE_UNKNOWN,
                             is_float ? (void *)f32 : (void *)u8};
        ck_assert_int_eq(jf_file_image_write(path, &img, err, sizeof err), JF_OK);
        setenv("JF_MAX_PIXELS", "120000", 1);
        ck_assert_msg(jf_file_image_read(path, &got, err, sizeof err) == JF_OK, "%s: %s", names[i], err);
        jf_file_image_free(&got);
        setenv("JF_MAX_PIXELS", "119999", 1);
        ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_UNSUPPORTED);
        jft_assert_err_has(err, names[i]);
        jft_assert_err_has(err, "400x300 = 120000 pixels");
        jft_assert_err_has(err, "JF_MAX_PIXELS");
        ck_assert_ptr_null(got.pixels);
        remove(path);
    }
    unsetenv("JF_MAX_PIXELS");
    free(u8);
    free(f32);

    /* A progressive JPEG whose frame header says 60000 x 60000: refused from
     * the header. It used to be checked only after jpeg_start_decompress,
     * which for a progressive file first allocates (and zeroes) coefficient
     * buffers for the whole image: gigabytes for these 600 bytes. */
    jft_scratch_file("bomb.jpg", path, sizeof path);
    uint8_t px[16 * 12 * 3];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 7);
    write_jpeg(path, px, 16, 12, 3, 70, 1);
    size_t n;
    uint8_t *raw = jft_read_bytes(path, &n);
    size_t sof = 0;
    for (size_t i = 0; i + 9 < n && !sof; i++)
        if (raw[i] == 0xFF && raw[i + 1] == 0xC2) sof = i;
    ck_assert_msg(sof > 0, "no progressive frame header (SOF2) in the encoded JPEG");
    raw[sof + 5] = raw[sof + 7] = 60000 >> 8; /* height, then width, big-endian */
    raw[sof + 6] = raw[sof + 8] = 60000 & 0xFF;
    jft_write_bytes(path, raw, n);
    free(raw);
    long before = max_rss_kib();
    ck_assert_int_eq(jf_file_image_read(path, &got, err, sizeof err), JF_ERR_UNSUPPORTED);
    jft_assert_err_has(err, "60000x60000");
    jft_assert_err_has(err, "JF_MAX_PIXELS");
    ck_assert_msg(max_rss_kib() - before < 64 * 1024, "refusing it took %ld MiB",
                  (max_rss_kib() - before) / 1024);
    remove(path);
}
END_TEST

int main(void)
{
    return jft_run_tests("io_formats", "formats", 0,
                         JFT_TESTS(tiff_roundtrip, tiff_layouts, pfm_roundtrip_and_byte_order, jpeg_read,
                                   npy_integers_stay_integers, dispatch_and_errors,
                                   pixel_limit_every_format));
}
