/* output.c - the one check the classical filters' public entry points share
 * beyond the image bridge (image.h): that the output image can receive the
 * filtered planes. */
#include "filters/filters.h"

jf_status jf_filters_check_output(jf_context *ctx, const jf_image *output, int width, int height,
                                  int planes, const char *what)
{
    jf_status st = jf_image_validate(ctx, output, "output");
    if (st != JF_OK) return st;
    if (output->width != width || output->height != height)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "%s: the output is %dx%d but must be %dx%d",
                       what, output->width, output->height, width, height);
    if ((planes == 1) != (output->channels == 1))
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "%s: the output has %d channels for a %s target (give it %s)", what,
                       output->channels, planes == 1 ? "gray" : "colour",
                       planes == 1 ? "1 channel" : "3 or 4 channels");
    return JF_OK;
}
