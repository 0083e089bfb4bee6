/* program.c - run-time builds of the cl/ sources with a disk cache of program
 * binaries. Every program is cl/common.cl (activation codes, border rule)
 * followed by one cl/<file>, keyed by file and its own build options. The
 * cache key covers platform, device, driver version, the whole source text
 * and the full build options, and files are written by atomic rename, so
 * concurrent processes and driver upgrades are both safe. */
#include "runtime/runtime.h"
#include "runtime/cl_sources.h"
#include "runtime/faults.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static uint64_t jf_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t jf_fnv_str(uint64_t h, const char *s)
{
    return jf_fnv1a(h, s, strlen(s) + 1); /* the NUL separates fields */
}

static jf_status jf_copy_embedded(jf_context *ctx, const jf_cl_source *s, char **source, size_t *len)
{
    *source = jf_malloc(s->length + 1);
    if (!*source) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(*source, s->text, s->length + 1);
    *len = s->length;
    return JF_OK;
}

jf_status jf_program_source(jf_context *ctx, const char *file, char **source, size_t *len)
{
    const char *dir = getenv("JF_KERNEL_DIR");
    int common = strcmp(file, "common.cl") == 0;
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        FILE *f = fopen(path, "rb");
        /* a folder of a few edited kernels may leave out the shared prelude */
        if (!f && common) return jf_copy_embedded(ctx, &jf_cl_common, source, len);
        if (!f)
            return jf_fail(ctx, JF_ERR_IO, "JF_KERNEL_DIR is set but %s cannot be read: %s", path,
                           strerror(errno));
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = n >= 0 ? jf_malloc((size_t)n + 1) : NULL;
        if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            fclose(f);
            return jf_fail(ctx, JF_ERR_IO, "cannot read %s", path);
        }
        fclose(f);
        buf[n] = '\0';
        *source = buf;
        *len = (size_t)n;
        return JF_OK;
    }
    if (common) return jf_copy_embedded(ctx, &jf_cl_common, source, len);
    for (const jf_cl_source *s = jf_cl_sources; s->name; s++)
        if (strcmp(s->name, file) == 0) return jf_copy_embedded(ctx, s, source, len);
    return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "no embedded OpenCL source named %s", file);
}

/* common.cl, then the file; #line keeps the build log's line numbers the file's own. */
static jf_status jf_program_text(jf_context *ctx, const char *file, char **text, size_t *len)
{
    char *common = NULL, *body = NULL;
    size_t clen = 0, blen = 0;
    jf_status st = jf_program_source(ctx, "common.cl", &common, &clen);
    if (st == JF_OK) st = jf_program_source(ctx, file, &body, &blen);
    if (st == JF_OK) {
        size_t cap = clen + blen + strlen(file) + 64;
        *text = jf_malloc(cap);
        if (!*text) st = jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
        else *len = (size_t)snprintf(*text, cap, "#line 1 \"common.cl\"\n%s\n#line 1 \"%s\"\n%s", common,
                                     file, body);
    }
    free(common);
    free(body);
    return st;
}

const char *jf_cache_dir(char *buf, size_t len)
{
    const char *env = getenv("JF_CACHE_DIR");
    if (env && (!strcmp(env, "off") || !strcmp(env, "0"))) return "";
    if (env && *env) snprintf(buf, len, "%s", env);
    else if (getenv("XDG_CACHE_HOME")) snprintf(buf, len, "%s/jfilter", getenv("XDG_CACHE_HOME"));
    else if (getenv("HOME")) snprintf(buf, len, "%s/.cache/jfilter", getenv("HOME"));
    else return "";
    return buf;
}

/* PoCL keeps its own cache of builds and of the per-kernel code it generates at
 * first launch (unless POCL_KERNEL_CACHE=0). There a binary of ours saves ~0.1 s
 * of a warm start, but asking PoCL for it compiles every kernel of the program
 * ahead: a cold first FDKN run took 11 s with it and 6 s without it (2-core
 * VM). So the default cache is not used on PoCL; an explicit JF_CACHE_DIR is. */
