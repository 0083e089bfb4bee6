/* clock.c - the monotonic millisecond clock behind program build times and
 * the per-op profile (declared in runtime.h). */
#include "runtime/runtime.h"

#include <time.h>

double jf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
