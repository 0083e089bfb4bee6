/* main.c - the consumer application: links the installed library (through
 * find_package or pkg-config; tests/test_install.sh builds it both ways) and
 *   consumer                         lists the devices and prints the version
 *   consumer guided G T OUT          guided filter, radius 8, eps 0.01 (the CLI's defaults)
 *   consumer model M G T OUT         a model run with the CLI's depth defaults (normalised
 *                                    over the valid pixels, 0 marks a hole); M "-" is the
 *                                    default model, jf_default_weights_dir()/JF_DEFAULT_MODEL
 * G, T: .npy (uint8/uint16/float32); OUT: float32 .npy, normalized units. */
#include "npy.h"

#include <jfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(jf_context *ctx, const char *what)
{
    fprintf(stderr, "consumer: %s failed: %s\n", what, jf_last_error(ctx));
    return 1;
}

static int filter(int argc, char **argv)
{
    int is_model = !strcmp(argv[1], "model");
    const char **a = (const char **)argv + (is_model ? 3 : 2);
    jf_image guide = {sizeof(jf_image), 0}, target = {sizeof(jf_image), 0};
    if (npy_read(a[0], &guide) || npy_read(a[1], &target)) return 1;
    jf_image out = {sizeof(jf_image), guide.width, guide.height, target.channels == 1 ? 1 : 3, JF_PIXEL_F32, JF_ORDER_RGB,
                    0, NULL};
    out.data = calloc((size_t)out.width * out.height * out.channels, sizeof(float));
    jf_context *ctx = NULL;
    jf_model *model = NULL;
    int rc = 1;
    if (!out.data) return 1;
    if (jf_context_create(&ctx, NULL) != JF_OK) {
        rc = fail(NULL, "jf_context_create");
        goto done;
    }
    if (is_model) {
        char path[4096];
        if (!strcmp(argv[2], "-"))
            snprintf(path, sizeof path, "%s/%s", jf_default_weights_dir(), JF_DEFAULT_MODEL);
        else
            snprintf(path, sizeof path, "%s", argv[2]);
        jf_run_options opt = {.size = sizeof(jf_run_options)};
        opt.normalize = JF_NORMALIZE_VALID;
        opt.invalid = JF_INVALID_ZERO;
        if (jf_model_load(ctx, path, &model) != JF_OK) rc = fail(ctx, path);
        else if (jf_model_run(model, &guide, &target, &out, &opt) != JF_OK) rc = fail(ctx, "jf_model_run");
        else rc = 0;
    } else if (jf_guided_filter(ctx, &guide, &target, &out, 8, 0.01f, 1) != JF_OK) {
        rc = fail(ctx, "jf_guided_filter");
    } else {
        rc = 0;
    }
    if (rc == 0) rc = npy_write_f32(argv[argc - 1], &out) ? 1 : 0;
done:
    jf_model_destroy(model);
    jf_context_destroy(ctx);
    free(guide.data);
    free(target.data);
    free(out.data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "guided")) return filter(argc, argv);
    if (argc == 6 && !strcmp(argv[1], "model")) return filter(argc, argv);
    if (argc != 1) {
        fprintf(stderr, "usage: consumer | consumer guided G T OUT | consumer model M|- G T OUT\n");
        return 2;
    }
    int n = 0;
    if (jf_device_count(&n) != JF_OK) return 1;
    if (jf_version_number() != JF_VERSION_NUMBER) {
        fprintf(stderr, "consumer: compiled against %d, runs %d\n", JF_VERSION_NUMBER, jf_version_number());
        return 1;
    }
    printf("jfilter %s, %d device(s), weights in %s\n", jf_version(), n, jf_default_weights_dir());
    return 0;
}