static int jf_driver_caches_builds(const jf_context *ctx)
{
    const char *off = getenv("POCL_KERNEL_CACHE");
    return strstr(ctx->info.platform, "Portable Computing Language") && !(off && !strcmp(off, "0"));
}

static void jf_mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

static unsigned char *jf_read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = jf_malloc((size_t)n)) &&
            fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = n > 0 ? (size_t)n : 0;
    }
    fclose(f);
    return buf;
}

/* Writes the built program's binary to the cache; failures only cost speed. */
static void jf_cache_store(jf_context *ctx, cl_program prog, const char *dir, const char *path)
{
    size_t size = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return;
    unsigned char *bin = jf_malloc(size);
    if (!bin) return;
    unsigned char *bins[1] = {bin};
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS) {
        jf_mkdirs(dir);
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        FILE *f = fopen(tmp, "wb");
        if (f) {
            int ok = fwrite(bin, 1, size, f) == size;
            ok = (fclose(f) == 0) && ok;
            if (!ok || rename(tmp, path) != 0) remove(tmp);
        }
    }
    free(bin);
}

static jf_status jf_build_log(jf_context *ctx, cl_program prog, const char *file, const char *options,
                              cl_int err)
{
    size_t len = 0;
    clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &len);
    char *log = jf_malloc(len + 1);
    if (log) {
        log[0] = '\0';
        clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, len, log, NULL);
        log[len] = '\0';
    }
    jf_status st = jf_fail(ctx, JF_ERR_BUILD,
                           "building OpenCL program cl/%s for %s failed (%s) with options '%s'.\n"
                           "Build log:\n%s",
                           file, ctx->info.name, jf_cl_error_name(err), options, log ? log : "(no log)");
    free(log);
    return st;
}

static jf_status jf_build_program(jf_context *ctx, const char *file, const char *own_options,
                                  cl_program *out)
{
    char *src = NULL;
    size_t len = 0;
    jf_status st = jf_program_text(ctx, file, &src, &len);
    if (st != JF_OK) return st;
    char options[sizeof ctx->build_options + JF_MAX_PROGRAM_OPTIONS + 2];
    snprintf(options, sizeof options, "%s%s%s", ctx->build_options, *own_options ? " " : "", own_options);

    uint64_t key = 1469598103934665603ull;
    key = jf_fnv_str(key, ctx->info.platform);
    key = jf_fnv_str(key, ctx->info.name);
    key = jf_fnv_str(key, ctx->info.driver_version);
    key = jf_fnv_str(key, ctx->info.version);
    key = jf_fnv_str(key, options);
    key = jf_fnv1a(key, src, len);

    char dirbuf[4096], path[4200] = "";
    const char *dir = jf_cache_dir(dirbuf, sizeof dirbuf);
    if (!getenv("JF_CACHE_DIR") && jf_driver_caches_builds(ctx)) dir = "";
    double t0 = jf_now_ms();
    cl_int err;
    if (*dir) {
        snprintf(path, sizeof path, "%s/%s-%016llx.bin", dir, file, (unsigned long long)key);
        size_t blen = 0;
        unsigned char *bin = jf_read_all(path, &blen);
        if (bin) {
            const unsigned char *bins[1] = {bin};
            cl_int bstatus = CL_SUCCESS;
            cl_program prog =
                clCreateProgramWithBinary(ctx->cl, 1, &ctx->device, &blen, bins, &bstatus, &err);
            free(bin);
            if (prog) jf_live_add(JF_LIVE_PROGRAM, 1);
            if (err == CL_SUCCESS && bstatus == CL_SUCCESS && !jf_fault_hit(JF_FAULT_BUILD) &&
                clBuildProgram(prog, 1, &ctx->device, options, NULL, NULL) == CL_SUCCESS) {
                free(src);
                *out = prog;
                ctx->programs_from_cache++;
                ctx->compile_ms += jf_now_ms() - t0;
                return JF_OK;
            }
            if (prog) jf_release_program(prog); /* stale or foreign binary: rebuild below */
        }
    }

    const char *srcs[1] = {src};
    cl_program prog = clCreateProgramWithSource(ctx->cl, 1, srcs, &len, &err);
    free(src);
    if (err != CL_SUCCESS) return jf_fail_cl(ctx, err, "clCreateProgramWithSource");
    jf_live_add(JF_LIVE_PROGRAM, 1);
    err = jf_fault_hit(JF_FAULT_BUILD) ? CL_BUILD_PROGRAM_FAILURE
                                       : clBuildProgram(prog, 1, &ctx->device, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        st = jf_build_log(ctx, prog, file, options, err);
        jf_release_program(prog);
        return st;
    }
    ctx->compile_ms += jf_now_ms() - t0;
    if (*dir) jf_cache_store(ctx, prog, dir, path);
    *out = prog;
    return JF_OK;
}

