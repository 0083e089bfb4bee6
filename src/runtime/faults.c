/* faults.c - the fault-injection hook (see faults.h): per-site call counters,
 * the armed call, JF_FAULT_INJECT read once, the live-object counts and the
 * device bytes held (jf_device_memory_stats). The
 * counters are atomic because contexts may run in several threads at once. */
#include "jfilter.h"
#include "runtime/faults.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_long jf_calls[JF_FAULT_SITES];
static atomic_long jf_armed[JF_FAULT_SITES]; /* 0: disarmed; else the call number that fails */
static atomic_long jf_live[JF_LIVE_KINDS];
static atomic_int jf_env_state; /* 0: JF_FAULT_INJECT not read yet, 1: reading, 2: read */

static const char *const jf_site_names[JF_FAULT_SITES] = {"device-alloc", "enqueue", "build", "host-alloc"};

const char *jf_fault_site_name(jf_fault_site site)
{
    return site >= 0 && site < JF_FAULT_SITES ? jf_site_names[site] : "?";
}

/* JF_FAULT_INJECT=SITE:N arms one site for the whole process (the CLI's fault walk). */
static void jf_fault_read_env(void)
{
    int expect = 0;
    if (!atomic_compare_exchange_strong(&jf_env_state, &expect, 1)) return;
    const char *v = getenv("JF_FAULT_INJECT");
    if (v && *v) {
        for (int s = 0; s < JF_FAULT_SITES; s++) {
            size_t n = strlen(jf_site_names[s]);
            long at = 0;
            if (!strncmp(v, jf_site_names[s], n) && v[n] == ':' && sscanf(v + n + 1, "%ld", &at) == 1 && at > 0)
                atomic_store(&jf_armed[s], at);
        }
    }
    atomic_store(&jf_env_state, 2);
}

int jf_fault_hit(jf_fault_site site)
{
    if (atomic_load(&jf_env_state) != 2) jf_fault_read_env();
    long n = atomic_fetch_add(&jf_calls[site], 1) + 1;
    long armed = atomic_load(&jf_armed[site]);
    return armed && n == armed;
}

void jf_fault_arm(jf_fault_site site, long n)
{
    if (atomic_load(&jf_env_state) != 2) jf_fault_read_env();
    atomic_store(&jf_calls[site], 0);
    atomic_store(&jf_armed[site], n);
}

long jf_fault_calls(jf_fault_site site) { return atomic_load(&jf_calls[site]); }

void jf_fault_reset(void)
{
    for (int s = 0; s < JF_FAULT_SITES; s++) jf_fault_arm((jf_fault_site)s, 0);
}

void jf_live_add(jf_live_kind kind, int delta) { atomic_fetch_add(&jf_live[kind], delta); }

long jf_live_count(jf_live_kind kind) { return atomic_load(&jf_live[kind]); }

static atomic_llong jf_bytes_now, jf_bytes_peak;

void jf_live_bytes_add(long long delta)
{
    long long now = atomic_fetch_add(&jf_bytes_now, delta) + delta;
    long long peak = atomic_load(&jf_bytes_peak);
    while (now > peak && !atomic_compare_exchange_weak(&jf_bytes_peak, &peak, now)) {
    }
}

jf_status jf_device_memory_stats(size_t *in_use, size_t *peak, int reset_peak)
{
    long long now = atomic_load(&jf_bytes_now);
    if (in_use) *in_use = now > 0 ? (size_t)now : 0;
    if (peak) {
        long long p = atomic_load(&jf_bytes_peak);
        *peak = p > 0 ? (size_t)p : 0;
    }
    if (reset_peak) atomic_store(&jf_bytes_peak, now);
    return JF_OK;
}

void *jf_malloc(size_t bytes) { return jf_fault_hit(JF_FAULT_HOST_ALLOC) ? NULL : malloc(bytes); }
void *jf_calloc(size_t n, size_t size) { return jf_fault_hit(JF_FAULT_HOST_ALLOC) ? NULL : calloc(n, size); }
void *jf_realloc(void *p, size_t bytes) { return jf_fault_hit(JF_FAULT_HOST_ALLOC) ? NULL : realloc(p, bytes); }
