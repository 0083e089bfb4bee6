/* registry.c - maps a model file's "architecture" metadata to the model's
 * build and run functions. A new model adds one line here. */
#include "models/model.h"

#include <string.h>

extern const jf_model_arch jf_arch_fdkn;
extern const jf_model_arch jf_arch_svlrm;
extern const jf_model_arch jf_arch_dkn;
extern const jf_model_arch jf_arch_dagf;
extern const jf_model_arch jf_arch_fang;
extern const jf_model_arch jf_arch_fan;

static const jf_model_arch *const jf_archs[] = {&jf_arch_fdkn, &jf_arch_svlrm, &jf_arch_dkn, &jf_arch_dagf,
                                                     &jf_arch_fang, &jf_arch_fan};

const jf_model_arch *jf_find_arch(const char *name)
{
    for (size_t i = 0; i < sizeof jf_archs / sizeof jf_archs[0]; i++)
        if (name && !strcmp(jf_archs[i]->name, name)) return jf_archs[i];
    return NULL;
}
