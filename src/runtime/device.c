/* device.c - OpenCL device discovery, the device-spec rules of
 * jf_context_create (index, type, name/vendor substring, JF_DEVICE), and the
 * table of tuned parameters per device family: the one place where device
 * differences become numbers, read by the host and turned into -D options. */
#include "runtime/runtime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JF_MAX_PLATFORMS 16
#define JF_MAX_DEVICES 64

jf_status jf_enumerate_devices(jf_device_ref *refs, int max, int *count)
{
    cl_platform_id plats[JF_MAX_PLATFORMS];
    cl_uint np = 0;
    *count = 0;
    cl_int err = clGetPlatformIDs(JF_MAX_PLATFORMS, plats, &np);
    /* -1001 is CL_PLATFORM_NOT_FOUND_KHR: an ICD loader with no driver behind it */
    if (err == -1001 || np == 0) return JF_OK;
    if (err != CL_SUCCESS) return JF_ERR_OPENCL;
    if (np > JF_MAX_PLATFORMS) np = JF_MAX_PLATFORMS;
    int n = 0;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id devs[JF_MAX_DEVICES];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, JF_MAX_DEVICES, devs, &nd) != CL_SUCCESS)
            continue; /* a platform without devices is not an error */
        if (nd > JF_MAX_DEVICES) nd = JF_MAX_DEVICES;
        for (cl_uint d = 0; d < nd; d++, n++) {
            if (refs && n < max) {
                refs[n].platform = plats[p];
                refs[n].device = devs[d];
            }
        }
    }
    *count = n;
    return JF_OK;
}

static void jf_info_string(cl_device_id d, cl_device_info what, char *buf, size_t len)
{
    buf[0] = '\0';
    if (clGetDeviceInfo(d, what, len, buf, NULL) != CL_SUCCESS) buf[0] = '\0';
    buf[len - 1] = '\0';
}

/* A numeric property, 0 when the driver does not answer. */
static cl_uint jf_info_uint(cl_device_id d, cl_device_info what)
{
    cl_uint u = 0;
    return clGetDeviceInfo(d, what, sizeof u, &u, NULL) == CL_SUCCESS ? u : 0;
}

static cl_ulong jf_info_ulong(cl_device_id d, cl_device_info what)
{
    cl_ulong u = 0;
    return clGetDeviceInfo(d, what, sizeof u, &u, NULL) == CL_SUCCESS ? u : 0;
}

void jf_query_device_info(cl_platform_id p, cl_device_id d, int index, jf_device_info *info)
{
    memset(info, 0, sizeof *info);
    info->index = index;
    cl_device_type type = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    info->is_gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
    info->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
    info->compute_units = jf_info_uint(d, CL_DEVICE_MAX_COMPUTE_UNITS);
    info->clock_mhz = jf_info_uint(d, CL_DEVICE_MAX_CLOCK_FREQUENCY);
    info->global_mem_bytes = jf_info_ulong(d, CL_DEVICE_GLOBAL_MEM_SIZE);
    info->max_alloc_bytes = jf_info_ulong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
    jf_info_string(d, CL_DEVICE_NAME, info->name, sizeof info->name);
    jf_info_string(d, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    jf_info_string(d, CL_DEVICE_VERSION, info->version, sizeof info->version);
    jf_info_string(d, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version);
    info->platform[0] = '\0';
    clGetPlatformInfo(p, CL_PLATFORM_NAME, sizeof info->platform, info->platform, NULL);
    info->platform[sizeof info->platform - 1] = '\0';
}

jf_status jf_device_count(int *count)
{
    if (!count) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_device_count: count is NULL");
    jf_status st = jf_enumerate_devices(NULL, 0, count);
    if (st != JF_OK) return jf_fail(NULL, st, "clGetPlatformIDs failed");
    return JF_OK;
}

jf_status jf_device_get_info(int index, jf_device_info *info)
{
    if (!info) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_device_get_info: info is NULL");
    jf_device_ref refs[JF_MAX_DEVICES];
    int n = 0;
    jf_status st = jf_enumerate_devices(refs, JF_MAX_DEVICES, &n);
    if (st != JF_OK) return jf_fail(NULL, st, "clGetPlatformIDs failed");
    if (index < 0 || index >= n || index >= JF_MAX_DEVICES)
        return jf_fail(NULL, JF_ERR_NO_DEVICE, "no OpenCL device with index %d (%d found)", index, n);
    jf_query_device_info(refs[index].platform, refs[index].device, index, info);
    return JF_OK;
}

static int jf_contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0) return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n) return 1;
    }
    return 0;
}

