/* npy.h - NumPy .npy files (format 1.0/2.0/3.0): read into float32, write
 * float32. Little-endian f4, f8, u1, u2 are read; C and Fortran order. */
#ifndef JF_NPY_H
#define JF_NPY_H

#include "jfilter.h"

#include <stddef.h>
#include <stdint.h>

#define JF_NPY_MAX_DIMS 4

/* The dtype a file held (its values are in data either way). */
typedef enum jf_npy_dtype { JF_NPY_F32 = 0, JF_NPY_F64, JF_NPY_U8, JF_NPY_U16 } jf_npy_dtype;

typedef struct jf_npy {
    int ndim;
    int64_t shape[JF_NPY_MAX_DIMS];
    float *data;       /* C order, owned */
    jf_npy_dtype dtype;
} jf_npy;

/* Reads an .npy file, converting to float32 in C order (Fortran-order arrays are
 * transposed). Errors name the file and field: JF_ERR_BAD_FORMAT, JF_ERR_IO,
 * JF_ERR_UNSUPPORTED (other dtypes, more than 4 dims). */
jf_status jf_npy_read(const char *path, jf_npy *out, char *err, size_t errlen);
/* Decodes .npy bytes held in memory (borrowed for the call), same rules;
 * `what` names the source in messages (NULL: "NPY data"). jf_npy_read reads
 * the file and calls this. */
jf_status jf_npy_read_memory(const void *data, size_t size, const char *what, jf_npy *out,
                             char *err, size_t errlen);
/* Writes a float32 C-order array (format 1.0) atomically (temp file + rename). */
jf_status jf_npy_write(const char *path, const float *data, int ndim, const int64_t *shape,
                       char *err, size_t errlen);
void jf_npy_free(jf_npy *a);

#endif
