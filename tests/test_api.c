/* test_api.c - the public API's promises: status names, version, device
 * choice, NULL-safe destroy, a context around the caller's queue, clear errors
 * for malformed model files and mismatched sizes, the OpenCL build log on a
 * kernel that fails to compile, and the on-disk program cache. */
#include "jf_fixtures.h"
#include "jf_test.h"
#include "ops/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(status_strings_and_version)
{
    for (int s = 0; s >= -12; s--) {
        const char *name = jf_status_string((jf_status)s);
        ck_assert_ptr_nonnull(name);
        ck_assert_str_ne(name, "unknown status");
    }
    ck_assert_str_eq(jf_status_string((jf_status)-99), "unknown status");
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", JF_VERSION_MAJOR, JF_VERSION_MINOR, JF_VERSION_PATCH);
    ck_assert_str_eq(jf_version(), want);
}
END_TEST

START_TEST(devices_and_choice)
{
    int n = 0;
    ck_assert_int_eq(jf_device_count(&n), JF_OK);
    ck_assert_msg(n > 0, "no OpenCL device: the tests need one (PoCL in CI)");
    jf_device_info in;
    ck_assert_int_eq(jf_device_get_info(0, &in), JF_OK);
    ck_assert(strlen(in.name) > 0);
    ck_assert_int_eq(jf_device_get_info(n, &in), JF_ERR_NO_DEVICE);

    jf_context *ctx = NULL;
    ck_assert_int_eq(jf_context_create(&ctx, "0"), JF_OK);
    ck_assert_int_eq(jf_context_device(ctx)->index, 0);
    jf_context_destroy(ctx);
    ck_assert_int_eq(jf_context_create(&ctx, "no-such-device-anywhere"), JF_ERR_NO_DEVICE);
    ck_assert_ptr_null(ctx);
    ck_assert_ptr_nonnull(strstr(jf_last_error(NULL), "no-such-device-anywhere"));
    ck_assert_int_eq(jf_context_create(&ctx, "999"), JF_ERR_NO_DEVICE);
    setenv("JF_DEVICE", "no-such-device-anywhere", 1);
    ck_assert_int_eq(jf_context_create(&ctx, NULL), JF_ERR_NO_DEVICE);
    ck_assert_ptr_nonnull(strstr(jf_last_error(NULL), "JF_DEVICE"));
    unsetenv("JF_DEVICE");
    ck_assert_int_eq(jf_context_create(NULL, NULL), JF_ERR_INVALID_ARGUMENT);
    jf_context_destroy(NULL);
    jf_model_destroy(NULL);
}
END_TEST

START_TEST(context_from_caller_queue)
{
    jf_context *a = jft_context();
    cl_command_queue q = jf_context_queue(a);
    jf_context *b = NULL;
    ck_assert_int_eq(jf_context_create_from_queue(&b, q), JF_OK);
    ck_assert_ptr_eq(jf_context_queue(b), q);
    ck_assert_str_eq(jf_context_device(b)->name, jf_context_device(a)->name);
    jf_model *m = NULL;
    const char *path = jft_converted_model("conformance/fdkn_x8/FDKN_8x", "fdkn_x8_published", "--arch fdkn --scale 8");
    ck_assert_msg(jf_model_load(b, path, &m) == JF_OK, "%s", jf_last_error(b));
    jf_model_destroy(m);
    jf_context_destroy(b); /* releases its reference only: the queue stays usable */
    ck_assert_int_eq(clFinish(q), CL_SUCCESS);
    jf_context_destroy(a);
    ck_assert_int_eq(jf_context_create_from_queue(&b, NULL), JF_ERR_INVALID_ARGUMENT);
}
END_TEST

/* Writes bytes to a scratch file and returns its path. */
static const char *scratch(const char *name, const void *data, size_t len)
{
    static char path[4096];
    mkdir(jft_binary_path("scratch"), 0755);
    snprintf(path, sizeof path, "%s/scratch/%s", JF_BINARY_DIR, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*len);
    ck_assert_int_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

/* Replaces the first occurrence of `from` in the header with `to` (same length). */
static void patch(unsigned char *buf, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from);
    ck_assert_int_eq(n, strlen(to));
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(buf + i, from, n)) {
            memcpy(buf + i, to, n);
            return;
        }
    ck_abort_msg("'%s' not found in the model file", from);
}

static void expect_bad_model(jf_context *ctx, const unsigned char *buf, size_t len, jf_status want,
                             const char *needle)
{
    jf_model *m = (jf_model *)0x1;
    const char *path = scratch("bad.safetensors", buf, len);
    jf_status s = jf_model_load(ctx, path, &m);
    ck_assert_msg(s == want, "status %s, want %s: %s", jf_status_string(s), jf_status_string(want),
                  jf_last_error(ctx));
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(jf_last_error(ctx), needle), "message '%s' lacks '%s'", jf_last_error(ctx), needle);
    ck_assert_int_eq(jf_model_load_memory(ctx, buf, len, &m), want);
}