/* Higher is better: any GPU beats any other device, then raw parallelism. */
static double jf_device_score(const jf_device_info *in)
{
    return (in->is_gpu ? 1e12 : 0.0) + (double)in->compute_units * (double)(in->clock_mhz + 1);
}

jf_status jf_choose_device(const char *spec, jf_device_ref *out, int *index, char *err, size_t errlen)
{
    jf_device_ref refs[JF_MAX_DEVICES];
    int n = 0;
    if (jf_enumerate_devices(refs, JF_MAX_DEVICES, &n) != JF_OK) {
        snprintf(err, errlen, "clGetPlatformIDs failed: is an OpenCL driver (ICD) installed?");
        return JF_ERR_NO_DEVICE;
    }
    if (n > JF_MAX_DEVICES) n = JF_MAX_DEVICES;
    if (n == 0) {
        snprintf(err, errlen,
                 "no OpenCL device found: install a driver (for the CPU: the pocl-opencl-icd package)");
        return JF_ERR_NO_DEVICE;
    }
    const char *source = "device";
    if (!spec || !*spec) {
        spec = getenv("JF_DEVICE");
        source = "JF_DEVICE";
    }
    int best = -1;
    double best_score = -1.0;
    for (int i = 0; i < n; i++) {
        jf_device_info in;
        jf_query_device_info(refs[i].platform, refs[i].device, i, &in);
        int match;
        if (!spec || !*spec) {
            match = 1;
        } else {
            char *end = NULL;
            long idx = strtol(spec, &end, 10);
            if (end != spec && *end == '\0') match = (idx == i);
            else if (!strcasecmp(spec, "gpu")) match = in.is_gpu;
            else if (!strcasecmp(spec, "cpu")) match = in.is_cpu;
            else match = jf_contains_nocase(in.name, spec) || jf_contains_nocase(in.vendor, spec) ||
                         jf_contains_nocase(in.platform, spec);
        }
        if (!match) continue;
        double score = (!spec || !*spec) ? jf_device_score(&in) : -(double)i; /* first match wins */
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    if (best < 0) {
        snprintf(err, errlen, "no OpenCL device matches %s '%s' (%d device%s found; see `jfilter devices`)",
                 source, spec, n, n == 1 ? "" : "s");
        return JF_ERR_NO_DEVICE;
    }
    *out = refs[best];
    *index = best;
    return JF_OK;
}

/* ---- the tuning table ----
 * One row per device family; the first row that matches the device wins
 * (cpu: any CPU device, whatever its vendor; then GPUs by vendor; default
 * last, matching everything). A new device family or kernel variant adds a
 * row here, not code: the host reads the row (ctx->tune) and the kernels get
 * its values as -D options (jf_tune_apply). Work-groups are {x, y}; {0, 0}
 * leaves the choice to the driver. */
typedef struct jf_tune_row {
    int cpu;                 /* 1: matches CPU devices */
    const char *vendors[3];  /* otherwise: a vendor substring (case-insensitive); none: any device */
    jf_tune tune;
} jf_tune_row;

static const jf_tune_row jf_tune_rows[] = {
    /* PoCL on x86 (bench/, README's numbers): the direct conv beats CLBlast, its 12 float8
     * accumulators + 2 weights fill the 16 AVX registers; CPU runtimes do not vectorise
     * across work-items through the box and bilateral loops, so those work in float8.
     * GPUs: not measured yet, so today's values with CLBlast's SGEMM; the GPU tuning work
     * fills in their rows. Each row: cpu, vendors, then jf_tune's fields in order (family,
     * conv_direct, conv_channels, conv_pixels, box_vec, bilateral_vec, box_segment, wino_chunk_kib, and the
     * work-groups pointwise, pixels, resample, box_rows, box_cols, bilateral, conv_direct,
     * wino_input, wino_gemm, conv_pointwise; conv_winograd). */
    {1, {NULL},
     {"cpu",     1, 16, 6, 8, 8, 64, 2048, {64, 1}, {16, 4}, {64, 4}, {1, 16}, {8, 1}, {8, 4}, {0, 0}, {16, 1}, {1, 1}, {1, 1}, 1}},
    {0, {"nvidia"},
     {"nvidia",  0, 16, 6, 8, 8, 64, 0, {64, 1}, {16, 4}, {64, 4}, {1, 16}, {8, 1}, {8, 4}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, 0}},
    {0, {"advanced micro", "amd"},
     {"amd",     0, 16, 6, 8, 8, 64, 0, {64, 1}, {16, 4}, {64, 4}, {1, 16}, {8, 1}, {8, 4}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, 0}},
    {0, {"intel"},
     {"intel",   0, 16, 6, 8, 8, 64, 0, {64, 1}, {16, 4}, {64, 4}, {1, 16}, {8, 1}, {8, 4}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, 0}},
    {0, {NULL},
     {"default", 0, 16, 6, 8, 8, 64, 0, {64, 1}, {16, 4}, {64, 4}, {1, 16}, {8, 1}, {8, 4}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, 0}},
};
#define JF_TUNE_ROWS (int)(sizeof jf_tune_rows / sizeof jf_tune_rows[0])

static int jf_tune_matches(const jf_tune_row *row, const jf_device_info *in)
{
    if (row->cpu) return in->is_cpu;
    if (!row->vendors[0]) return 1;
    for (int i = 0; i < 3 && row->vendors[i]; i++)
        if (jf_contains_nocase(in->vendor, row->vendors[i])) return 1;
    return 0;
}

const jf_tune *jf_tune_find(const char *family)
{
    for (int i = 0; i < JF_TUNE_ROWS; i++)
        if (family && !strcasecmp(jf_tune_rows[i].tune.family, family)) return &jf_tune_rows[i].tune;
    return NULL;
}

static int jf_vector_width(int n) { return n == 2 || n == 4 || n == 8 || n == 16; }

jf_status jf_tune_apply(jf_context *ctx, const jf_tune *t)
{
    if (ctx->nprograms > 0)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "tuning %s: %d programs are already built with the old values", t->family,
                       ctx->nprograms);
    if (t->conv_channels < 1 || t->conv_pixels < 1 || !jf_vector_width(t->box_vec) ||
        !jf_vector_width(t->bilateral_vec) || t->box_segment < 1)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "tuning %s: conv block %dx%d, vector widths %d and %d (2, 4, 8 or 16), segment %d",
                       t->family, t->conv_channels, t->conv_pixels, t->box_vec, t->bilateral_vec,
                       t->box_segment);
    ctx->tune = *t;
    /* wino_gemm_out's register block from the register width: its float16 accumulators are
     * one register each only where the native float vector is 16 wide */
    cl_uint native = 0;
    if (clGetDeviceInfo(ctx->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof native, &native, NULL) !=
        CL_SUCCESS)
        native = 0;
    ctx->wino_gemm_tiles = native >= 16 ? 8 : 6;
    const char *extra = getenv("JF_BUILD_OPTIONS");
    int n = snprintf(ctx->build_options, sizeof ctx->build_options,
                     "-cl-std=CL1.2 -DJF_CONV_CHANNELS=%d -DJF_CONV_PIXELS=%d -DJF_BOX_VEC=%d "
                     "-DJF_BILATERAL_VEC=%d%s%s",
                     t->conv_channels, t->conv_pixels, t->box_vec, t->bilateral_vec, extra ? " " : "",
                     extra ? extra : "");
    if (n < 0 || (size_t)n >= sizeof ctx->build_options)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "JF_BUILD_OPTIONS is too long (%d characters)", n);
    return JF_OK;
}

jf_status jf_device_tune(jf_context *ctx)
{
    const char *force = getenv("JF_TUNE");
    const jf_tune *t = NULL;
    if (force && *force) {
        if (!(t = jf_tune_find(force))) {
            char names[128] = "";
            for (int i = 0; i < JF_TUNE_ROWS; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                         jf_tune_rows[i].tune.family);
            return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "JF_TUNE=%s names no row of the tuning table (%s)",
                           force, names);
        }
    }
    for (int i = 0; !t && i < JF_TUNE_ROWS; i++)
        if (jf_tune_matches(&jf_tune_rows[i], &ctx->info)) t = &jf_tune_rows[i].tune;
    return jf_tune_apply(ctx, t);
}
