/* cli_conventions.c - `jfilter run` holds a model to what it was trained on:
 * the upsampling factor (an error unless --force) and the way the
 * low-resolution input was made (a warning naming the convention).
 *
 * The factor is known from the sizes or --scale. How a low-resolution target
 * was made cannot be told reliably from the image itself (we measured
 * mixed-pixel and guide-alignment statistics on Lu, NYU and RGB-D-D: the
 * ranges of corner-sampled and area-downsampled maps overlap), so the user
 * declares it with --degradation, and the default is what resizing tools and
 * depth sensors produce: pixel centres aligned ("bicubic"/"area"). A model
 * trained on the other family ("subsample", SVLRM) gets a warning. */
#include "cli.h"

#include <string.h>

/* "subsample" is corner-aligned; "bicubic" and "area" are centre-aligned. */
static int corner_aligned(const char *degradation)
{
    return !strcmp(degradation, "subsample");
}

static const char *describe(const char *degradation, int s, char *buf, size_t len)
{
    if (corner_aligned(degradation))
        snprintf(buf, len, "corner-sampled low-resolution input (every %dth pixel from %d, gt[%d::%d, %d::%d])", s,
                 s - 1, s - 1, s, s - 1, s);
    else if (!strcmp(degradation, "area"))
        snprintf(buf, len, "area-averaged low-resolution input (pixel centres aligned)");
    else
        snprintf(buf, len, "bicubic-downsampled low-resolution input (PIL's antialiased bicubic, pixel "
                 "centres aligned)");
    return buf;
}

int cli_check_conventions(const char *model, const jf_model_info *info, int gw, int gh, int tw, int th,
                          int scale, const char *degradation, int force)
{
    int low = tw < gw || th < gh;
    /* sizes that do not fit --scale: the library's size check says so, first */
    if (low && scale && (tw * scale != gw || th * scale != gh)) return 0;
    int ratio = low && tw > 0 && th > 0 && gw % tw == 0 && gh % th == 0 && gw / tw == gh / th ? gw / tw : 0;
    int asked = scale ? scale : ratio;
    if (info->scale > 0 && !force) {
        if (low && !scale && !ratio) {
            fprintf(stderr,
                    "jfilter: the %dx%d target is no integer upsampling of the %dx%d guide, and %s was "
                    "trained for x%d (a %dx%d target); --force runs it anyway\n",
                    tw, th, gw, gh, model, info->scale, gw / info->scale, gh / info->scale);
            return -1;
        }
        if (asked && asked != info->scale) {
            fprintf(stderr,
                    "jfilter: the run asks for x%d upsampling (%s), but %s was trained for x%d: use a x%d "
                    "model, or --force to run it anyway\n",
                    asked, scale ? "--scale" : "the target's size under the guide's", model, info->scale, asked);
            return -1;
        }
    }
    if (!low || !info->degradation[0] || force) return 0;
    const char *input = degradation ? degradation : "bicubic";
    if (corner_aligned(input) == corner_aligned(info->degradation)) return 0;
    int s = asked ? asked : info->scale;
    char want[160], have[160];
    describe(info->degradation, s, want, sizeof want);
    describe(input, s, have, sizeof have);
    fprintf(stderr,
            "jfilter: warning: %s was trained on %s ('degradation: %s'), but this target is %s %s (%s): "
            "the result comes out shifted by %.1f pixels and may be worse than bicubic. %s, or --force to "
            "silence this warning.\n",
            model, want, info->degradation, degradation ? "declared" : "taken to be", have,
            degradation ? "--degradation" : "the default; --degradation says otherwise", (s - 1) / 2.0,
            corner_aligned(info->degradation)
                ? "Use an FDKN or DKN model, pass --degradation subsample if the target was corner-sampled"
                : "Use an SVLRM model for corner-sampled input");
    return 0;
}