START_TEST(malformed_model_files)
{
    jf_context *ctx = jft_context();
    size_t len;
    const char *path = jft_converted_model("conformance/fdkn_x8/FDKN_8x", "fdkn_x8_published", "--arch fdkn --scale 8");
    unsigned char *good = slurp(path, &len);
    unsigned char *buf = malloc(len);

    expect_bad_model(ctx, good, 5, JF_ERR_BAD_FORMAT, "bad.safetensors");     /* truncated header */
    expect_bad_model(ctx, good, len - 100, JF_ERR_BAD_FORMAT, "bad.safetensors"); /* truncated data */
    memcpy(buf, good, len);
    patch(buf, len, "\"architecture\":\"fdkn\"", "\"architecture\":\"zzzz\"");
    expect_bad_model(ctx, buf, len, JF_ERR_UNSUPPORTED, "zzzz");
    memcpy(buf, good, len);
    patch(buf, len, "ImageKernel.conv3.weight", "ImageKernel.conv9.weight");
    expect_bad_model(ctx, buf, len, JF_ERR_BAD_FORMAT, "ImageKernel.conv3.weight");
    memcpy(buf, good, len);
    patch(buf, len, "\"scale\":\"8\"", "\"scale\":\"x\"");
    expect_bad_model(ctx, buf, len, JF_ERR_BAD_FORMAT, "scale");
    memcpy(buf, good, len);
    patch(buf, len, "\"residual\":\"true\"", "\"residual\":\"mayb\"");
    expect_bad_model(ctx, buf, len, JF_ERR_BAD_FORMAT, "residual");
    memcpy(buf, good, len);
    patch(buf, len, "[32,16,3,3]", "[16,32,3,3]");
    expect_bad_model(ctx, buf, len, JF_ERR_BAD_FORMAT, "shape");
    memset(buf, 0xff, 64);
    expect_bad_model(ctx, buf, 64, JF_ERR_BAD_FORMAT, "bad.safetensors");

    /* SVLRM's LeakyReLU slope must be a finite number (a NaN passed every shape check) */
    size_t slen;
    unsigned char *svlrm = slurp(jft_source_path("weights/svlrm_x8.safetensors"), &slen);
    patch(svlrm, slen, "\"negative_slope\":\"0.1\"", "\"negative_slope\":\"nan\"");
    expect_bad_model(ctx, svlrm, slen, JF_ERR_BAD_FORMAT, "negative_slope");
    free(svlrm);

    jf_model *m = NULL;
    ck_assert_int_eq(jf_model_load(ctx, "/nonexistent/model.safetensors", &m), JF_ERR_IO);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "/nonexistent/model.safetensors"));
    ck_assert_int_eq(jf_model_load(ctx, NULL, &m), JF_ERR_INVALID_ARGUMENT);
    free(buf);
    free(good);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(mismatched_images)
{
    jf_context *ctx = jft_context();
    jf_model *m = NULL;
    const char *path = jft_converted_model("conformance/fdkn_x8/FDKN_8x", "fdkn_x8_published", "--arch fdkn --scale 8");
    ck_assert_int_eq(jf_model_load(ctx, path, &m), JF_OK);
    static unsigned char g[64 * 48 * 3], t[64 * 48];
    static float o[64 * 48];
    jf_image guide = {sizeof(jf_image), 64, 48, 3, JF_PIXEL_U8, JF_ORDER_RGB, 0, g};
    jf_image target = {sizeof(jf_image), 65, 48, 1, JF_PIXEL_U8, JF_ORDER_RGB, 0, t};
    jf_image out = {sizeof(jf_image), 64, 48, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, o};
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_ERR_SIZE_MISMATCH);
    target.width = 64;
    out.width = 32;
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_ERR_SIZE_MISMATCH);
    out.width = 64;
    target.channels = 3;
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_ERR_UNSUPPORTED);
    target.channels = 2;
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_ERR_UNSUPPORTED);
    target.channels = 1;
    /* the growing structs must say their size (jfilter.h) */
    guide.size = 0;
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "sizeof(jf_image)"));
    guide.size = sizeof guide;
    jf_run_options unsized = {.scale = 1};
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, &unsized), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "sizeof(jf_run_options)"));
    jf_model_info old_info = {.size = sizeof old_info - 8};
    ck_assert_int_eq(jf_model_get_info(m, &old_info), JF_ERR_INVALID_ARGUMENT);
    /* a depth model: no smoothing strength, no smoothing */
    jf_run_options lam = {.size = sizeof(jf_run_options), .lambda = 0.5f};
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, &lam), JF_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "takes no lambda"));
    jf_model_info info = {.size = sizeof(jf_model_info)};
    ck_assert_int_eq(jf_model_get_info(m, &info), JF_OK);
    ck_assert_int_eq(info.gray_target, 1);
    ck_assert_int_eq(info.colour_target, 0);
    ck_assert_int_eq(info.has_lambda, 0);
    ck_assert_int_eq(info.whole_image, 0);
    ck_assert_int_eq(jf_model_smooth(m, &guide, &out, NULL), JF_ERR_UNSUPPORTED);
    ck_assert_int_eq(jf_model_smooth(NULL, &guide, &out, NULL), JF_ERR_INVALID_ARGUMENT);
    guide.data = NULL;
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_ERR_INVALID_ARGUMENT);
    guide.data = g;
    ck_assert_int_eq(jf_model_run(NULL, &guide, &target, &out, NULL), JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out, NULL), JF_OK);
    /* integer outputs are clamped and rounded from the same result */
    static unsigned short o16[64 * 48];
    jf_image out16 = {sizeof(jf_image), 64, 48, 1, JF_PIXEL_U16, JF_ORDER_RGB, 0, o16};
    ck_assert_int_eq(jf_model_run(m, &guide, &target, &out16, NULL), JF_OK);
    for (int i = 0; i < 64 * 48; i++) {
        float want = o[i] < 0 ? 0 : o[i] > 1 ? 65535 : o[i] * 65535.0f;
        ck_assert_float_eq_tol(o16[i], want, 0.51);
    }
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

