/* cli_pair.c - one guide/target pair of `jfilter run`, the same steps for a
 * single run and for each pair of a batch: read both images, hold the run to
 * the model's conventions, run the model, write the result (atomically):
 * gray for a gray target, colour for a colour one (smoothing models). */
#include "cli_batch.h"

#include <stdlib.h>
#include <string.h>

int cli_pair_load(const cli_run_settings *s, const char *guide_path, const char *target_path,
                  const char *out_path, cli_image *guide, cli_image *target, int *bits, char *why,
                  size_t len)
{
    char err[1024];
    memset(guide, 0, sizeof *guide);
    memset(target, 0, sizeof *target);
    if (cli_load_image(guide_path, guide, err, sizeof err)) {
        snprintf(why, len, "guide image: %s", err);
        return -1;
    }
    if (cli_load_image(target_path, target, err, sizeof err)) {
        snprintf(why, len, "target image: %s", err);
        return -1;
    }
    if ((*bits = cli_output_bits(out_path, s->bits, target->bit_depth)) < 0) {
        why[0] = '\0'; /* cli_output_bits said why */
        return -1;
    }
    return 0;
}

/* The target's channels against what the model filters; a colour target
 * takes no depth handling (its defaults are dropped, asking for it is an error). */
static int check_target(const cli_run_settings *s, const jf_model_info *info, const cli_image *target,
                        jf_run_options *opt, char *why, size_t len)
{
    int colour = target->img.channels != 1;
    if (!colour && !info->gray_target) {
        snprintf(why, len, "%s (%s) filters colour images; the target has one channel", s->model_arg,
                 info->architecture);
        return -1;
    }
    if (colour && !info->colour_target) {
        snprintf(why, len, "the target image has %d channels; %s (%s) needs a gray one (depth)",
                 target->img.channels, s->model_arg, info->architecture);
        return -1;
    }
    if (colour) {
        if (s->depth_explicit) {
            snprintf(why, len, "--invalid, --keep-holes and --no-normalize are for one-channel (depth) targets; "
                     "this target is colour");
            return -1;
        }
        opt->normalize = JF_NORMALIZE_NONE;
        opt->invalid = JF_INVALID_NONE;
    }
    if (opt->lambda != 0.0f && !info->has_lambda) {
        snprintf(why, len, "--lambda: %s (%s) takes no smoothing strength", s->model_arg, info->architecture);
        return -1;
    }
    return 0;
}

int cli_pair_run(const cli_run_settings *s, jf_context *ctx, jf_model *model, const cli_image *guide,
                 const cli_image *target, int bits, const char *out_path, const char *coef_prefix,
                 int (*progress)(void *, int, int), char *why, size_t len)
{
    int w = guide->img.width, h = guide->img.height, rc = -1;
    jf_model_info info = {.size = sizeof(jf_model_info)};
    jf_model_get_info(model, &info);
    float *out = NULL, *alpha = NULL, *beta = NULL;
    if (cli_check_conventions(s->model_arg, &info, w, h, target->img.width, target->img.height, s->scale,
                              s->degradation, s->force)) {
        why[0] = '\0'; /* cli_check_conventions said why */
        return -1;
    }
    jf_run_options opt = s->opt;
    opt.scale = s->scale;
    opt.memory_budget = s->memory_budget;
    opt.progress = progress;
    if (check_target(s, &info, target, &opt, why, len)) return -1;
    int channels = target->img.channels == 1 ? 1 : 3;
    out = malloc((size_t)w * h * channels * sizeof(float));
    if (!out) {
        snprintf(why, len, "out of memory");
        goto done;
    }
    if (coef_prefix) {
        if (!info.coefficients) {
            snprintf(why, len, "--coefficients needs an SVLRM model or another that returns coefficient maps; "
                     "%s (%s) returns none", s->model_path, info.architecture);
            goto done;
        }
        alpha = malloc((size_t)w * h * sizeof(float));
        beta = malloc((size_t)w * h * sizeof(float));
        if (!alpha || !beta) {
            snprintf(why, len, "out of memory");
            goto done;
        }
        opt.alpha = alpha;
        opt.beta = beta;
    }
    jf_image oimg = {sizeof(jf_image), w, h, channels, JF_PIXEL_F32, JF_ORDER_RGB, 0, out};
    if (jf_model_run(model, &guide->img, &target->img, &oimg, &opt) != JF_OK) {
        snprintf(why, len, "%s", jf_last_error(ctx));
        goto done;
    }
    if (coef_prefix) {
        char path[4096];
        snprintf(path, sizeof path, "%s_alpha.npy", coef_prefix);
        if (cli_write_plane(path, alpha, w, h, 32)) goto write_failed;
        snprintf(path, sizeof path, "%s_beta.npy", coef_prefix);
        if (cli_write_plane(path, beta, w, h, 32)) goto write_failed;
    }
    if (cli_write_image(out_path, out, w, h, channels, bits)) goto write_failed;
    rc = 0;
    goto done;
write_failed:
    why[0] = '\0'; /* the writer said why */
done:
    free(out);
    free(alpha);
    free(beta);
    return rc;
}
