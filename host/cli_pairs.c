/* cli_pairs.c - the pairs of a batch `jfilter run`: two glob(3) patterns
 * matched by file stem, or a CSV list, and the output name of each pair.
 *
 * The rule is the Python package's (python/jfilter/_batch.py, match_pairs
 * and make_pairs), so a folder gives the same pairs and file names from
 * either: a file's key is its stem (the name less its last extension, as
 * pathlib's Path.stem: "a.b.png" -> "a.b", ".png" stays) with the side's
 * suffix stripped from the end when it ends so; pairs come in the order of
 * their keys; an output is output_dir/<target stem><suffix>. The Python
 * function raises for a file without a partner; the program reports each and
 * runs the pairs it has. */
#include "cli_batch.h"

#include "io/io.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* The stem of a path: its last component less the last extension, the way
 * PurePath.suffix finds it (a dot that is neither first nor last). */
static char *stem_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t n = strlen(name);
    const char *dot = strrchr(name, '.');
    if (dot && dot > name && (size_t)(dot - name) < n - 1) n = (size_t)(dot - name);
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, name, n);
    s[n] = '\0';
    return s;
}

/* The matching key: the stem less suffix when it ends so. */
static char *key_of(const char *path, const char *suffix)
{
    char *s = stem_of(path);
    size_t n = s ? strlen(s) : 0, k = suffix ? strlen(suffix) : 0;
    if (s && k && n >= k && !strcmp(s + n - k, suffix)) s[n - k] = '\0';
    return s;
}

/* The output of a pair without one given: output_dir/<target stem><suffix>. */
static char *output_for(const char *target, const cli_pairing *p)
{
    const char *suffix = p->output_suffix;
    if (!suffix) {
        /* by the target's kind: float files (.npy, .pfm) stay float */
        jf_file_format f = jf_file_format_from_name(target);
        suffix = f == JF_FILE_NPY || f == JF_FILE_PFM ? ".npy" : ".png";
    }
    char *stem = stem_of(target);
    if (!stem) return NULL;
    size_t d = strlen(p->output_dir), n = d + strlen(stem) + strlen(suffix) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s%s%s", p->output_dir, d && p->output_dir[d - 1] == '/' ? "" : "/", stem, suffix);
    free(stem);
    return out;
}

static int add_job(cli_jobs *jobs, const char *guide, const char *target, const char *output,
                   const cli_pairing *p)
{
    if (jobs->n == jobs->cap) {
        int cap = jobs->cap ? 2 * jobs->cap : 64;
        cli_job *v = realloc(jobs->v, (size_t)cap * sizeof *v);
        if (!v) goto oom;
        jobs->v = v;
        jobs->cap = cap;
    }
    cli_job *j = &jobs->v[jobs->n];
    j->guide = dup_str(guide);
    j->target = dup_str(target);
    j->output = output && *output ? dup_str(output) : output_for(target, p);
    if (!j->guide || !j->target || !j->output) {
        free(j->guide);
        free(j->target);
        free(j->output);
        goto oom;
    }
    jobs->n++;
    return 0;
oom:
    fprintf(stderr, "jfilter: out of memory listing the pairs\n");
    return -1;
}

void cli_jobs_free(cli_jobs *jobs)
{
    for (int i = 0; i < jobs->n; i++) {
        free(jobs->v[i].guide);
        free(jobs->v[i].target);
        free(jobs->v[i].output);
    }
    free(jobs->v);
    memset(jobs, 0, sizeof *jobs);
}

/* --- globs matched by key */

