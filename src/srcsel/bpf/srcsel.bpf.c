// SPDX-License-Identifier: GPL-2.0-only
/* Source VIPA per application (z/OS SRCIP JOBNAME): cgroup sock_addr programs that give a
 * socket the configured VIPA as its source before the kernel picks one from the route.
 *
 * connect4/connect6 call bpf_bind() (Linux 4.17+) on a socket that is not bound to an address
 * yet: an explicit bind() always wins, as on z/OS. sendmsg4/sendmsg6 set the source of an
 * unconnected datagram the same way (bpf_bind is not allowed there; msg_src_ip* is).
 * The rule is looked up by the task's cgroup and then each ancestor, deepest first, so the
 * deepest configured cgroup wins whichever attachment runs first. */
/* The kernel's types (linux/bpf.h) must come before libbpf's helpers. */
// clang-format off
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
// clang-format on

#include "srcsel_abi.h"

/* <sys/socket.h> is not for the BPF target. */
#define AF_INET 2
#define AF_INET6 10

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, SRCSEL_MAX_RULES);
  __type(key, __u64);
  __type(value, struct srcsel_rule);
} rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SRCSEL_MAX_RULES);
  __type(key, __u32);
  __type(value, struct srcsel_counter);
} counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct srcsel_settings);
} settings SEC(".maps");

static __always_inline int our_netns(struct bpf_sock_addr* ctx) {
  __u32 zero = 0;
  struct srcsel_settings* s = bpf_map_lookup_elem(&settings, &zero);
  return s && s->netns_cookie && s->netns_cookie == bpf_get_netns_cookie(ctx);
}

static __always_inline struct srcsel_rule* find_rule(void) {
  for (int level = SRCSEL_MAX_DEPTH; level >= 0; level--) {
    __u64 id = bpf_get_current_ancestor_cgroup_id(level);
    if (!id) continue;
    struct srcsel_rule* r = bpf_map_lookup_elem(&rules, &id);
    if (r) return r;
  }
  return 0;
}

static __always_inline void count(struct srcsel_rule* r, int datagram) {
  __u32 i = r->index;
  struct srcsel_counter* c = bpf_map_lookup_elem(&counters, &i);
  if (!c) return;
  if (datagram)
    __sync_fetch_and_add(&c->datagrams, 1);
  else
    __sync_fetch_and_add(&c->connects, 1);
}

/* Destinations that must keep the kernel's choice: loopback (a VIPA source there is a martian
 * on lo), the unspecified address. */
static __always_inline int skip_dst4(__u32 dst) {
  __u32 host = bpf_ntohl(dst);
  return host == 0 || (host >> 24) == 127;
}

/* ::, ::1, v4-mapped (handled as IPv4 by the kernel), link-local fe80::/10 (needs a link-local
 * source). */
static __always_inline int skip_dst6(const __u32* d) {
  __u32 w0 = bpf_ntohl(d[0]);
  if ((w0 & 0xffc00000) == 0xfe800000) return 1;
  if (w0 == 0 && d[1] == 0) {
    if (d[2] == bpf_htonl(0xffff)) return 1;
    if (d[2] == 0 && (d[3] == 0 || d[3] == bpf_htonl(1))) return 1;
  }
  return 0;
}

SEC("cgroup/connect4")
int srcsel_connect4(struct bpf_sock_addr* ctx) {
  struct bpf_sock* sk = ctx->sk;
  if (!sk || sk->src_ip4 || skip_dst4(ctx->user_ip4) || !our_netns(ctx)) return 1;
  struct srcsel_rule* r = find_rule();
  if (!r || !(r->flags & SRCSEL_HAS4)) return 1;
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = r->addr4;
  /* Fails (and the kernel's choice stands) when the socket already holds a port, or the
   * address is gone; the connection itself goes on either way. */
  if (bpf_bind(ctx, (struct sockaddr*)&sa, sizeof(sa)) == 0) count(r, 0);
  return 1;
}

SEC("cgroup/connect6")
int srcsel_connect6(struct bpf_sock_addr* ctx) {
  struct bpf_sock* sk = ctx->sk;
  if (!sk || sk->src_ip6[0] || sk->src_ip6[1] || sk->src_ip6[2] || sk->src_ip6[3]) return 1;
  __u32 dst[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
  if (skip_dst6(dst) || !our_netns(ctx)) return 1;
  struct srcsel_rule* r = find_rule();
  if (!r || !(r->flags & SRCSEL_HAS6)) return 1;
  struct sockaddr_in6 sa = {};
  sa.sin6_family = AF_INET6;
  sa.sin6_addr.in6_u.u6_addr32[0] = r->addr6[0];
  sa.sin6_addr.in6_u.u6_addr32[1] = r->addr6[1];
  sa.sin6_addr.in6_u.u6_addr32[2] = r->addr6[2];
  sa.sin6_addr.in6_u.u6_addr32[3] = r->addr6[3];
  if (bpf_bind(ctx, (struct sockaddr*)&sa, sizeof(sa)) == 0) count(r, 0);
  return 1;
}

SEC("cgroup/sendmsg4")
int srcsel_sendmsg4(struct bpf_sock_addr* ctx) {
  struct bpf_sock* sk = ctx->sk;
  if (!sk || sk->src_ip4 || ctx->msg_src_ip4 || skip_dst4(ctx->user_ip4) || !our_netns(ctx))
    return 1;
  struct srcsel_rule* r = find_rule();
  if (!r || !(r->flags & SRCSEL_HAS4)) return 1;
  ctx->msg_src_ip4 = r->addr4;
  count(r, 1);
  return 1;
}

SEC("cgroup/sendmsg6")
int srcsel_sendmsg6(struct bpf_sock_addr* ctx) {
  struct bpf_sock* sk = ctx->sk;
  if (!sk || sk->src_ip6[0] || sk->src_ip6[1] || sk->src_ip6[2] || sk->src_ip6[3]) return 1;
  if (ctx->msg_src_ip6[0] || ctx->msg_src_ip6[1] || ctx->msg_src_ip6[2] || ctx->msg_src_ip6[3])
    return 1;
  __u32 dst[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
  if (skip_dst6(dst) || !our_netns(ctx)) return 1;
  struct srcsel_rule* r = find_rule();
  if (!r || !(r->flags & SRCSEL_HAS6)) return 1;
  ctx->msg_src_ip6[0] = r->addr6[0];
  ctx->msg_src_ip6[1] = r->addr6[1];
  ctx->msg_src_ip6[2] = r->addr6[2];
  ctx->msg_src_ip6[3] = r->addr6[3];
  count(r, 1);
  return 1;
}
