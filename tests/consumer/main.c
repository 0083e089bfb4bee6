/* main.c - the consumer application: links the installed library, lists the
 * devices and prints the version, so the install test can check both. */
#include <jfilter.h>
#include <stdio.h>

int main(void)
{
    int n = 0;
    if (jf_device_count(&n) != JF_OK) return 1;
    printf("jfilter %s, %d device(s)\n", jf_version(), n);
    return JF_VERSION_MAJOR == 0 ? 0 : 1;
}