void jf_release_program(cl_program program)
{
    clReleaseProgram(program);
    jf_live_add(JF_LIVE_PROGRAM, -1);
}

void jf_release_kernel(cl_kernel kernel)
{
    clReleaseKernel(kernel);
    jf_live_add(JF_LIVE_KERNEL, -1);
}

jf_status jf_program(jf_context *ctx, const char *file, const char *options, cl_program *out)
{
    if (!options) options = "";
    for (int i = 0; i < ctx->nprograms; i++) {
        if (!strcmp(ctx->programs[i].file, file) && !strcmp(ctx->programs[i].options, options)) {
            *out = ctx->programs[i].program;
            return JF_OK;
        }
    }
    jf_program_entry *e = &ctx->programs[ctx->nprograms];
    if (ctx->nprograms >= JF_MAX_PROGRAMS)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "too many programs (raise JF_MAX_PROGRAMS)");
    if (strlen(file) >= sizeof e->file || strlen(options) >= sizeof e->options)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "program cl/%s: name or options '%s' too long", file,
                       options);
    cl_program prog;
    jf_status st = jf_build_program(ctx, file, options, &prog);
    if (st != JF_OK) return st;
    snprintf(e->file, sizeof e->file, "%s", file);
    snprintf(e->options, sizeof e->options, "%s", options);
    e->program = prog;
    ctx->nprograms++;
    *out = prog;
    return JF_OK;
}

jf_status jf_kernel_get(jf_context *ctx, const char *file, const char *options, const char *name,
                        const jf_kernel_entry **out)
{
    if (!options) options = "";
    for (int i = 0; i < ctx->nkernels; i++) {
        const jf_kernel_entry *k = &ctx->kernels[i];
        if (!strcmp(k->name, name) && !strcmp(k->file, file) && !strcmp(k->options, options)) {
            *out = k;
            return JF_OK;
        }
    }
    jf_kernel_entry *e = &ctx->kernels[ctx->nkernels];
    if (ctx->nkernels >= JF_MAX_KERNELS)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "too many kernels (raise JF_MAX_KERNELS)");
    if (strlen(name) >= sizeof e->name)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "kernel name %s too long", name);
    cl_program prog;
    jf_status st = jf_program(ctx, file, options, &prog);
    if (st != JF_OK) return st;
    cl_int err = CL_OUT_OF_RESOURCES;
    cl_kernel k = jf_fault_hit(JF_FAULT_BUILD) ? NULL : clCreateKernel(prog, name, &err);
    cl_uint nargs = 0;
    if (err == CL_SUCCESS) {
        jf_live_add(JF_LIVE_KERNEL, 1);
        err = clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof nargs, &nargs, NULL);
        if (err != CL_SUCCESS) jf_release_kernel(k);
    }
    if (err != CL_SUCCESS) {
        char what[160];
        snprintf(what, sizeof what, "clCreateKernel(%s in cl/%s)", name, file);
        return jf_fail_cl(ctx, err, what);
    }
    snprintf(e->file, sizeof e->file, "%s", file);
    snprintf(e->options, sizeof e->options, "%s", options);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kernel = k;
    e->nargs = nargs;
    ctx->nkernels++;
    *out = e;
    return JF_OK;
}

