#include "daemon/capabilities.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace vipa {

namespace {

constexpr int kKeep[] = {CAP_NET_ADMIN, CAP_NET_RAW};
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
bool keep(int cap, bool keep_bpf) {
  for (int k : kKeep)
    if (k == cap) return true;
  return keep_bpf && cap == CAP_BPF;
}

// The kernel knows more capabilities than the headers this was built with may name.
int last_cap() {
  int last = CAP_LAST_CAP;
  if (FILE* f = std::fopen("/proc/sys/kernel/cap_last_cap", "re")) {
    int v = 0;
    if (std::fscanf(f, "%d", &v) == 1 && v > 0 && v < 64) last = v;
    std::fclose(f);
  }
  return last;
}

}  // namespace

Status drop_capabilities(bool keep_bpf) {
  // The bounding set first: dropping from it needs CAP_SETPCAP, which the capset below removes.
  for (int cap = 0; cap <= last_cap(); ++cap) {
    if (keep(cap, keep_bpf)) continue;
    int in_bset = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in_bset < 0) {
      if (errno == EINVAL) break;  // past what this kernel knows
      return Error::sys(errno, "PR_CAPBSET_READ " + std::to_string(cap));
    }
    if (in_bset == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      // An unprivileged vipad (the service's `vipa` user with ambient CAP_NET_ADMIN and
      // CAP_NET_RAW) lacks CAP_SETPCAP: its bounding set is systemd's to narrow, and nothing it
      // runs can gain what it does not have (no setuid root: NoNewPrivileges).
      if (errno == EPERM && geteuid() != 0) break;
      return Error::sys(errno, "drop capability " + std::to_string(cap) + " from bounding set");
    }
  }
  // Ambient capabilities would survive execve of a hook; none are wanted. Kernels before 4.3
  // lack them (EINVAL): nothing to clear there.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return Error::sys(errno, "clear ambient capabilities");

  // glibc has no capset wrapper; the raw syscall with the v3 (64-bit) layout.
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &hdr, data) < 0) return Error::sys(errno, "capget");
  __user_cap_data_struct next[_LINUX_CAPABILITY_U32S_3] = {};
  std::vector<int> kept(std::begin(kKeep), std::end(kKeep));
  if (keep_bpf) kept.push_back(CAP_BPF);
  for (int cap : kept) {
    unsigned word = static_cast<unsigned>(cap) / 32;
    uint32_t bit = 1u << (static_cast<unsigned>(cap) % 32);
    // Only what is already permitted can be kept; an unprivileged vipad fails later, clearly.
    if (data[word].permitted & bit) {
      next[word].permitted |= bit;
      next[word].effective |= bit;
    }
  }
  if (syscall(SYS_capset, &hdr, next) < 0) return Error::sys(errno, "capset");
  return Ok{};
}

Status join_groups(const std::vector<std::string>& names) {
  int n = getgroups(0, nullptr);
  if (n < 0) return Error::sys(errno, "getgroups");
  std::vector<gid_t> groups(static_cast<size_t>(n));
  if (n > 0 && getgroups(n, groups.data()) < 0) return Error::sys(errno, "getgroups");
  std::string added;
  for (auto& name : names) {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found) continue;
    if (found->gr_gid == getegid() ||
        std::find(groups.begin(), groups.end(), found->gr_gid) != groups.end())
      continue;
    groups.push_back(found->gr_gid);
    added += (added.empty() ? "" : ", ") + name;
  }
  if (added.empty()) return Ok{};
  if (setgroups(groups.size(), groups.data()) < 0)
    return Error::sys(errno, "join group(s) " + added);
  return Ok{};
}

}  // namespace vipa
