/* test_runtime.c - Check suite for the runtime under the ops: every cl/ file
 * builds with cl/common.cl alone in front of it, common.cl's codes equal the
 * host's enums, programs are keyed by file and options (in the binary cache
 * too), jf_run checks its argument list, the tuning table drives host and
 * kernel alike (any vector width gives the same results; a block the kernel
 * cannot hold is refused), and the tensor copy helpers and jf_affine_compose
 * match host copies and a C reference. */
#include "jf_test.h"

#include "filters/filters.h"
#include "ops/box.h"
#include "ops/ops.h"
#include "ref_ops.h"
#include "runtime/cl_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A device tensor holding data (c x h x w). */
static jf_tensor tensor_of(jf_context *ctx, const float *data, int c, int h, int w)
{
    jf_tensor t;
    ck_assert_msg(jf_tensor_alloc(ctx, &t, c, h, w) == JF_OK && jf_tensor_upload(ctx, &t, data) == JF_OK,
                  "%s", jf_last_error(ctx));
    return t;
}

/* A fresh folder under the build tree for JF_KERNEL_DIR or JF_CACHE_DIR. */
static const char *scratch_dir(const char *what)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/runtime-%s-%d", JF_BINARY_DIR, what, (int)getpid());
    mkdir(dir, 0755);
    return dir;
}

/* Writes cl/probe.cl into a kernel folder and points JF_KERNEL_DIR at it
 * (common.cl is left out: the embedded one is used). */
