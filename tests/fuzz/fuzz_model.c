/* fuzz_model.c - libFuzzer target: the model loader's checks
 * (jf_model_load_memory): metadata (architecture, scale, kernel and window
 * sizes, residual, guide, upsampling) and every tensor's shape against the
 * architecture, down to the weight upload.
 *
 * A real model's tensor data is megabytes of floats that only the last
 * checks read, so the input is not a whole file: its first 4 bytes give the
 * data section's size (the low 24 bits, little-endian, capped at 8 MiB) and
 * the byte every data byte is set to (the top 8 bits: 0x00 gives zeros, 0xFF
 * NaNs, ...), and the rest is the JSON header. The harness frames them into
 * a safetensors file, so a mutation of a 5 KB header reaches every shape
 * check of a 3 MB model. The raw framing itself is fuzz_safetensors' job.
 *
 * The OpenCL context (PoCL on a CPU machine) is created once, in
 * LLVMFuzzerInitialize; a successful load only creates and frees buffers,
 * never builds a kernel, so each execution stays short and prints nothing.
 * A load must succeed or fail with a message; the context must stay usable. */
#include "jfilter.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DATA (8u << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jf_context *ctx;
static int verbose; /* JF_FUZZ_VERBOSE=1: say how each load ended (triage) */
static uint8_t *file;
static size_t file_cap;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (jf_context_create(&ctx, NULL) != JF_OK) {
        fprintf(stderr, "fuzz_model: no OpenCL context: %s\n", jf_last_error(NULL));
        abort();
    }
    verbose = getenv("JF_FUZZ_VERBOSE") != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    uint32_t word = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                    (uint32_t)data[3] << 24;
    size_t dsize = word & 0xFFFFFFu;
    if (dsize > MAX_DATA) dsize = MAX_DATA;
    uint8_t fill = (uint8_t)(word >> 24);
    size_t hlen = size - 4;
    size_t total = 8 + hlen + dsize;
    /* one buffer, grown as needed, reused across executions */
    if (total > file_cap) {
        free(file);
        file = malloc(total);
        if (!file) abort();
        file_cap = total;
    }
    for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)hlen >> (8 * i));
    memcpy(file + 8, data + 4, hlen);
    memset(file + 8 + hlen, fill, dsize);

    jf_model *m = NULL;
    jf_status s = jf_model_load_memory(ctx, file, total, &m);
    if (verbose) fprintf(stderr, "fuzz_model: %d %s\n", (int)s, s == JF_OK ? "loaded" : jf_last_error(ctx));
    if (s == JF_OK) {
        jf_model_info info = {.size = sizeof(jf_model_info)};
        if (!m || jf_model_get_info(m, &info) != JF_OK) abort();
        if (info.scale < 0 || info.scale > 64) abort();
        double flops;
        if (jf_model_flops(m, 64, 48, &flops) != JF_OK || !(flops > 0)) abort();
        jf_model_destroy(m);
    } else {
        if (m || !jf_last_error(ctx)[0]) abort();
        /* the failed load leaves the context fit for the next one */
    }
    return 0;
}
