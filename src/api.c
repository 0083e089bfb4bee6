/* api.c - the public model entry points: argument checks, model-file
 * loading through the registry (metadata defaults come from the model's arch
 * entry), host-image conversion, then hand-over to the models: their shared
 * input preparation, tiling and the model's own run function. */
#include "image.h"
#include "models/depth_range.h"
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jf_status jf_parse_info(jf_model *m, const jf_safetensors *st, const char *what)
{
    jf_context *ctx = m->ctx;
    jf_model_info *in = &m->info;
    const char *arch = jf_st_meta(st, "architecture");
    if (!arch)
        return jf_fail(ctx, JF_ERR_BAD_FORMAT,
                       "%s: metadata 'architecture' is missing (is this a jfilter model file? "
                       "convert checkpoints with tools/convert_checkpoint.py)",
                       what);
    m->arch = jf_find_arch(arch);
    if (!m->arch)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "%s: architecture '%s' is not supported by this build",
                       what, arch);
    snprintf(in->architecture, sizeof in->architecture, "%s", arch);
    jf_status s;
    if ((s = jf_meta_int(ctx, st, what, "scale", 0, 0, 64, &in->scale)) != JF_OK) return s;
    if ((s = jf_meta_int(ctx, st, what, "kernel_size", 3, 1, 7, &in->kernel_size)) != JF_OK) return s;
    if ((s = jf_meta_int(ctx, st, what, "window_size", 15, 1, 63, &in->window_size)) != JF_OK) return s;
    if ((s = jf_meta_bool(ctx, st, what, "residual", 1, &in->residual)) != JF_OK) return s;

    const char *guide = jf_st_meta(st, "guide");
    if (!guide) m->guide = m->arch->guide;
    else if (!strcmp(guide, "gray")) m->guide = JF_GUIDE_GRAY;
    else if (!strcmp(guide, "gray_u8")) m->guide = JF_GUIDE_GRAY_U8;
    else if (!strcmp(guide, "bgr")) m->guide = JF_GUIDE_BGR;
    else return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'guide' is '%s' (gray, gray_u8 or bgr)", what, guide);

    const char *order = jf_st_meta(st, "guide_order");
    if (!order) order = "bgr";
    if (strcmp(order, "bgr") && strcmp(order, "rgb"))
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'guide_order' is '%s' (bgr or rgb)", what, order);
    snprintf(in->guide_order, sizeof in->guide_order, "%s", order);

    const char *up = jf_st_meta(st, "upsample");
    if (!up) m->upsample = m->arch->upsample;
    else if (!strcmp(up, "pil")) m->upsample = JF_RESIZE_PIL;
    else if (!strcmp(up, "opencv")) m->upsample = JF_RESIZE_OPENCV;
    else return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'upsample' is '%s' (pil or opencv)", what, up);
    snprintf(in->upsample, sizeof in->upsample, "%s", m->upsample == JF_RESIZE_OPENCV ? "opencv" : "pil");
    in->coefficients = m->arch->extra_coefficients;

    const char *deg = jf_st_meta(st, "degradation");
    if (!deg) deg = m->arch->degradation ? m->arch->degradation : "";
    else if (strcmp(deg, "bicubic") && strcmp(deg, "area") && strcmp(deg, "subsample"))
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'degradation' is '%s' (bicubic, area or subsample)",
                       what, deg);
    snprintf(in->degradation, sizeof in->degradation, "%s", deg);

    unsigned targets = m->arch->targets ? m->arch->targets : JF_TARGETS_GRAY;
    in->gray_target = (targets & JF_TARGETS_GRAY) != 0;
    in->colour_target = (targets & JF_TARGETS_COLOUR) != 0;
    in->whole_image = m->arch->whole_image;
    in->has_lambda = m->arch->lambda;
    if (in->has_lambda) {
        if ((s = jf_meta_float(ctx, st, what, "lambda_min", 1, 0, 1e-30f, 1e30f, &in->lambda_min)) != JF_OK ||
            (s = jf_meta_float(ctx, st, what, "lambda_max", 1, 0, in->lambda_min, 1e30f, &in->lambda_max)) != JF_OK ||
            (s = jf_meta_float(ctx, st, what, "lambda_default", 1, 0, in->lambda_min, in->lambda_max,
                               &in->lambda_default)) != JF_OK)
            return s;
    }
    return JF_OK;
}