static void probe_kernels(const char *source)
{
    const char *dir = scratch_dir("cl");
    char path[4200];
    snprintf(path, sizeof path, "%s/probe.cl", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(source, f);
    fclose(f);
    setenv("JF_KERNEL_DIR", dir, 1);
}

START_TEST(every_program_builds_with_common_alone)
{
    jf_context *ctx = jft_context();
    int n = 0;
    for (const jf_cl_source *s = jf_cl_sources; s->name; s++, n++) {
        cl_program p;
        ck_assert_msg(strcmp(s->name, "common.cl") != 0, "common.cl is no program of its own");
        ck_assert_msg(jf_program(ctx, s->name, NULL, &p) == JF_OK, "%s", jf_last_error(ctx));
    }
    ck_assert_int_ge(n, 10);
    ck_assert_str_eq(jf_cl_common.name, "common.cl");
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(common_codes_equal_the_host_enums)
{
    probe_kernels("__kernel void codes(__global int *o)\n"
                  "{\n"
                  "    o[0] = JF_ACT_NONE; o[1] = JF_ACT_RELU; o[2] = JF_ACT_LEAKY; o[3] = JF_ACT_SIGMOID;\n"
                  "    o[4] = JF_BORDER_REFLECT; o[5] = JF_BORDER_REFLECT_101; o[6] = JF_BORDER_REPLICATE;\n"
                  "}\n"
                  "__kernel void border(__global int *o, int lo, int count, int n, int mode)\n"
                  "{\n"
                  "    int i = get_global_id(0);\n"
                  "    if (i < count) o[i] = jf_border_index(lo + i, n, mode);\n"
                  "}\n");
    jf_context *ctx = jft_context();
    cl_mem buf;
    ck_assert_int_eq(jf_buffer_create(ctx, 64 * sizeof(int), NULL, &buf), JF_OK);
    jf_tensor view = jf_tensor_wrap(buf, 1, 1, 64); /* ints read back through the float download */
    int got[64];
    ck_assert_msg(JF_RUN(ctx, "probe.cl", "codes", jf_grid1(1, (jf_wg){0, 0}), JF_KMEM(buf)) == JF_OK, "%s",
                  jf_last_error(ctx));
    ck_assert_int_eq(jf_tensor_download(ctx, &view, (float *)(void *)got), JF_OK);
    const int want[7] = {JF_ACT_NONE, JF_ACT_RELU, JF_ACT_LEAKY, JF_ACT_SIGMOID,
                         JF_BORDER_REFLECT, JF_BORDER_REFLECT_101, JF_BORDER_REPLICATE};
    for (int i = 0; i < 7; i++) ck_assert_msg(got[i] == want[i], "code %d: kernel %d, host %d", i, got[i], want[i]);
    /* the kernels' border rule against the tests' reference, far outside the image too */
    for (int mode = 0; mode < 3; mode++)
        for (int n = 1; n <= 5; n++) {
            int lo = -3 * n - 2, count = 7 * n + 4;
            ck_assert_int_eq(JF_RUN(ctx, "probe.cl", "border", jf_grid1((size_t)count, (jf_wg){0, 0}),
                                    JF_KMEM(buf), JF_KINT(lo), JF_KINT(count), JF_KINT(n), JF_KINT(mode)),
                             JF_OK);
            ck_assert_int_eq(jf_tensor_download(ctx, &view, (float *)(void *)got), JF_OK);
            for (int i = 0; i < count; i++)
                ck_assert_msg(got[i] == ref_border_index(lo + i, n, mode), "mode %d n %d p %d: %d, want %d",
                              mode, n, lo + i, got[i], ref_border_index(lo + i, n, mode));
        }
    jf_buffer_release(buf);
    jf_context_destroy(ctx);
    unsetenv("JF_KERNEL_DIR");
}
END_TEST

/* Runs probe.cl's `value` built with `options` and returns what it wrote. */
static int probe_value(jf_context *ctx, const char *options, cl_mem buf)
{
    ck_assert_msg(jf_run(ctx, "probe.cl", options, "value", jf_grid1(1, (jf_wg){0, 0}), JF_KARGS(JF_KMEM(buf))) ==
                      JF_OK,
                  "%s", jf_last_error(ctx));
    float v;
    jf_tensor t = jf_tensor_wrap(buf, 1, 1, 1);
    ck_assert_int_eq(jf_tensor_download(ctx, &t, &v), JF_OK);
    return (int)v;
}

START_TEST(programs_are_keyed_by_file_and_options)
{
    probe_kernels("#ifndef PROBE\n#define PROBE 1\n#endif\n"
                  "__kernel void value(__global float *o) { o[0] = (float)PROBE; }\n");
    const char *cache = scratch_dir("cache");
    setenv("JF_CACHE_DIR", cache, 1);
    const char *options[3] = {NULL, "-DPROBE=2", "-DPROBE=3"};
    for (int round = 0; round < 2; round++) {
        jf_context *ctx = jft_context();
        cl_mem buf;
        ck_assert_int_eq(jf_buffer_create(ctx, sizeof(float), NULL, &buf), JF_OK);
        for (int i = 0; i < 3; i++) ck_assert_int_eq(probe_value(ctx, options[i], buf), i + 1);
        /* the same options again: the same program, nothing new built */
        ck_assert_int_eq(probe_value(ctx, "-DPROBE=2", buf), 2);
        jf_context_stats st;
        ck_assert_int_eq(jf_context_get_stats(ctx, &st), JF_OK);
        ck_assert_int_eq(st.programs_built + st.programs_from_cache, 3);
        /* three cache entries, one per option set: the second round loads them all */
        ck_assert_int_eq(st.programs_from_cache, round ? 3 : 0);
        jf_buffer_release(buf);
        jf_context_destroy(ctx);
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | grep -c '^probe.cl-.*\\.bin$') = 3", cache);
    ck_assert_int_eq(system(cmd), 0);
    unsetenv("JF_KERNEL_DIR");
    unsetenv("JF_CACHE_DIR");
}
END_TEST

START_TEST(run_checks_every_argument)
{
    jf_context *ctx = jft_context();
    float zeros[32] = {0};
    jf_tensor c = tensor_of(ctx, zeros, 2, 4, 4), g = tensor_of(ctx, zeros, 1, 4, 4), o = tensor_of(ctx, zeros, 1, 4, 4);
    jf_grid grid = jf_grid1(16, ctx->tune.wg_pointwise);
    /* one argument short: a cached kernel would silently keep the last launch's */
    jf_status s = JF_RUN(ctx, "compose.cl", "affine_compose", grid, JF_KMEM(c.buf), JF_KMEM(g.buf), JF_KMEM(o.buf));
    ck_assert_int_eq(s, JF_ERR_INVALID_ARGUMENT);
    ck_assert_msg(strstr(jf_last_error(ctx), "affine_compose") && strstr(jf_last_error(ctx), "4 arguments, 3 given"),
                  "%s", jf_last_error(ctx));
    /* a buffer where the kernel takes an int: the error names the kernel and argument 3 */
    s = JF_RUN(ctx, "compose.cl", "affine_compose", grid, JF_KMEM(c.buf), JF_KMEM(g.buf), JF_KMEM(o.buf),
               JF_KMEM(o.buf));
    ck_assert_int_ne(s, JF_OK);
    ck_assert_msg(strstr(jf_last_error(ctx), "affine_compose in cl/compose.cl, argument 3"), "%s",
                  jf_last_error(ctx));
    /* an unknown kernel names itself and its file */
    s = JF_RUN(ctx, "compose.cl", "no_such_kernel", grid, JF_KINT(0));
    ck_assert_int_ne(s, JF_OK);
    ck_assert_msg(strstr(jf_last_error(ctx), "no_such_kernel in cl/compose.cl"), "%s", jf_last_error(ctx));
    /* and a good call still works after the failures */
    ck_assert_int_eq(JF_RUN(ctx, "compose.cl", "affine_compose", grid, JF_KMEM(c.buf), JF_KMEM(g.buf),
                            JF_KMEM(o.buf), JF_KINT(16)),
                     JF_OK);
    ck_assert_int_eq(jf_finish(ctx), JF_OK);
    jf_tensor_free(&c), jf_tensor_free(&g), jf_tensor_free(&o);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(the_tuning_table_picks_a_row)
{
    jf_context *ctx = jft_context();
    const jf_device_info *in = jf_context_device(ctx);
    const jf_tune *t = &ctx->tune;
    if (in->is_cpu) ck_assert_str_eq(t->family, "cpu");
    ck_assert_ptr_nonnull(jf_tune_find(t->family));
    char want[128];
    snprintf(want, sizeof want, "-DJF_CONV_CHANNELS=%d -DJF_CONV_PIXELS=%d -DJF_BOX_VEC=%d -DJF_BILATERAL_VEC=%d",
             t->conv_channels, t->conv_pixels, t->box_vec, t->bilateral_vec);
    ck_assert_msg(strstr(ctx->build_options, want), "options '%s' lack '%s'", ctx->build_options, want);
    ck_assert_ptr_null(strstr(ctx->build_options, "JF_VENDOR"));
    ck_assert_int_eq(jf_conv_default_path(ctx), t->conv_direct ? JF_CONV_DIRECT : JF_CONV_GEMM);
    for (const char *const *f = (const char *const[]){"cpu", "nvidia", "amd", "intel", "default", NULL}; *f; f++)
        ck_assert_msg(jf_tune_find(*f) != NULL, "no row %s", *f);
    jf_context_destroy(ctx);

    setenv("JF_TUNE", "default", 1);
    ctx = jft_context();
    ck_assert_str_eq(ctx->tune.family, "default");
    ck_assert_int_eq(jf_conv_default_path(ctx), JF_CONV_GEMM);
    jf_context_destroy(ctx);
    setenv("JF_TUNE", "no-such-family", 1);
    ctx = NULL;
    ck_assert_int_eq(jf_context_create(&ctx, getenv("JF_TEST_DEVICE")), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(ctx);
    ck_assert_msg(strstr(jf_last_error(NULL), "no-such-family") && strstr(jf_last_error(NULL), "default"), "%s",
                  jf_last_error(NULL));
    unsetenv("JF_TUNE");
}
END_TEST

/* Box means, joint bilateral and JBU outputs on fixed random inputs under ctx's tuning. */
static float *filter_outputs(jf_context *ctx, int w, int h, size_t *n)
{
    jft_seed(5);
    int lw = w / 3, lh = h / 3;
    size_t plane = (size_t)w * h;
    float *g = malloc(3 * plane * sizeof *g), *x = malloc(3 * plane * sizeof *x);
    jft_fill(g, 3 * plane, 0, 1);
    jft_fill(x, 3 * plane, 0, 1);
    jf_tensor tg = tensor_of(ctx, g, 3, h, w), tx = tensor_of(ctx, x, 3, h, w), tl = tensor_of(ctx, x, 3, lh, lw);
    jf_tensor box, tmp, jbf, jbu;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &box, 3, h, w), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &tmp, 3, h, w), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &jbf, 3, h, w), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &jbu, 3, h, w), JF_OK);
    ck_assert_int_eq(jf_box_mean(ctx, &tx, &box, &tmp, 4, 3, JF_BORDER_REFLECT_101), JF_OK);
    ck_assert_int_eq(jf_jbf_planes(ctx, &tg, &tx, &jbf, 3, 0.2f, 2.0f), JF_OK);
    ck_assert_int_eq(jf_jbu_planes(ctx, &tg, &tl, &jbu, 2, 0.2f, 1.0f), JF_OK);
    *n = 9 * plane;
    float *out = malloc(*n * sizeof *out);
    ck_assert_int_eq(jf_tensor_download(ctx, &box, out), JF_OK);
    ck_assert_int_eq(jf_tensor_download(ctx, &jbf, out + 3 * plane), JF_OK);
    ck_assert_int_eq(jf_tensor_download(ctx, &jbu, out + 6 * plane), JF_OK);
    jf_tensor_free(&tg), jf_tensor_free(&tx), jf_tensor_free(&tl), jf_tensor_free(&box);
    jf_tensor_free(&tmp), jf_tensor_free(&jbf), jf_tensor_free(&jbu);
    free(g);
    free(x);
    return out;
}

