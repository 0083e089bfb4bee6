/* cmd_devices.c - `jfilter devices`: every OpenCL device with the index that
 * --device and JF_DEVICE accept, and which one would be chosen by default. */
#include "cli.h"

#include <string.h>

int cmd_devices(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: jfilter devices\n\n"
                   "Lists the OpenCL devices over all platforms. Choose one for `run` and `bench`\n"
                   "with --device INDEX|cpu|gpu|NAME (a case-insensitive substring of the device,\n"
                   "vendor or platform name) or the JF_DEVICE environment variable. Without a\n"
                   "choice jfilter takes the default marked with '*' (a GPU first).\n");
            return 0;
        }
        if (!strcmp(argv[i], "--")) {
            if (cli_operands(argc, argv, i, "devices")) return 2;
            break;
        }
        fprintf(stderr, "jfilter devices: unknown option '%s'\n", argv[i]);
        return 2;
    }
    int n = 0;
    if (jf_device_count(&n) != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", jf_last_error(NULL));
        return 1;
    }
    if (n == 0) {
        fprintf(stderr, "jfilter: no OpenCL device found. Install a driver; for the CPU the Debian "
                        "package pocl-opencl-icd.\n");
        return 1;
    }
    jf_context *ctx = NULL;
    int chosen = -1;
    if (jf_context_create(&ctx, NULL) == JF_OK) chosen = jf_context_device(ctx)->index;
    jf_context_destroy(ctx);
    for (int i = 0; i < n; i++) {
        jf_device_info in;
        if (jf_device_get_info(i, &in) != JF_OK) continue;
        printf("%c %d: %s [%s] %s, %u compute units, %.0f MiB, %s, driver %s\n", i == chosen ? '*' : ' ',
               i, in.name, in.is_gpu ? "gpu" : in.is_cpu ? "cpu" : "other", in.platform,
               in.compute_units, in.global_mem_bytes / 1048576.0, in.version, in.driver_version);
    }
    return 0;
}