static jf_status jf_model_from(jf_context *ctx, jf_safetensors *st, const char *what, jf_model **out)
{
    jf_model *m = jf_calloc(1, sizeof *m);
    if (!m) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    m->ctx = ctx;
    jf_status s = jf_parse_info(m, st, what);
    if (s == JF_OK) s = m->arch->create(m, st, what);
    if (s != JF_OK) {
        /* what a failed create left: its own state (arch->destroy frees m->impl and
         * clears it, so a create that already did so is not freed twice), and what
         * jf_spec_build kept */
        if (m->impl && m->arch && m->arch->destroy) m->arch->destroy(m);
        jf_spec_free(&m->spec);
        jf_workspace_free(&m->ws);
        free(m);
        return s;
    }
    *out = m;
    return JF_OK;
}

jf_status jf_model_load(jf_context *ctx, const char *path, jf_model **model)
{
    if (!ctx || !path || !model)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "jf_model_load: NULL argument");
    *model = NULL;
    jf_safetensors st;
    char err[1024];
    jf_status s = jf_st_open(path, &st, err, sizeof err);
    if (s != JF_OK) return jf_fail(ctx, s, "%s", err);
    s = jf_model_from(ctx, &st, path, model);
    jf_st_free(&st);
    return s;
}

jf_status jf_model_load_memory(jf_context *ctx, const void *data, size_t size, jf_model **model)
{
    if (!ctx || !data || !model)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "jf_model_load_memory: NULL argument");
    *model = NULL;
    jf_safetensors st;
    char err[1024];
    jf_status s = jf_st_parse(data, size, "model in memory", &st, err, sizeof err);
    if (s != JF_OK) return jf_fail(ctx, s, "%s", err);
    s = jf_model_from(ctx, &st, "model in memory", model);
    jf_st_free(&st);
    return s;
}

void jf_model_destroy(jf_model *model)
{
    if (!model) return;
    if (model->arch && model->arch->destroy) model->arch->destroy(model);
    jf_spec_free(&model->spec);
    jf_workspace_free(&model->ws);
    free(model);
}

jf_status jf_model_get_info(const jf_model *model, jf_model_info *info)
{
    if (!model || !info) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_get_info: NULL argument");
    if (info->size != sizeof(jf_model_info))
        return jf_fail(model->ctx, JF_ERR_INVALID_ARGUMENT,
                       "jf_model_get_info: info.size is %zu, not sizeof(jf_model_info) = %zu (initialise it: "
                       "jf_model_info info = {.size = sizeof info})", info->size, sizeof(jf_model_info));
    *info = model->info;
    info->size = sizeof(jf_model_info);
    return JF_OK;
}

/* The model's own count, else the one its spec gives. */
static double jf_model_macs(const jf_model *m, int width, int height)
{
    if (m->arch->macs) return m->arch->macs(m, width, height);
    return jf_spec_macs(m->spec.layer, m->spec.n, width, height);
}

jf_status jf_model_flops(const jf_model *model, int width, int height, double *flops)
{
    if (!model || !flops || width <= 0 || height <= 0)
        return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_flops: NULL argument or empty size");
    *flops = 2.0 * jf_model_macs(model, width, height);
    return JF_OK;
}

jf_status jf_model_flops_reference(const jf_model *model, int width, int height, double *flops)
{
    if (!model || !flops || width <= 0 || height <= 0)
        return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_flops_reference: NULL argument or empty size");
    const jf_model_arch *a = model->arch;
    *flops = 2.0 * (a->macs_reference ? a->macs_reference(model, width, height) : jf_model_macs(model, width, height));
    return JF_OK;
}

/* Options come with their size (jfilter.h, growing structs); NULL is all defaults. */
static jf_status jf_check_options(jf_context *ctx, const jf_run_options *opt, const char *fn)
{
    if (opt && opt->size != sizeof(jf_run_options))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "%s: options.size is %zu, not sizeof(jf_run_options) = %zu (initialise it: "
                       "jf_run_options opt = {.size = sizeof opt, ...})", fn, opt->size, sizeof(jf_run_options));
    return JF_OK;
}

/* Checks the target's size against the guide's (and the requested scale). */
static jf_status jf_check_sizes(jf_model *m, int gw, int gh, int tw, int th, const jf_run_options *opt)
{
    int scale = opt ? opt->scale : 0;
    if (tw == gw && th == gh) return JF_OK;
    if (tw > gw || th > gh || tw <= 0 || th <= 0)
        return jf_fail(m->ctx, JF_ERR_SIZE_MISMATCH,
                       "the target (%dx%d) must be as large as the guide (%dx%d) or smaller "
                       "(a low-resolution target)", tw, th, gw, gh);
    if (scale > 0 && (tw * scale != gw || th * scale != gh))
        return jf_fail(m->ctx, JF_ERR_SIZE_MISMATCH,
                       "a %dx%d target upsampled x%d gives %dx%d, but the guide is %dx%d", tw, th,
                       scale, tw * scale, th * scale, gw, gh);
    return JF_OK;
}

