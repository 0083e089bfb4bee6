/* jpeg_io.c - JPEG decoding through libjpeg(-turbo) (see jpeg_io.h).
 * libjpeg reports errors through error_exit, which must not return: it
 * longjmps back to the decode with the library's message saved. */
#include "io/jpeg_io.h"
#include "io/read_file.h"

#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <jpeglib.h>
#include <jerror.h> /* JWRN_JPEG_EOF */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct jpeg_job {
    struct jpeg_error_mgr mgr; /* first: libjpeg hands back a pointer to it */
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jpeg_job;

static void jpeg_error_exit(j_common_ptr cinfo)
{
    jpeg_job *job = (jpeg_job *)(void *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, job->msg);
    longjmp(job->jump, 1);
}

/* Corrupt-data warnings still decode an image; a truncated file is an error. */
static void jpeg_emit_message(j_common_ptr cinfo, int level)
{
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_error_exit(cinfo);
}

/* The decoder state lives outside the setjmp frame (static storage duration
 * is not needed: a heap block survives the longjmp with defined contents). */
typedef struct jpeg_state {
    struct jpeg_decompress_struct cinfo;
    jpeg_job job;
    unsigned char *pixels;
} jpeg_state;

jf_status jf_jpeg_read_memory(const void *data, size_t size, const char *what, jf_file_image *out,
                              char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    jpeg_state *s = calloc(1, sizeof *s);
    if (!s) {
        jf_io_errf(err, errlen, "%s: out of memory", what);
        return JF_ERR_OUT_OF_MEMORY;
    }
    jf_status st;
    s->cinfo.err = jpeg_std_error(&s->job.mgr);
    s->job.mgr.error_exit = jpeg_error_exit;
    s->job.mgr.emit_message = jpeg_emit_message;
    if (setjmp(s->job.jump)) {
        /* only s (set before setjmp) is used on this path */
        jf_io_errf(err, errlen, "%s: not a readable JPEG file: %s", what, s->job.msg);
        jpeg_destroy_decompress(&s->cinfo);
        free(s->pixels);
        free(s);
        return JF_ERR_BAD_FORMAT;
    }
    jpeg_create_decompress(&s->cinfo);
    jpeg_mem_src(&s->cinfo, (const unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&s->cinfo, TRUE);
    /* gray stays gray; everything else (YCbCr, RGB, CMYK, YCCK) becomes RGB */
    int gray = s->cinfo.jpeg_color_space == JCS_GRAYSCALE;
    s->cinfo.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
    if (s->cinfo.jpeg_color_space == JCS_CMYK || s->cinfo.jpeg_color_space == JCS_YCCK) {
        jf_io_errf(err, errlen, "%s: CMYK JPEG files are not supported (convert to RGB first)", what);
        st = JF_ERR_UNSUPPORTED;
        goto fail;
    }
    /* The size from the header, before jpeg_start_decompress: for a
     * progressive or multi-scan file that already allocates coefficient
     * buffers for the whole image. (No scaling is asked for, so the output
     * is the header's size.) */
    if ((st = jf_file_check_pixels(what, s->cinfo.image_width, s->cinfo.image_height, err, errlen)) !=
        JF_OK)
        goto fail;
    jpeg_start_decompress(&s->cinfo);
    unsigned w = s->cinfo.output_width, h = s->cinfo.output_height;
    int c = s->cinfo.output_components;
    if (w == 0 || h == 0 || w > JF_FILE_MAX_DIM || h > JF_FILE_MAX_DIM || (c != 1 && c != 3)) {
        jf_io_errf(err, errlen, "%s: a %ux%u JPEG with %d components is not supported "
                   "(at most %d a side)", what, w, h, c, JF_FILE_MAX_DIM);
        st = JF_ERR_UNSUPPORTED;
        goto fail;
    }
    size_t row = (size_t)w * c;
    s->pixels = malloc(row * h);
    if (!s->pixels) {
        jf_io_errf(err, errlen, "%s: out of memory for %ux%u pixels", what, w, h);
        st = JF_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    while (s->cinfo.output_scanline < h) {
        JSAMPROW r = s->pixels + row * s->cinfo.output_scanline;
        jpeg_read_scanlines(&s->cinfo, &r, 1);
    }
    jpeg_finish_decompress(&s->cinfo);
    jpeg_destroy_decompress(&s->cinfo);
    out->width = (int)w;
    out->height = (int)h;
    out->channels = c;
    out->type = JF_PIXEL_U8;
    out->format = JF_FILE_JPEG;
    out->pixels = s->pixels;
    free(s);
    return JF_OK;
fail:
    jpeg_destroy_decompress(&s->cinfo);
    free(s->pixels);
    free(s);
    return st;
}
