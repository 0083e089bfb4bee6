/* fuzz_png.c - libFuzzer target: PNG decoding from memory
 * (jf_png_read_memory, the decoder jf_png_read runs on files too) on
 * arbitrary bytes. An accepted image must describe its pixel buffer exactly
 * (every byte is read back here) and stay within the pixel limit; a refused
 * one leaves no buffer and a message. The limit is lowered to 2^22 pixels
 * (JF_MAX_PIXELS, unless already set) so that inputs declaring large images
 * stay fast and the refusal path is reached as easily as the decode. */
#include "io/file_image.h"
#include "io/png_io.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("JF_MAX_PIXELS", "4194304", 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jf_png img;
    char err[512];
    jf_status s = jf_png_read_memory(data, size, "fuzz", &img, err, sizeof err);
    if (s != JF_OK) {
        if (img.pixels || !err[0]) abort();
        return 0;
    }
    uint64_t limit;
    if (jf_file_max_pixels(&limit, NULL, 0) != JF_OK) abort();
    if (img.width < 1 || img.height < 1 || (uint64_t)img.width * (uint64_t)img.height > limit ||
        img.channels < 1 || img.channels > 4 || (img.bit_depth != 8 && img.bit_depth != 16) ||
        !img.pixels)
        abort();
    size_t bytes = (size_t)img.width * img.height * img.channels * (img.bit_depth / 8);
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < bytes; i++) sink ^= ((const uint8_t *)img.pixels)[i];
    (void)sink;
    jf_png_free(&img);
    if (img.pixels) abort();
    return 0;
}
