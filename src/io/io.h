/* io.h - the internal file formats the `jfilter` program may use, and why.
 *
 * The public API (include/jfilter.h) takes images in memory (jf_image) and
 * reads model files itself; it reads and writes no image files, so that an
 * application keeps its own codecs. The CLI has to read and write PNG and
 * .npy files and uses the library's own readers and writers for that rather
 * than a second copy: src/io is built once as the small static library
 * jfilter_io, linked into libjfilter (its symbols hidden there) and into the
 * CLI, which reaches everything else through the shared libjfilter's public
 * API only.
 *
 * The CLI may use: image_file.h (jf_file_image_read, jf_file_image_write:
 * PNG, JPEG, TIFF, PFM and NPY through one reader and one writer, which is
 * what it reads and writes every image file with), png_io.h (jf_png_read,
 * jf_png_write, jf_png_free) and npy.h (jf_npy_read, jf_npy_write, jf_npy_free). They touch no OpenCL and
 * no jf_context: errors come back as a jf_status with the message in the
 * caller's buffer. The rest of src/io is the library's: safetensors.h reads
 * model files (the CLI loads models through jf_model_load) and
 * atomic_file.h is the writers' temporary-file-and-rename helper. */
#ifndef JF_IO_H
#define JF_IO_H

#include "io/image_file.h"
#include "io/npy.h"
#include "io/png_io.h"

#endif