/* What a run asks of the model beyond sizes: a target it filters (planes 1 or
 * 3), depth handling only on one plane, a lambda in its range (set into
 * m->lambda for the model's run). */
static jf_status jf_check_run(jf_model *m, int target_planes, const jf_run_options *opt)
{
    jf_context *ctx = m->ctx;
    const jf_model_info *in = &m->info;
    if (target_planes == 1 && !in->gray_target)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "%s filters colour targets; this target has one channel",
                       in->architecture);
    if (target_planes != 1 && !in->colour_target)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "the target must have one channel (it has %d): %s filters gray "
                       "targets (depth)", target_planes, in->architecture);
    if (target_planes != 1 && jf_depth_active(opt))
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "depth handling (normalize, invalid, keep_holes) needs a "
                       "one-channel target; this one has %d", target_planes);
    float lambda = opt ? opt->lambda : 0.0f;
    if (!in->has_lambda) {
        if (lambda != 0.0f)
            return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "%s takes no lambda (asked for %g)", in->architecture,
                           (double)lambda);
        return JF_OK;
    }
    if (lambda == 0.0f) lambda = in->lambda_default;
    if (!(lambda >= in->lambda_min && lambda <= in->lambda_max))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "lambda %g is outside the range this %s model was trained "
                       "on (%g..%g)", (double)lambda, in->architecture, (double)in->lambda_min,
                       (double)in->lambda_max);
    m->lambda = lambda;
    return JF_OK;
}

/* The models' shared preparation, then the model, tiled when needed. guide:
 * C planes (B, G, R or gray) at W x H. Coefficient outputs go to opt->alpha/beta. */
static jf_status jf_run_tensors(jf_model *m, const jf_tensor *guide, const jf_tensor *target,
                                jf_tensor *out, const jf_run_options *opt, float unit, int blocking)
{
    jf_context *ctx = m->ctx;
    jf_tensor up = {0}, prepared = {0}, extra = {0}, depth = {0};
    jf_depth_job dj = {0};
    const jf_tensor *tgt = target, *gd = guide;
    jf_status s = JF_OK;
    /* depth in sensor units: holes filled, valid range to 0..1 (depth_range.h) */
    if (jf_depth_active(opt) && (s = jf_depth_prepare(ctx, opt, unit, guide, target, &depth, &dj)) == JF_OK)
        target = tgt = &depth;
    if (s == JF_OK) s = jf_model_prepare(m, guide, target, &prepared, &up, &gd, &tgt);
    int want_extra = opt && (opt->alpha || opt->beta) && m->arch->extra_coefficients;
    if (s == JF_OK && want_extra) s = jf_tensor_alloc(ctx, &extra, m->extra_planes, guide->h, guide->w);
    if (s == JF_OK) s = jf_run_tiled(m, gd, tgt, out, want_extra ? &extra : NULL, opt);
    if (s == JF_OK && jf_depth_active(opt)) s = jf_depth_restore(ctx, &dj, out);
    if (s == JF_OK && blocking) s = jf_finish(ctx);
    /* side outputs: plane 0 to alpha, plane 1 to beta */
    for (int i = 0; s == JF_OK && want_extra && i < 2; i++) {
        float *dst = i == 0 ? opt->alpha : opt->beta;
        if (dst) s = jf_tensor_download_planes(ctx, &extra, i, 1, dst);
    }
    if (s == JF_OK && want_extra && jf_depth_active(opt))
        jf_depth_restore_coefficients(&dj, opt->alpha, opt->beta, (size_t)guide->w * guide->h);
    jf_depth_job_free(&dj);
    jf_tensor_free(&depth);
    jf_tensor_free(&up);
    jf_tensor_free(&prepared);
    jf_tensor_free(&extra);
    return s;
}

jf_status jf_model_run_buffers(jf_model *m, cl_mem guide, int guide_channels, int width, int height,
                               cl_mem target, int target_channels, int target_width, int target_height,
                               cl_mem output, const jf_run_options *opt)
{
    if (!m) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_run_buffers: model is NULL");
    if (!guide || !target || !output || (guide_channels != 1 && guide_channels != 3) ||
        (target_channels != 1 && target_channels != 3) || width <= 0 || height <= 0)
        return jf_fail(m->ctx, JF_ERR_INVALID_ARGUMENT,
                       "jf_model_run_buffers: NULL buffer, %d guide channels (1 or 3), %d target channels "
                       "(1 or 3) or size %dx%d", guide_channels, target_channels, width, height);
    jf_status s = jf_check_options(m->ctx, opt, "jf_model_run_buffers");
    if (s == JF_OK) s = jf_check_run(m, target_channels, opt);
    if (s == JF_OK) s = jf_check_sizes(m, width, height, target_width, target_height, opt);
    if (s != JF_OK) return s;
    jf_tensor g = jf_tensor_wrap(guide, guide_channels, height, width);
    jf_tensor t = jf_tensor_wrap(target, target_channels, target_height, target_width);
    jf_tensor o = jf_tensor_wrap(output, target_channels, height, width);
    return jf_run_tensors(m, &g, &t, &o, opt, 1.0f, 1);
}

