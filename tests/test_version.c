/* test_version.c - Check suite for what the library says about itself:
 * jf_version_number() (the library that runs) agrees with JF_VERSION_NUMBER
 * (the header compiled against) and with the jf_version() string, and
 * jf_default_weights_dir() names an absolute .../jfilter/weights folder (the
 * relocated, installed case: tests/test_install.sh). */
#include "jf_test.h"

#include <stdio.h>
#include <string.h>

START_TEST(version_number_matches_header)
{
    ck_assert_int_eq(jf_version_number(), JF_VERSION_NUMBER);
    ck_assert_int_eq(JF_VERSION_NUMBER,
                     JF_VERSION_MAJOR * 10000 + JF_VERSION_MINOR * 100 + JF_VERSION_PATCH);
}
END_TEST

START_TEST(version_string_matches_number)
{
    int major = -1, minor = -1, patch = -1;
    char tail = 0;
    ck_assert_int_eq(sscanf(jf_version(), "%d.%d.%d%c", &major, &minor, &patch, &tail), 3);
    ck_assert_int_eq(major * 10000 + minor * 100 + patch, jf_version_number());
    /* two digits each for MINOR and PATCH keep the number ordered like the versions */
    ck_assert(minor >= 0 && minor < 100 && patch >= 0 && patch < 100);
}
END_TEST

START_TEST(default_weights_dir)
{
    const char *d = jf_default_weights_dir();
    ck_assert_ptr_nonnull(d);
    ck_assert_msg(d[0] == '/', "not absolute: '%s'", d);
    size_t n = strlen(d), tail = strlen("/jfilter/weights");
    ck_assert_msg(n > tail && !strcmp(d + n - tail, "/jfilter/weights"), "'%s'", d);
    ck_assert_ptr_eq(jf_default_weights_dir(), d); /* one static string */
    ck_assert_str_eq(JF_DEFAULT_MODEL, "fdkn_x8.safetensors");
}
END_TEST

int main(void)
{
    return jft_run_tests("version", "version", 0,
                         JFT_TESTS(version_number_matches_header, version_string_matches_number,
                                   default_weights_dir));
}
