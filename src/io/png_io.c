/* png_io.c - PNG reading and writing through libpng (see png_io.h).
 * libpng reports errors by longjmp, so every allocation that must survive an
 * error lives in a context struct that is freed after setjmp returns. */
#include "io/png_io.h"
#include "io/atomic_file.h"
#include "io/file_image.h"
#include "io/read_file.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger than any image we filter; also keeps row arithmetic far from overflow. */
#define JF_PNG_MAX_DIM 65535u

/* State shared with the libpng callbacks. Kept outside the setjmp frame so its
 * fields stay valid after a longjmp (no volatile juggling needed). */
typedef struct png_job {
    const char *what;
    char msg[256];          /* libpng's last error message */
    /* memory source */
    const uint8_t *mem;
    size_t mem_size, mem_pos;
    /* outputs that must be freed on failure */
    uint8_t *pixels;
    png_bytep *rows;
    FILE *file;
} png_job;

static void jf_png_error_fn(png_structp png, png_const_charp msg)
{
    png_job *job = png_get_error_ptr(png);
    if (job) snprintf(job->msg, sizeof job->msg, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

static void jf_png_warning_fn(png_structp png, png_const_charp msg)
{
    /* Warnings (odd chunks, bad CRCs in ancillary chunks) do not stop a decode;
     * they are not worth printing from a library. */
    (void)png;
    (void)msg;
}

static void jf_png_mem_read(png_structp png, png_bytep out, png_size_t n)
{
    png_job *job = png_get_io_ptr(png);
    if (n > job->mem_size - job->mem_pos) png_error(png, "unexpected end of data (truncated)");
    memcpy(out, job->mem + job->mem_pos, n);
    job->mem_pos += n;
}

static void jf_png_file_read(png_structp png, png_bytep out, png_size_t n)
{
    /* Our own reader (instead of png_init_io) so a short read is an error with a
     * clear message rather than libpng's generic "Read Error". */
    png_job *job = png_get_io_ptr(png);
    if (fread(out, 1, n, job->file) != n)
        png_error(png, ferror(job->file) ? "read error" : "unexpected end of file (truncated)");
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Decodes with the source already set up in job (file or memory). */
static jf_status png_decode(png_job *job, jf_png *out, char *err, size_t errlen)
{
    /* a malformed JF_MAX_PIXELS is reported before anything is read */
    uint64_t max_pixels;
    jf_status lst = jf_file_max_pixels(&max_pixels, err, errlen);
    if (lst != JF_OK) return lst;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, jf_png_error_fn,
                                             jf_png_warning_fn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        jf_io_errf(err, errlen, "%s: out of memory creating the PNG decoder", job->what);
        return JF_ERR_OUT_OF_MEMORY;
    }
    if (job->file)
        png_set_read_fn(png, job, jf_png_file_read);
    else
        png_set_read_fn(png, job, jf_png_mem_read);

    /* Values set after setjmp that are read after a longjmp live in job, so no
     * local here needs to be volatile. */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(job->rows);
        job->rows = NULL;
        free(job->pixels);
        job->pixels = NULL;
        jf_io_errf(err, errlen, "%s: not a valid PNG: %s", job->what, job->msg);
        return JF_ERR_BAD_FORMAT;
    }

    /* Refuse absurd sizes before libpng allocates anything for them. */
    png_set_user_limits(png, JF_PNG_MAX_DIM, JF_PNG_MAX_DIM);
    png_read_info(png, info);

    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    /* A few bytes of IHDR can declare gigabytes of pixels (a decompression
     * bomb, or just a mistake): refuse before anything is allocated for them. */
    if ((uint64_t)w * h > max_pixels) {
        jf_status pst = jf_file_check_pixels(job->what, w, h, err, errlen);
        png_destroy_read_struct(&png, &info, NULL);
        return pst;
    }
    int depth = png_get_bit_depth(png, info);
    int ctype = png_get_color_type(png, info);

    if (ctype == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16 && host_little_endian()) png_set_swap(png);
    /* Interlaced images are deinterlaced by reading all passes into the full rows. */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int odepth = png_get_bit_depth(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || (odepth != 8 && odepth != 16)) {
        jf_io_errf(err, errlen, "%s: unsupported PNG layout (%d channels, %d bits)", job->what,
                   channels, odepth);
        png_destroy_read_struct(&png, &info, NULL);
        return JF_ERR_UNSUPPORTED;
    }
    size_t bpp = (size_t)channels * (size_t)(odepth / 8);
    if (w == 0 || h == 0 || w > JF_PNG_MAX_DIM || h > JF_PNG_MAX_DIM ||
        rowbytes != (size_t)w * bpp || (size_t)h > SIZE_MAX / rowbytes) {
        jf_io_errf(err, errlen, "%s: unusable image size %ux%u", job->what, (unsigned)w,
                   (unsigned)h);
        png_destroy_read_struct(&png, &info, NULL);
        return JF_ERR_BAD_FORMAT;
    }
    job->pixels = malloc(rowbytes * h);
    job->rows = malloc(sizeof(png_bytep) * h);
    if (!job->pixels || !job->rows) {
        png_destroy_read_struct(&png, &info, NULL);
        free(job->pixels);
        free(job->rows);
        job->pixels = NULL;
        job->rows = NULL;
        jf_io_errf(err, errlen, "%s: out of memory for a %ux%u image", job->what, (unsigned)w,
                   (unsigned)h);
        return JF_ERR_OUT_OF_MEMORY;
    }
    for (png_uint_32 y = 0; y < h; y++) job->rows[y] = job->pixels + (size_t)y * rowbytes;
    png_read_image(png, job->rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(job->rows);
    job->rows = NULL;

    out->width = (int)w;
    out->height = (int)h;
    out->channels = channels;
    out->bit_depth = odepth;
    out->pixels = job->pixels;
    job->pixels = NULL;
    return JF_OK;
}

jf_status jf_png_read(const char *path, jf_png *out, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!path) return JF_ERR_INVALID_ARGUMENT;
    png_job job;
    memset(&job, 0, sizeof job);
    job.what = path;
    job.file = fopen(path, "rb");
    if (!job.file) {
        jf_io_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return JF_ERR_IO;
    }
    struct stat sb;
    if (fstat(fileno(job.file), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        jf_io_errf(err, errlen, "%s: is a directory", path);
        fclose(job.file);
        return JF_ERR_IO;
    }
    uint8_t sig[8];
    size_t got = fread(sig, 1, sizeof sig, job.file);
    if (got < sizeof sig && ferror(job.file)) {
        jf_io_errf(err, errlen, "%s: read error: %s", path, strerror(errno));
        fclose(job.file);
        return JF_ERR_IO;
    }
    if (got < sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0) {
        jf_io_errf(err, errlen, "%s: not a PNG file (%s)", path,
                   got == 0 ? "file is empty" : "bad signature");
        fclose(job.file);
        return JF_ERR_BAD_FORMAT;
    }
    rewind(job.file);
    jf_status st = png_decode(&job, out, err, errlen);
    fclose(job.file);
    return st;
}

jf_status jf_png_read_memory(const void *data, size_t size, const char *what, jf_png *out,
                             char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!data && size) return JF_ERR_INVALID_ARGUMENT;
    if (!what) what = "PNG data";
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        jf_io_errf(err, errlen, "%s: not a PNG file (%s)", what,
                   size == 0 ? "no data" : size < 8 ? "too short" : "bad signature");
        return JF_ERR_BAD_FORMAT;
    }
    png_job job;
    memset(&job, 0, sizeof job);
    job.what = what;
    job.mem = data;
    job.mem_size = size;
    return png_decode(&job, out, err, errlen);
}

