/* jf_fixtures.h - test fixtures that need files: converting the published
 * checkpoints in ../shared/conformance with tools/convert_checkpoint.py (once
 * per build tree), loading models, and reading PNG/NPY inputs into host images. */
#ifndef JF_FIXTURES_H
#define JF_FIXTURES_H

#include "jfilter.h"
#include "io/npy.h"

/* Converts ../shared/conformance/<rel> with the given converter arguments into
 * <build>/fixtures/<name>.safetensors unless it exists; returns its path
 * (static buffer), with the Python CMake chose (JF_PYTHON). Fails the test
 * when ../shared or that Python is missing. */
const char *jft_converted_model(const char *rel, const char *name, const char *args);

/* Loads a model file on ctx; fails the test with the library's message. */
jf_model *jft_load_model(jf_context *ctx, const char *path);

/* Reads a PNG into a jf_image whose pixels the caller frees with free(img->data). */
void jft_read_png(const char *path, jf_image *img);
/* A w x h view of img from (x, y): the same pixels, through its stride. */
jf_image jft_crop(const jf_image *img, int x, int y, int w, int h);
/* Reads an .npy (float32) and fails the test on error. */
void jft_read_npy(const char *path, jf_npy *out);

#endif
