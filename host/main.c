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
            "              jfilter smooth --model fang_rtv --lambda 0.01 --input photo.jpg --output flat.png\n"
            "  bench     time a model on synthetic input; prints one JSON object per line\n"
            "  tune      measure each layer's fastest convolution path on a device, once\n"
            "  guided    guided filter (fast variant with --fast S), gray or colour guide\n"
            "  jbf       joint bilateral filter (as cv2.ximgproc.jointBilateralFilter)\n"
            "  jbu       joint bilateral upsampling of a low-resolution target\n"
            "  bicubic   bicubic resize, PIL or OpenCV convention\n"
            "  bench-filters  time the classical filters; prints one JSON object per line\n"
            "  colorize  draw a depth map as a colour picture (turbo or viridis)\n"
            "  version   print the version\n"
            "  help      print this overview, or with a command its options\n"
            "\n"
            "Run 'jfilter help <command>' (or 'jfilter <command> --help') for a command's\n"
            "options. Every option takes its value as '--name value' or '--name=value';\n"
            "the common ones have short forms: -m --model, -g --guide, -t --target,\n"
            "-o --output, -d --device, -q --quiet ('-o out.png' or '-oout.png'), and '--'\n"
            "ends the options. Exit status: 0 done, 1 failed, 2 a usage error.\n"
            "\n"
            "Environment:\n"
            "  JF_DEVICE        the device: index, cpu, gpu or a name substring\n"
            "  JF_CACHE_DIR     the compiled-kernel cache (default ~/.cache/jfilter, except on\n"
            "                   PoCL, which caches its own builds; off: none)\n"
            "  JF_BUILD_OPTIONS extra OpenCL build options\n"
            "  JF_KERNEL_DIR    a cl/ folder to load the kernels from (kernel development)\n"
            "  JF_WEIGHTS_DIR   where model names are looked up first (then the installed\n"
            "                   share/jfilter/weights, then the source tree's weights/)\n"
            "  JF_CONV          gemm, direct or winograd: the convolution path of every\n"
            "                   layer (default on CPUs: Winograd for square stride-1\n"
            "                   kernels 2x2 to 9x9, a pointwise kernel for 1x1, direct\n"
            "                   for the rest; GPUs: gemm); auto:\n"
            "                   each layer shape's fastest, measured once per device\n"
            "                   (kept in the JF_CACHE_DIR folder)\n"
            "  JF_TUNE          a row of the tuned-parameter table (cpu, nvidia, amd, intel,\n"
            "                   default)\n"
            "  JF_PROFILE       1: per-op timings on stderr\n"
            "  JF_MAX_PIXELS    the largest image read, in pixels (default 100000000)\n"
            "  JF_FAULT_INJECT  SITE:N fails the Nth device-alloc, enqueue, build or\n"
            "                   host-alloc call, as a real failure would (for tests)\n",
            jf_version());
}

typedef int (*command_fn)(int argc, char **argv);
static const struct {
    const char *name;
    command_fn run;
} commands[] = {{"devices", cmd_devices}, {"run", cmd_run},       {"smooth", cmd_smooth},
                {"bench", cmd_bench},     {"guided", cmd_guided}, {"jbf", cmd_jbf},
                {"jbu", cmd_jbu},         {"bicubic", cmd_bicubic}, {"bench-filters", cmd_bench_filters},
                {"colorize", cmd_colorize}, {"tune", cmd_tune}};

static command_fn find_command(const char *name)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(commands[k].name, name)) return commands[k].run;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || (!strcmp(cmd, "help") && argc == 2)) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("jfilter %s\n", jf_version());
        return 0;
    }
    if (!strcmp(cmd, "help")) { /* jfilter help CMD: CMD's own help */
        if (!strcmp(argv[2], "help") || !strcmp(argv[2], "version")) {
            usage(stdout);
            return 0;
        }
        command_fn run = find_command(argv[2]);
        if (!run || argc > 3) {
            fprintf(stderr, "jfilter help: %s '%s'; the commands are listed by jfilter --help\n",
                    run ? "one command at a time, not" : "unknown command", argv[run ? 3 : 2]);
            return 2;
        }
        char *help_argv[] = {argv[2], "--help", NULL};
        return run(2, help_argv);
    }
    command_fn run = find_command(cmd);
    if (run) return run(argc - 1, argv + 1);
    fprintf(stderr, "jfilter: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
