/* cli_args.c - the option conventions every `jfilter` command shares:
 * "--name value" and "--name=value", the short aliases of the common options
 * (-m -g -t -o -d with a value, "-o out.png" or "-oout.png"; -q), "--" ending
 * the options, and usage errors that name what is missing. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void (*cli_exit)(int status) = exit;

/* One table for every command, so -o means --output wherever there is one. */
static const struct {
    const char *name;
    char alias;
} aliases[] = {{"--model", 'm'}, {"--guide", 'g'}, {"--target", 't'}, {"--output", 'o'},
               {"--device", 'd'}, {"--quiet", 'q'}};

static char alias_of(const char *name)
{
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (!strcmp(aliases[k].name, name)) return aliases[k].alias;
    return 0;
}

static int is_alias(const char *arg, const char *name)
{
    char c = alias_of(name);
    return c && arg[0] == '-' && arg[1] == c;
}

const char *cli_opt(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (is_alias(a, name)) {
        if (a[2] != '\0') return a + 2; /* -oout.png */
    } else {
        if (strncmp(a, name, n) != 0) return NULL;
        if (a[n] == '=') return a + n + 1;
        if (a[n] != '\0') return NULL;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "jfilter: option %s needs a value\n", name);
        cli_exit(2);
        return NULL; /* not reached: cli_exit does not return */
    }
    return argv[++*i];
}

int cli_flag(const char *arg, const char *name)
{
    return !strcmp(arg, name) || (is_alias(arg, name) && arg[2] == '\0');
}

int cli_operands(int argc, char **argv, int i, const char *cmd)
{
    if (i + 1 >= argc) return 0;
    fprintf(stderr, "jfilter %s: unexpected argument '%s' after -- (the command takes options only; "
            "see jfilter %s --help)\n", cmd, argv[i + 1], cmd);
    return 2;
}

int cli_require(const char *cmd, int n, const char *const names[], const char *const values[])
{
    char missing[256] = "", all[256] = "";
    int nmissing = 0, seen = 0;
    for (int k = 0; k < n; k++)
        if (!values[k]) nmissing++;
    if (!nmissing) return 0;
    for (int k = 0; k < n; k++) {
        /* "a", "a and b", "a, b and c" */
        const char *sep = k == 0 ? "" : k == n - 1 ? " and " : ", ";
        strncat(all, sep, sizeof all - strlen(all) - 1);
        strncat(all, names[k], sizeof all - strlen(all) - 1);
        if (values[k]) continue;
        sep = seen == 0 ? "" : seen == nmissing - 1 ? " and " : ", ";
        strncat(missing, sep, sizeof missing - strlen(missing) - 1);
        strncat(missing, names[k], sizeof missing - strlen(missing) - 1);
        seen++;
    }
    fprintf(stderr, "jfilter %s: missing %s (%s %s required; see jfilter %s --help)\n", cmd, missing, all,
            n == 1 ? "is" : "are", cmd);
    return 2;
}