START_TEST(every_vector_width_gives_the_same_filters)
{
    static const int sizes[][2] = {{37, 11}, {5, 9}, {64, 20}};
    for (int si = 0; si < 3; si++) {
        int w = sizes[si][0], h = sizes[si][1];
        jf_context *ctx = jft_context();
        size_t n;
        float *want = filter_outputs(ctx, w, h, &n);
        jf_context_destroy(ctx);
        static const int widths[] = {2, 4, 16};
        for (int wi = 0; wi < 3; wi++) {
            ctx = jft_context();
            jf_tune t = ctx->tune;
            t.box_vec = t.bilateral_vec = widths[wi];
            ck_assert_msg(jf_tune_apply(ctx, &t) == JF_OK, "%s", jf_last_error(ctx));
            float *got = filter_outputs(ctx, w, h, &n);
            jft_assert_close(got, want, n, 1e-6);
            free(got);
            jf_context_destroy(ctx);
        }
        free(want);
    }
}
END_TEST

/* A block conv_direct.cl cannot hold fails its build rather than computing
 * wrong; values no kernel takes are refused; and the tuning is fixed once a
 * program is built with it. */
START_TEST(the_tuning_is_checked_and_fixed_once_used)
{
    jf_context *ctx = jft_context();
    jf_tune t = ctx->tune;
    t.box_vec = 3;
    ck_assert_int_eq(jf_tune_apply(ctx, &t), JF_ERR_INVALID_ARGUMENT);
    t.box_vec = ctx->tune.box_vec;
    t.conv_pixels = 4;
    ck_assert_int_eq(jf_tune_apply(ctx, &t), JF_OK);
    float wt[9] = {0};
    jf_conv conv;
    ck_assert_int_eq(jf_conv_init_path(ctx, &conv, wt, NULL, 1, 1, 3, 3, 1, 1, 1, JF_ACT_NONE, 0, JF_CONV_DIRECT),
                     JF_OK);
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 1, 8, 8), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, 8, 8), JF_OK);
    jf_workspace ws = {0};
    ck_assert_int_eq(jf_conv_forward(ctx, &conv, &in, &out, &ws), JF_ERR_BUILD);
    ck_assert_msg(strstr(jf_last_error(ctx), "16 channels x 6 pixels") &&
                      strstr(jf_last_error(ctx), "-DJF_CONV_PIXELS=4"),
                  "%s", jf_last_error(ctx));
    cl_program p;
    ck_assert_int_eq(jf_program(ctx, "box.cl", NULL, &p), JF_OK);
    ck_assert_int_eq(jf_tune_apply(ctx, &t), JF_ERR_INVALID_ARGUMENT);
    ck_assert_msg(strstr(jf_last_error(ctx), "already built"), "%s", jf_last_error(ctx));
    jf_conv_free(&conv);
    jf_tensor_free(&in), jf_tensor_free(&out);
    jf_context_destroy(ctx);
}
END_TEST