typedef struct keyed {
    char *key;
    const char *path;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

static void free_keyed(keyed *k, size_t n)
{
    for (size_t i = 0; k && i < n; i++) free(k[i].key);
    free(k);
}

/* The files of one pattern, keyed and sorted by key; two with one key fail. */
static keyed *index_files(const glob_t *g, const char *suffix, const char *what)
{
    keyed *k = calloc(g->gl_pathc ? g->gl_pathc : 1, sizeof *k);
    if (!k) return NULL;
    for (size_t i = 0; i < g->gl_pathc; i++) {
        k[i].path = g->gl_pathv[i];
        if (!(k[i].key = key_of(g->gl_pathv[i], suffix))) {
            free_keyed(k, i);
            return NULL;
        }
    }
    qsort(k, g->gl_pathc, sizeof *k, cmp_keyed);
    for (size_t i = 1; i < g->gl_pathc; i++)
        if (!strcmp(k[i - 1].key, k[i].key)) {
            fprintf(stderr, "jfilter: two %s files match the name '%s': %s and %s (--%s-suffix strips a "
                    "suffix before matching)\n", what, k[i].key, k[i - 1].path, k[i].path, what);
            free_keyed(k, g->gl_pathc);
            return NULL;
        }
    return k;
}

static int expand(const char *pattern, const char *what, glob_t *g)
{
    int r = glob(pattern, 0, NULL, g);
    if (r == 0) return 0;
    if (r == GLOB_NOMATCH)
        fprintf(stderr, "jfilter: no %s files match '%s'\n", what, pattern);
    else
        fprintf(stderr, "jfilter: cannot list the %s files '%s'%s\n", what, pattern,
                r == GLOB_NOSPACE ? ": out of memory" : ": a folder cannot be read");
    return -1;
}

int cli_pairs_from_globs(const char *guide_glob, const char *target_glob, const cli_pairing *p,
                         cli_jobs *jobs)
{
    glob_t gg = {0}, tg = {0};
    keyed *gk = NULL, *tk = NULL;
    int rc = -1;
    if (expand(guide_glob, "guide", &gg)) return -1;
    if (expand(target_glob, "target", &tg)) goto done;
    if (!(gk = index_files(&gg, p->guide_suffix, "guide")) || !(tk = index_files(&tg, p->target_suffix, "target")))
        goto done;
    /* a merge of the two sorted lists: equal keys pair, the rest are alone */
    size_t i = 0, j = 0;
    while (i < gg.gl_pathc || j < tg.gl_pathc) {
        int c = i == gg.gl_pathc ? 1 : j == tg.gl_pathc ? -1 : strcmp(gk[i].key, tk[j].key);
        if (c == 0) {
            if (add_job(jobs, gk[i].path, tk[j].path, NULL, p)) goto done;
            i++, j++;
        } else {
            const char *path = c < 0 ? gk[i++].path : tk[j++].path;
            fprintf(stderr, "jfilter: %s %s has no partner\n", c < 0 ? "guide" : "target", path);
            jobs->unmatched++;
        }
    }
    if (!jobs->n) {
        fprintf(stderr, "jfilter: no guide of '%s' pairs with a target of '%s' (the rule: the same stem "
                "once --guide-suffix and --target-suffix are stripped)\n", guide_glob, target_glob);
        goto done;
    }
    rc = 0;
done:
    free_keyed(gk, gg.gl_pathc);
    free_keyed(tk, tg.gl_pathc);
    globfree(&gg);
    globfree(&tg);
    return rc;
}

/* --- a CSV list */

/* Splits one CSV line in place into at most max fields; "quoted" fields keep
 * commas, "" is a quote; spaces around an unquoted field go. Returns the
 * count, or -1 for an unclosed quote. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *r = line;
    for (;;) {
        while (*r == ' ' || *r == '\t') r++;
        char *start = r, *w = r;
        if (*r == '"') {
            start = w = ++r;
            for (;;) {
                if (!*r) return -1;
                if (*r == '"' && r[1] == '"') *w++ = '"', r += 2;
                else if (*r == '"') break;
                else *w++ = *r++;
            }
            r++;
            while (*r == ' ' || *r == '\t') r++;
        } else {
            while (*r && *r != ',') r++;
            w = r;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
        }
        char end = *r;
        *w = '\0';
        if (n < max) fields[n] = start;
        n++;
        if (end != ',') return n;
        r++;
    }
}

int cli_pairs_from_csv(const char *csv_path, const cli_pairing *p, cli_jobs *jobs)
{
    FILE *f = fopen(csv_path, "r");
    if (!f) {
        perror(csv_path);
        fprintf(stderr, "jfilter: the pair list %s cannot be read\n", csv_path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int rc = -1, lineno = 0, rows = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        if (!*s || *s == '#') continue;
        char *field[3];
        int n = split_csv(s, field, 3);
        if (n < 2 || n > 3 || !*field[0] || !*field[1]) {
            fprintf(stderr, "jfilter: %s line %d: a row is guide,target or guide,target,output%s\n", csv_path,
                    lineno, n < 0 ? " (a quote is not closed)" : "");
            goto done;
        }
        if (!rows++ && !strcasecmp(field[0], "guide") && !strcasecmp(field[1], "target")) continue;
        if ((n < 3 || !*field[2]) && !p->output_dir) {
            fprintf(stderr, "jfilter: %s line %d names no output: give --output-dir, or a third column\n",
                    csv_path, lineno);
            goto done;
        }
        if (add_job(jobs, field[0], field[1], n == 3 ? field[2] : NULL, p)) goto done;
    }
    if (ferror(f)) {
        fprintf(stderr, "jfilter: reading the pair list %s failed\n", csv_path);
        goto done;
    }
    if (!jobs->n) {
        fprintf(stderr, "jfilter: the pair list %s holds no pairs\n", csv_path);
        goto done;
    }
    rc = 0;
done:
    free(line);
    fclose(f);
    return rc;
}

static int cmp_output(const void *a, const void *b)
{
    return strcmp((*(const cli_job *const *)a)->output, (*(const cli_job *const *)b)->output);
}

int cli_pairs_check_outputs(const cli_jobs *jobs)
{
    const cli_job **v = malloc((size_t)(jobs->n ? jobs->n : 1) * sizeof *v);
    if (!v) {
        fprintf(stderr, "jfilter: out of memory listing the pairs\n");
        return -1;
    }
    for (int i = 0; i < jobs->n; i++) v[i] = &jobs->v[i];
    qsort(v, (size_t)jobs->n, sizeof *v, cmp_output);
    int rc = 0;
    for (int i = 1; i < jobs->n && !rc; i++)
        if (!strcmp(v[i - 1]->output, v[i]->output)) {
            fprintf(stderr, "jfilter: %s and %s would both write %s\n", v[i - 1]->target, v[i]->target,
                    v[i]->output);
            rc = -1;
        }
    free(v);
    return rc;
}
