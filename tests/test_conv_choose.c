/* test_conv_choose.c - JF_CONV=auto (src/ops/conv_choose.c): a new layer
 * shape is measured once, its winner computes the convolution correctly,
 * is kept in the context's table and written to the cache folder, and a
 * later context takes the path from that file without measuring again;
 * layers Winograd cannot take are never given it. */
#include "jf_tensors.h"
#include "jf_test.h"
#include "ops/ops.h"
#include "ref_ops.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char cache[4096];

/* The one conv-paths-*.txt file of the cache folder, its path in out (0 when none). */
static int choices_file(char *out, size_t len)
{
    DIR *d = opendir(cache);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (!strncmp(e->d_name, "conv-paths-", 11)) {
            snprintf(out, len, "%s/%s", cache, e->d_name);
            found++;
        }
    if (d) closedir(d);
    return found;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0;
    for (int c; f && (c = fgetc(f)) != EOF;) n += c == '\n';
    if (f) fclose(f);
    return n;
}

/* A 3 -> 5 3x3 layer under JF_CONV=auto, checked against the C reference; returns its path. */
static jf_conv_path auto_layer(jf_context *ctx, int *wino_m)
{
    jft_seed(5);
    float *x = jft_random(3 * 11 * 13, -1, 1), *wt = jft_random(5 * 3 * 9, -0.5f, 0.5f), *b = jft_random(5, -1, 1);
    jf_conv conv;
    jf_workspace ws = {0};
    ck_assert_msg(jf_conv_init(ctx, &conv, wt, b, 5, 3, 3, 3, 1, 1, 1, JF_ACT_RELU, 0) == JF_OK, "%s",
                  jf_last_error(ctx));
    jf_tensor in = jft_upload(ctx, x, 3, 11, 13), out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 5, 11, 13), JF_OK);
    ck_assert_msg(jf_conv_forward(ctx, &conv, &in, &out, &ws) == JF_OK, "%s", jf_last_error(ctx));
    float *got = jft_download(ctx, &out), want[5 * 11 * 13];
    int ho, wo;
    ref_conv2d(x, 3, 11, 13, wt, b, 5, 3, 3, 1, 1, 1, JF_ACT_RELU, 0, 5, want, &ho, &wo);
    jft_assert_close(got, want, 5 * 11 * 13, 1e-4);
    jf_conv_path path = conv.path;
    *wino_m = conv.wino_m;
    free(got), free(x), free(wt), free(b);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_workspace_free(&ws);
    jf_conv_free(&conv);
    return path;
}

START_TEST(auto_measures_once_and_keeps_the_winner)
{
    snprintf(cache, sizeof cache, "%s/conv-choose-%d", JF_BINARY_DIR, (int)getpid());
    mkdir(cache, 0755);
    setenv("JF_CACHE_DIR", cache, 1);
    setenv("JF_CONV", "auto", 1);
    jf_context *ctx = jft_context();
    int m;
    jf_conv_path p = auto_layer(ctx, &m);
    ck_assert(p == JF_CONV_DIRECT || p == JF_CONV_GEMM || p == JF_CONV_WINOGRAD);
    ck_assert_int_eq(ctx->nconv_choices, 1);
    /* the same shape again: from the table */
    ck_assert_int_eq(auto_layer(ctx, &m), p);
    ck_assert_int_eq(ctx->nconv_choices, 1);
    char file[4400];
    ck_assert_int_eq(choices_file(file, sizeof file), 1);
    ck_assert_int_eq(count_lines(file), 1);
    jf_context_destroy(ctx);

    /* a later context reads the file: force each path through it */
    static const struct { int stored; jf_conv_path path; int m; } forced[] = {
        {JF_CONV_GEMM, JF_CONV_GEMM, 0}, {JF_CONV_WINOGRAD_F2, JF_CONV_WINOGRAD, 2},
        {JF_CONV_DIRECT, JF_CONV_DIRECT, 0}, {JF_CONV_WINOGRAD, JF_CONV_WINOGRAD, 4},
        {JF_CONV_WINOGRAD_F6, JF_CONV_WINOGRAD, 6}};
    for (int i = 0; i < (int)(sizeof forced / sizeof forced[0]); i++) {
        FILE *f = fopen(file, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "not a line\n3 5 3 3 1 1 1 %d\n", forced[i].stored);
        fclose(f);
        ctx = jft_context();
        ck_assert_int_eq(auto_layer(ctx, &m), forced[i].path);
        ck_assert_int_eq(m, forced[i].m);
        ck_assert_int_eq(count_lines(file), 2); /* nothing measured, nothing added */
        jf_context_destroy(ctx);
    }

    /* a 5x5 layer: measured too, its candidates direct, im2col + SGEMM and Winograd (as 2 x 2
     * blocks of 3x3), whichever wins on this machine (under the sanitizers Winograd can), and
     * never the 1x1 kernel */
    ctx = jft_context();
    float wt[2 * 2 * 25] = {0};
    jf_conv conv;
    ck_assert_int_eq(jf_conv_init(ctx, &conv, wt, NULL, 2, 2, 5, 5, 1, 2, 1, JF_ACT_NONE, 0), JF_OK);
    ck_assert(conv.path == JF_CONV_DIRECT || conv.path == JF_CONV_GEMM || conv.path == JF_CONV_WINOGRAD);
    jf_conv_free(&conv);
    ck_assert_int_eq(count_lines(file), 3);
    jf_context_destroy(ctx);
    unsetenv("JF_CONV");
    unsetenv("JF_CACHE_DIR");
}
END_TEST

int main(void)
{
    return jft_run_tests("conv_choose", "conv_choose", 900, JFT_TESTS(auto_measures_once_and_keeps_the_winner));
}
