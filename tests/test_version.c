/* test_version.c - Check suite for the version API: jf_version_number() (the
 * library that runs) agrees with JF_VERSION_NUMBER (the header compiled
 * against) and with the jf_version() string. */
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

int main(void)
{
    return jft_run_tests("version", "version", 0,
                         JFT_TESTS(version_number_matches_header, version_string_matches_number));
}
