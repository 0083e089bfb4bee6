/* jf_fixtures.h - test fixtures that need files: converting the published
 * checkpoints in ../shared/conformance with tools/convert_checkpoint.py (once
 * per build tree), and reading PNG/NPY inputs into host images. */
#ifndef JF_FIXTURES_H
#define JF_FIXTURES_H

#include "jfilter.h"
#include "io/npy.h"

/* Converts ../shared/conformance/<rel> with the given converter arguments into
 * <build>/fixtures/<name>.safetensors unless it exists; returns its path
 * (static buffer), with the Python CMake chose (JF_PYTHON). Fails the test
 * when ../shared or that Python is missing. */
const char *jft_converted_model(const char *rel, const char *name, const char *args);

/* Reads a PNG into a jf_image whose pixels the caller frees with free(img->data). */
void jft_read_png(const char *path, jf_image *img);
/* Reads an .npy (float32) and fails the test on error. */
void jft_read_npy(const char *path, jf_npy *out);

#endif