START_TEST(build_failure_shows_the_log)
{
    /* a cl/ folder whose conv_direct.cl does not compile */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/broken-cl", JF_BINARY_DIR);
    mkdir(dir, 0755);
    const char *files[] = {"conv.cl", "resample.cl", "deform.cl"};
    char cmd[16384];
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "cp '%s/cl/%s' '%s/'", JF_SOURCE_DIR, files[i], dir);
        ck_assert_int_eq(system(cmd), 0);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/conv_direct.cl", dir);
    FILE *f = fopen(path, "w");
    fputs("__kernel void pad_zero(__global float *x) { x[0] = undeclared_name_42; }\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/conv.cl", dir);
    f = fopen(path, "a");
    fputs("\n__kernel void broken(__global float *x) { x[0] = undeclared_name_42; }\n", f);
    fclose(f);
    setenv("JF_KERNEL_DIR", dir, 1);
    setenv("JF_CACHE_DIR", "off", 1);
    jf_context *ctx = jft_context();
    jf_workspace ws = {0};
    jf_conv conv;
    float w[9] = {0};
    ck_assert_int_eq(jf_conv_init_path(ctx, &conv, w, NULL, 1, 1, 3, 3, 1, 1, 1, JF_ACT_NONE, 0, JF_CONV_GEMM), JF_OK);
    jf_tensor in, out;
    ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 1, 4, 4), JF_OK);
    ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 1, 4, 4), JF_OK);
    jf_status s = jf_conv_forward(ctx, &conv, &in, &out, &ws);
    ck_assert_int_eq(s, JF_ERR_BUILD);
    const char *msg = jf_last_error(ctx);
    ck_assert_msg(strstr(msg, "cl/conv.cl") && strstr(msg, "undeclared_name_42") && strstr(msg, "-cl-std=CL1.2"),
                  "the build error should name the file, the options and carry the log: %s", msg);
    jf_tensor_free(&in);
    jf_tensor_free(&out);
    jf_conv_free(&conv);
    jf_workspace_free(&ws);
    jf_context_destroy(ctx);
    unsetenv("JF_KERNEL_DIR");
    unsetenv("JF_CACHE_DIR");
}
END_TEST

START_TEST(program_cache_is_used)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/cache-test-%d", JF_BINARY_DIR, (int)getpid());
    setenv("JF_CACHE_DIR", dir, 1);
    jf_context_stats st;
    for (int round = 0; round < 2; round++) {
        jf_context *ctx = jft_context();
        jf_tensor in, out;
        ck_assert_int_eq(jf_tensor_alloc(ctx, &in, 1, 8, 8), JF_OK);
        ck_assert_int_eq(jf_tensor_alloc(ctx, &out, 16, 2, 2), JF_OK);
        ck_assert_int_eq(jf_space_to_depth(ctx, &in, 4, &out), JF_OK);
        ck_assert_int_eq(jf_context_get_stats(ctx, &st), JF_OK);
        /* the first process tree builds from source, the second loads the binary */
        ck_assert_int_eq(st.programs_from_cache, round);
        ck_assert_int_eq(st.programs_built, 1 - round);
        jf_tensor_free(&in);
        jf_tensor_free(&out);
        jf_context_destroy(ctx);
    }
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/resample.cl-*.bin");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ls %s >/dev/null 2>&1", dir);
    ck_assert_int_eq(system(cmd), 0);
    unsetenv("JF_CACHE_DIR");
}
END_TEST

int main(void)
{
    return jft_run_tests("api", "api", 900,
                         JFT_TESTS(status_strings_and_version, devices_and_choice,
                                   context_from_caller_queue, malformed_model_files,
                                   mismatched_images, build_failure_shows_the_log,
                                   program_cache_is_used));
}
