// Where things are: the cgroup v2 hierarchy and bpffs (probed once from /proc/self/mountinfo),
// the cgroup a systemd unit lives in, a process's cgroup and uid. Pure parsers over text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vipa::srcsel {

struct Mounts {
  std::string cgroup2;  // "/sys/fs/cgroup" (pure v2) or "/sys/fs/cgroup/unified" (hybrid); ""
  std::string bpffs;    // "/sys/fs/bpf" or another bpf mount; "" when none
};
// The cgroup2 mount: /sys/fs/cgroup first, then /sys/fs/cgroup/unified, then any other.
Mounts parse_mountinfo(std::string_view text);

// The cgroup systemd gives a unit by default, below the v2 root (systemd.slice(5)): services
// and the other unit types in system.slice, template instances in system-NAME.slice, and a
// slice nested by the dashes of its name ("a-b.slice" -> "a.slice/a-b.slice").
std::string unit_cgroup_path(std::string_view unit);

// The v2 line ("0::/path") of /proc/PID/cgroup, without the outer '/'.
std::optional<std::string> parse_proc_cgroup(std::string_view text);

// The filesystem uid from /proc/PID/status (what the kernel gives the process's sockets).
std::optional<uint32_t> parse_status_fsuid(std::string_view text);

}  // namespace vipa::srcsel