/* jf_device_memory_stats follows every buffer made and released, and its peak
 * the largest total since the last reset; images wrapped in place do not count. */
START_TEST(device_memory_is_counted)
{
    jf_context *ctx = jft_context();
    size_t base = 0, now = 0, peak = 0;
    ck_assert_int_eq(jf_device_memory_stats(&base, NULL, 1), JF_OK);
    jf_tensor a, b;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &a, 2, 100, 50), JF_OK); /* 40000 bytes */
    ck_assert_int_eq(jf_tensor_alloc(ctx, &b, 1, 10, 10), JF_OK);  /* 400 */
    jf_device_memory_stats(&now, &peak, 0);
    ck_assert_uint_eq(now, base + 40400);
    ck_assert_uint_eq(peak, base + 40400);
    jf_tensor_free(&a);
    jf_device_memory_stats(&now, &peak, 0);
    ck_assert_uint_eq(now, base + 400);
    ck_assert_uint_eq(peak, base + 40400);
    jf_device_memory_stats(NULL, NULL, 1);
    jf_device_memory_stats(NULL, &peak, 0);
    ck_assert_uint_eq(peak, base + 400);
    float host[64] = {0};
    cl_mem wrap = NULL;
    ck_assert_int_eq(jf_buffer_wrap_host(ctx, sizeof host, host, &wrap), JF_OK);
    jf_device_memory_stats(&now, NULL, 0);
    ck_assert_uint_eq(now, base + 400);
    jf_buffer_release(wrap);
    jf_tensor_free(&b);
    jf_device_memory_stats(&now, NULL, 0);
    ck_assert_uint_eq(now, base);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(plane_copies_match_host_copies)
{
    jf_context *ctx = jft_context();
    const int h = 7, w = 5, plane = h * w;
    float src[4 * 7 * 5], dst[3 * 7 * 5], got[3 * 7 * 5];
    jft_seed(3);
    jft_fill(src, sizeof src / sizeof *src, -1, 1);
    jft_fill(dst, sizeof dst / sizeof *dst, -1, 1);
    jf_tensor s = tensor_of(ctx, src, 4, h, w), d = tensor_of(ctx, dst, 3, h, w);
    /* planes 1, 2 of src into planes 0, 1 of dst; then plane 3 into plane 2 */
    ck_assert_int_eq(jf_tensor_copy_planes(ctx, &s, 1, &d, 0, 2), JF_OK);
    ck_assert_int_eq(jf_tensor_copy_planes(ctx, &s, 3, &d, 2, 1), JF_OK);
    memcpy(dst, src + plane, 2 * plane * sizeof *dst);
    memcpy(dst + 2 * plane, src + 3 * plane, plane * sizeof *dst);
    ck_assert_int_eq(jf_tensor_download(ctx, &d, got), JF_OK);
    jft_assert_close(got, dst, (size_t)3 * plane, 0);
    /* reading back a middle plane, and two */
    ck_assert_int_eq(jf_tensor_download_planes(ctx, &s, 2, 1, got), JF_OK);
    jft_assert_close(got, src + 2 * plane, (size_t)plane, 0);
    ck_assert_int_eq(jf_tensor_download_planes(ctx, &s, 2, 2, got), JF_OK);
    jft_assert_close(got, src + 2 * plane, (size_t)2 * plane, 0);
    /* out of range, or planes of another size */
    ck_assert_int_eq(jf_tensor_copy_planes(ctx, &s, 3, &d, 0, 2), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_tensor_copy_planes(ctx, &s, 0, &d, 2, 2), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_tensor_copy_planes(ctx, &s, -1, &d, 0, 1), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_tensor_download_planes(ctx, &s, 3, 2, got), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_tensor_download_planes(ctx, &s, 0, 0, got), JF_ERR_INVALID_ARGUMENT);
    jf_tensor other;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &other, 3, w, h), JF_OK);
    ck_assert_int_eq(jf_tensor_copy_planes(ctx, &s, 0, &other, 0, 1), JF_ERR_SIZE_MISMATCH);
    jf_tensor_free(&s), jf_tensor_free(&d), jf_tensor_free(&other);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(window_copies_match_host_copies)
{
    jf_context *ctx = jft_context();
    const int c = 2, sh = 9, sw = 11, dh = 6, dw = 8;
    float src[2 * 9 * 11], dst[2 * 6 * 8], got[2 * 6 * 8];
    jft_seed(4);
    jft_fill(src, sizeof src / sizeof *src, -1, 1);
    jft_fill(dst, sizeof dst / sizeof *dst, -1, 1);
    jf_tensor s = tensor_of(ctx, src, c, sh, sw), d = tensor_of(ctx, dst, c, dh, dw);
    /* a 5 x 4 window from (3, 2) to (1, 2), every plane */
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, 3, 2, &d, 1, 2, 5, 4), JF_OK);
    for (int k = 0; k < c; k++)
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                dst[((size_t)k * dh + 2 + y) * dw + 1 + x] = src[((size_t)k * sh + 2 + y) * sw + 3 + x];
    ck_assert_int_eq(jf_tensor_download(ctx, &d, got), JF_OK);
    jft_assert_close(got, dst, sizeof dst / sizeof *dst, 0);
    /* windows that leave either tensor, and plane counts that differ */
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, 7, 0, &d, 0, 0, 5, 4), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, 0, 0, &d, 4, 0, 5, 4), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, 0, 0, &d, 0, 3, 5, 4), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, -1, 0, &d, 0, 0, 2, 2), JF_ERR_SIZE_MISMATCH);
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, 0, 0, &d, 0, 0, 0, 2), JF_ERR_SIZE_MISMATCH);
    jf_tensor one;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &one, 1, dh, dw), JF_OK);
    ck_assert_int_eq(jf_tensor_copy_rect(ctx, &s, 0, 0, &one, 0, 0, 2, 2), JF_ERR_SIZE_MISMATCH);
    jf_tensor_free(&s), jf_tensor_free(&d), jf_tensor_free(&one);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(plane_views_alias_their_planes)
{
    jf_context *ctx = jft_context();
    /* 32 x 32 planes: 4 KiB apart, enough for any device's sub-buffer alignment */
    const int h = 32, w = 32, plane = h * w;
    float *src = malloc(3 * plane * sizeof *src), *got = malloc(3 * plane * sizeof *got);
    jft_seed(6);
    jft_fill(src, (size_t)3 * plane, -1, 1);
    jf_tensor t = tensor_of(ctx, src, 3, h, w), v, bad;
    ck_assert_msg(jf_tensor_view_planes(ctx, &t, 1, 2, &v) == JF_OK, "%s", jf_last_error(ctx));
    ck_assert_int_eq(v.c, 2);
    ck_assert_int_eq(jf_tensor_download(ctx, &v, got), JF_OK);
    jft_assert_close(got, src + plane, (size_t)2 * plane, 0);
    /* writes through the view land in the parent */
    for (int i = 0; i < plane; i++) got[i] = (float)i;
    ck_assert_int_eq(jf_tensor_upload(ctx, &v, got), JF_OK);
    memcpy(src + plane, got, 2 * plane * sizeof *src);
    ck_assert_int_eq(jf_tensor_download(ctx, &t, got), JF_OK);
    jft_assert_close(got, src, (size_t)3 * plane, 0);
    ck_assert_int_eq(jf_tensor_view_planes(ctx, &t, 2, 2, &bad), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(bad.buf);
    jf_tensor_free(&v);
    jf_tensor_free(&t);
    free(src);
    free(got);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(affine_compose_matches_reference)
{
    static const int sizes[][2] = {{1, 1}, {7, 5}, {5, 7}, {33, 17}, {64, 48}};
    jf_context *ctx = jft_context();
    jft_seed(8);
    for (int si = 0; si < 5; si++) {
        int w = sizes[si][0], h = sizes[si][1];
        size_t plane = (size_t)w * h;
        float *ab = malloc(2 * plane * sizeof *ab), *g = malloc(plane * sizeof *g);
        float *want = malloc(plane * sizeof *want), *got = malloc(plane * sizeof *got);
        jft_fill(ab, 2 * plane, -2, 2);
        jft_fill(g, plane, 0, 1);
        for (size_t p = 0; p < plane; p++) want[p] = ab[p] * g[p] + ab[plane + p];
        jf_tensor tc = tensor_of(ctx, ab, 2, h, w), tg = tensor_of(ctx, g, 1, h, w), to;
        ck_assert_int_eq(jf_tensor_alloc(ctx, &to, 1, h, w), JF_OK);
        ck_assert_msg(jf_affine_compose(ctx, &tc, &tg, &to) == JF_OK, "%s", jf_last_error(ctx));
        ck_assert_int_eq(jf_tensor_download(ctx, &to, got), JF_OK);
        jft_assert_close(got, want, plane, 1e-6);
        /* one coefficient plane, or a guide of another size, is refused */
        jf_tensor one = jf_tensor_wrap(tc.buf, 1, h, w), wide = jf_tensor_wrap(tg.buf, 1, h, w + 1);
        ck_assert_int_eq(jf_affine_compose(ctx, &one, &tg, &to), JF_ERR_SIZE_MISMATCH);
        ck_assert_int_eq(jf_affine_compose(ctx, &tc, &wide, &to), JF_ERR_SIZE_MISMATCH);
        jf_tensor_free(&tc), jf_tensor_free(&tg), jf_tensor_free(&to);
        free(ab), free(g), free(want), free(got);
    }
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        every_program_builds_with_common_alone, common_codes_equal_the_host_enums,
        programs_are_keyed_by_file_and_options, run_checks_every_argument,
        the_tuning_table_picks_a_row,           every_vector_width_gives_the_same_filters,
        the_tuning_is_checked_and_fixed_once_used, device_memory_is_counted, plane_copies_match_host_copies,
        window_copies_match_host_copies,        plane_views_alias_their_planes,
        affine_compose_matches_reference,
    };
    Suite *s = suite_create("runtime");
    TCase *tc = tcase_create("runtime");
    tcase_set_timeout(tc, 900);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return jft_run_suite(s);
}
