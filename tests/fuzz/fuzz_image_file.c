/* fuzz_image_file.c - libFuzzer target: the one image reader the CLI uses
 * for every input (jf_file_image_read): format sniffing, then the PNG, JPEG,
 * TIFF, PFM or NPY decoder. libtiff reads from a path, so each input is
 * written to one scratch file (in $TMPDIR, made once, removed at exit) and
 * read back through the real path. An accepted image must describe its
 * pixel buffer exactly (every byte is read here) and stay within the pixel
 * limit, lowered to 2^22 (JF_MAX_PIXELS, unless already set) so inputs
 * declaring large images stay fast; a refused one leaves no buffer and a
 * message. */
#include "io/image_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

static void remove_scratch(void)
{
    if (path[0]) unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("JF_MAX_PIXELS", "4194304", 0);
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/jf_fuzz_image.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_image_file: mkstemp");
        abort();
    }
    close(fd);
    atexit(remove_scratch);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) abort();
    jf_file_image img;
    char err[512];
    if (jf_file_image_read(path, &img, err, sizeof err) != JF_OK) {
        if (img.pixels || !err[0]) abort();
        return 0;
    }
    uint64_t limit;
    if (jf_file_max_pixels(&limit, NULL, 0) != JF_OK) abort();
    if (img.width < 1 || img.height < 1 || img.width > JF_FILE_MAX_DIM || img.height > JF_FILE_MAX_DIM ||
        (uint64_t)img.width * (uint64_t)img.height > limit || img.channels < 1 || img.channels > 4 ||
        (img.type != JF_PIXEL_U8 && img.type != JF_PIXEL_U16 && img.type != JF_PIXEL_F32) ||
        img.format == JF_FILE_UNKNOWN || !img.pixels)
        abort();
    size_t bytes = (size_t)img.width * img.height * img.channels * jf_file_sample_bytes(img.type);
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < bytes; i++) sink ^= ((const uint8_t *)img.pixels)[i];
    (void)sink;
    jf_file_image_free(&img);
    return 0;
}
