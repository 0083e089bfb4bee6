/* npy.c - see npy.h: NumPy format version 1/2 headers, the dtypes and shapes
 * the install test's inputs have, nothing more. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int npy_read(const char *path, jf_image *img)
{
    FILE *f = fopen(path, "rb");
    unsigned char pre[12];
    char hdr[4096];
    int rc = -1;
    if (!f) {
        perror(path);
        return -1;
    }
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6)) goto bad;
    size_t hlen = pre[8] | (size_t)pre[9] << 8;
    if (pre[6] >= 2) {
        if (fread(pre + 10, 1, 2, f) != 2) goto bad;
        hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    }
    if (hlen >= sizeof hdr || fread(hdr, 1, hlen, f) != hlen) goto bad;
    hdr[hlen] = '\0';
    const char *d = strstr(hdr, "'descr':"), *s = strstr(hdr, "'shape':");
    if (!d || !s || strstr(hdr, "'fortran_order': True")) goto bad;
    size_t elem;
    if (strstr(d, "u1'")) img->type = JF_PIXEL_U8, elem = 1;
    else if (strstr(d, "<u2'")) img->type = JF_PIXEL_U16, elem = 2;
    else if (strstr(d, "<f4'")) img->type = JF_PIXEL_F32, elem = 4;
    else goto bad;
    int h = 0, w = 0, c = 1;
    if (sscanf(s, "'shape': (%d, %d, %d)", &h, &w, &c) < 2 || h < 1 || w < 1 || c < 1 || c > 4) goto bad;
    size_t n = (size_t)h * w * c * elem;
    img->data = malloc(n);
    if (!img->data || fread(img->data, 1, n, f) != n) {
        free(img->data);
        goto bad;
    }
    img->width = w;
    img->height = h;
    img->channels = c;
    img->order = JF_ORDER_RGB;
    img->stride = 0;
    rc = 0;
    goto done;
bad:
    fprintf(stderr, "%s: not a .npy file this consumer reads\n", path);
done:
    fclose(f);
    return rc;
}

int npy_write_f32(const char *path, const jf_image *img)
{
    char hdr[128];
    int n = img->channels == 1
                ? snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
                           img->height, img->width)
                : snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }",
                           img->height, img->width, img->channels);
    int total = (10 + n + 1 + 63) / 64 * 64; /* the header, padded, ends in '\n' */
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return -1;
    }
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)((total - 10) & 0xff), (unsigned char)((total - 10) >> 8)};
    size_t count = (size_t)img->width * img->height * img->channels;
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(hdr, 1, (size_t)n, f) == (size_t)n;
    for (int i = 10 + n; ok && i < total - 1; i++) ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF && fwrite(img->data, sizeof(float), count, f) == count;
    if (fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, "%s: write failed\n", path);
    return ok ? 0 : -1;
}
