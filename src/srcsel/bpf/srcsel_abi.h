/* The layout shared by the BPF programs (srcsel.bpf.c) and vipad's loader: C, so that both
 * compilers see the same structs. Addresses are in network byte order, as in the kernel. */
#ifndef VIPA_SRCSEL_ABI_H
#define VIPA_SRCSEL_ABI_H

#include <linux/types.h>

#define SRCSEL_MAX_RULES 256
/* Cgroup levels walked from the task's own cgroup towards the root (deepest rule wins). */
#define SRCSEL_MAX_DEPTH 24

#define SRCSEL_HAS4 1u
#define SRCSEL_HAS6 2u

/* rules: cgroup id -> the source to bind. */
struct srcsel_rule {
  __u32 addr4;
  __u32 addr6[4];
  __u32 index; /* into counters; the [[source]] rule's position */
  __u32 flags; /* SRCSEL_HAS4 | SRCSEL_HAS6 */
};

/* counters[index]: what each rule did. */
struct srcsel_counter {
  __u64 connects;  /* connect() of a socket not bound before: bound to the VIPA */
  __u64 datagrams; /* unconnected sendmsg() given the VIPA as source */
};

/* settings[0] */
struct srcsel_settings {
  __u64 netns_cookie; /* only sockets of vipad's own network namespace are touched */
};

#endif