void jf_png_free(jf_png *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

/* Encodes img into job->file. Returns 0 on success; job->msg holds libpng's
 * message on failure. */
static int png_encode(png_job *job, const jf_png *img)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, jf_png_error_fn,
                                              jf_png_warning_fn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(png ? &png : NULL, NULL);
        snprintf(job->msg, sizeof job->msg, "out of memory creating the PNG encoder");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(job->rows);
        job->rows = NULL;
        return -1;
    }
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                 PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    png_init_io(png, job->file);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, img->bit_depth,
                 types[img->channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (img->bit_depth == 16 && host_little_endian()) png_set_swap(png);
    size_t rowbytes = (size_t)img->width * (size_t)img->channels * (size_t)(img->bit_depth / 8);
    job->rows = malloc(sizeof(png_bytep) * (size_t)img->height);
    if (!job->rows) png_error(png, "out of memory");
    for (int y = 0; y < img->height; y++)
        job->rows[y] = (png_bytep)img->pixels + (size_t)y * rowbytes;
    png_write_image(png, job->rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(job->rows);
    job->rows = NULL;
    return 0;
}

jf_status jf_png_write(const char *path, const jf_png *img, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || !img) return JF_ERR_INVALID_ARGUMENT;
    if (img->channels < 1 || img->channels > 4 || (img->bit_depth != 8 && img->bit_depth != 16)) {
        jf_io_errf(err, errlen, "%s: cannot write %d channels at %d bits (need 1..4, 8 or 16)",
                   path, img->channels, img->bit_depth);
        return JF_ERR_UNSUPPORTED;
    }
    if (img->width < 1 || img->height < 1 || (unsigned)img->width > JF_PNG_MAX_DIM ||
        (unsigned)img->height > JF_PNG_MAX_DIM || !img->pixels) {
        jf_io_errf(err, errlen, "%s: cannot write a %dx%d image", path, img->width, img->height);
        return JF_ERR_INVALID_ARGUMENT;
    }
    jf_atomic_file af;
    jf_status st = jf_atomic_open(&af, path, err, errlen);
    if (st != JF_OK) return st;
    png_job job;
    memset(&job, 0, sizeof job);
    job.what = path;
    job.file = af.file;
    int rc = png_encode(&job, img);
    return jf_atomic_close(&af, rc == 0, rc == 0 ? NULL : job.msg, err, errlen);
}
