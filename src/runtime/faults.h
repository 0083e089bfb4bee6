/* faults.h - the fault-injection test hook: every device allocation, enqueue
 * and program build of the runtime (and every host allocation made through
 * jf_malloc and friends) first asks jf_fault_hit whether it should fail, so a
 * test can make the Nth one fail exactly as the real call would and check that
 * the error comes back named, nothing leaks and the context still works.
 * Disarmed (the default, and always outside tests) a site costs one atomic
 * increment. It is compiled into every build so the library tested is the one
 * shipped. Arm it from a test (jf_fault_arm) or, for a whole process such as
 * the CLI, with JF_FAULT_INJECT=SITE:N (SITE: device-alloc, enqueue, build,
 * host-alloc). Live device objects are counted for leak checks. */
#ifndef JF_FAULTS_H
#define JF_FAULTS_H

#include <stddef.h>

typedef enum jf_fault_site {
    JF_FAULT_DEVICE_ALLOC = 0, /* clCreateBuffer, clCreateSubBuffer */
    JF_FAULT_ENQUEUE,          /* kernel launches, transfers, copies, CLBlast SGEMM */
    JF_FAULT_BUILD,            /* clBuildProgram (source or cached binary), clCreateKernel */
    JF_FAULT_HOST_ALLOC,       /* jf_malloc, jf_calloc, jf_realloc */
    JF_FAULT_SITES
} jf_fault_site;

/* Counts one call at `site`; 1 when it is the armed call, which must then fail. */
int jf_fault_hit(jf_fault_site site);
/* The nth call at `site` from now fails (once); n = 0 disarms. Resets the site's count. */
void jf_fault_arm(jf_fault_site site, long n);
/* Calls counted at `site` since it was last armed or reset. */
long jf_fault_calls(jf_fault_site site);
/* Disarms every site and zeroes every count. */
void jf_fault_reset(void);
/* The site's name as JF_FAULT_INJECT spells it. */
const char *jf_fault_site_name(jf_fault_site site);

/* Live device objects (created minus released) of the runtime's own. */
typedef enum jf_live_kind { JF_LIVE_MEM = 0, JF_LIVE_PROGRAM, JF_LIVE_KERNEL, JF_LIVE_KINDS } jf_live_kind;
void jf_live_add(jf_live_kind kind, int delta);
long jf_live_count(jf_live_kind kind);
/* Bytes of device buffers held now, and the most held since the last reset (process-wide,
 * every context; host-memory wraps not counted): jf_device_memory_stats in the public API. */
void jf_live_bytes_add(long long delta);

/* Host allocation through the hook (the library's sources use these). */
void *jf_malloc(size_t bytes);
void *jf_calloc(size_t n, size_t size);
void *jf_realloc(void *p, size_t bytes);

#endif