jf_status jf_model_enqueue(jf_model *m, jf_buffer guide, int guide_channels, int width, int height,
                           jf_buffer target, int target_channels, int target_width, int target_height,
                           jf_buffer output, const jf_run_options *opt, cl_uint num_wait, const cl_event *wait,
                           cl_event *done)
{
    if (done) *done = NULL;
    if (!m) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_enqueue: model is NULL");
    jf_context *ctx = m->ctx;
    if ((guide_channels != 1 && guide_channels != 3) || (target_channels != 1 && target_channels != 3) ||
        width <= 0 || height <= 0)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "jf_model_enqueue: %d guide channels (1 or 3), %d target channels (1 or 3) or size %dx%d",
                       guide_channels, target_channels, width, height);
    jf_status s = jf_check_options(ctx, opt, "jf_model_enqueue");
    if (s != JF_OK) return s;
    if (opt && (opt->alpha || opt->beta))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "jf_model_enqueue: coefficient maps go to host memory; "
                       "ask jf_model_run_buffers for them");
    if ((s = jf_check_run(m, target_channels, opt)) != JF_OK ||
        (s = jf_check_sizes(m, width, height, target_width, target_height, opt)) != JF_OK)
        return s;
    const jf_region r[3] = {{guide, guide_channels, height, width, "guide"},
                            {target, target_channels, target_height, target_width, "target"},
                            {output, target_channels, height, width, "output"}};
    jf_tensor t[3];
    s = jf_enqueue_begin(ctx, r, 3, t, num_wait, wait, done);
    if (s == JF_OK) s = jf_run_tensors(m, &t[0], &t[1], &t[2], opt, 1.0f, 0);
    return jf_enqueue_end(ctx, s, t, 3, done);
}

jf_status jf_model_run(jf_model *m, const jf_image *guide, const jf_image *target, jf_image *output,
                       const jf_run_options *opt)
{
    if (!m) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_run: model is NULL");
    jf_context *ctx = m->ctx;
    jf_status s;
    if ((s = jf_check_options(ctx, opt, "jf_model_run")) != JF_OK) return s;
    if ((s = jf_image_validate(ctx, guide, "guide")) != JF_OK ||
        (s = jf_image_validate(ctx, target, "target")) != JF_OK ||
        (s = jf_image_validate(ctx, output, "output")) != JF_OK)
        return s;
    int planes = jf_image_planes(target);
    if ((s = jf_check_run(m, planes, opt)) != JF_OK) return s;
    if ((planes == 1 ? output->channels != 1 : output->channels == 1) || output->width != guide->width ||
        output->height != guide->height)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "the output must be %dx%d with %s (it is %dx%dx%d)",
                       guide->width, guide->height, planes == 1 ? "one channel" : "3 or 4 channels",
                       output->width, output->height, output->channels);
    if ((s = jf_check_sizes(m, guide->width, guide->height, target->width, target->height, opt)) != JF_OK)
        return s;

    jf_tensor g = {0}, t = {0}, o = {0};
    if ((s = jf_image_upload(ctx, guide, &g)) == JF_OK &&
        (s = jf_image_upload(ctx, target, &t)) == JF_OK &&
        (s = jf_tensor_alloc(ctx, &o, planes, guide->height, guide->width)) == JF_OK &&
        (s = jf_run_tensors(m, &g, &t, &o, opt,
                            target->type == JF_PIXEL_U8 ? 1.0f / 255.0f
                            : target->type == JF_PIXEL_U16 ? 1.0f / 65535.0f : 1.0f, 1)) == JF_OK)
        s = jf_image_download(ctx, &o, output);
    jf_tensor_free(&g);
    jf_tensor_free(&t);
    jf_tensor_free(&o);
    return s;
}

jf_status jf_model_smooth(jf_model *m, const jf_image *input, jf_image *output, const jf_run_options *opt)
{
    if (!m) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_model_smooth: model is NULL");
    return jf_model_run(m, input, input, output, opt);
}
