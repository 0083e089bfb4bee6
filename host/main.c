/* main.c - the `jfilter` program: dispatches to the subcommands and prints
 * the overview help. */
#include "cli.h"
#include "cli_filters.h"

#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "jfilter %s - learned and classical joint image filters on any OpenCL device\n"
            "\n"
            "Usage: jfilter <command> [options]\n"
            "\n"
            "Commands:\n"
            "  devices   list the OpenCL devices jfilter can use (and their indices)\n"
            "  run       filter a target image under a guide image with a learned model\n"
            "            e.g. upsample a low-resolution depth map under its colour image:\n"
            "              jfilter run --guide rgb.png --target depth_low.png --scale 8 --output depth.png\n"
            "  smooth    edge-preserving smoothing of one image with a learned smoother\n"
            "              jfilter smooth --model fang_l0 --lambda 0.01 --input photo.jpg --output flat.png\n"
            "  bench     time a model on synthetic input; prints one JSON object per line\n"
            "  guided    guided filter (fast variant with --fast S), gray or colour guide\n"
            "  jbf       joint bilateral filter (as cv2.ximgproc.jointBilateralFilter)\n"
            "  jbu       joint bilateral upsampling of a low-resolution target\n"
            "  bicubic   bicubic resize, PIL or OpenCV convention\n"
            "  bench-filters  time the classical filters; prints one JSON object per line\n"
            "  colorize  draw a depth map as a colour picture (turbo or viridis)\n"
            "  version   print the version\n"
            "\n"
            "Run 'jfilter <command> --help' for a command's options.\n"
            "Environment: JF_DEVICE picks the device (index, cpu, gpu or a name substring),\n"
            "JF_CACHE_DIR the compiled-kernel cache (off to disable), JF_BUILD_OPTIONS extra\n"
            "OpenCL build options, JF_KERNEL_DIR a cl/ folder to load kernels from,\n"
            "JF_WEIGHTS_DIR a folder of model files, JF_CONV=gemm|direct the convolution\n"
            "path, JF_TUNE a row of the tuned-parameter table (cpu, nvidia, amd, intel,\n"
            "default), JF_PROFILE=1 per-op timings on stderr.\n",
            jf_version());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("jfilter %s\n", jf_version());
        return 0;
    }
    if (!strcmp(cmd, "devices")) return cmd_devices(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "smooth")) return cmd_smooth(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "guided")) return cmd_guided(argc - 1, argv + 1);
    if (!strcmp(cmd, "jbf")) return cmd_jbf(argc - 1, argv + 1);
    if (!strcmp(cmd, "jbu")) return cmd_jbu(argc - 1, argv + 1);
    if (!strcmp(cmd, "bicubic")) return cmd_bicubic(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench-filters")) return cmd_bench_filters(argc - 1, argv + 1);
    if (!strcmp(cmd, "colorize")) return cmd_colorize(argc - 1, argv + 1);
    fprintf(stderr, "jfilter: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
