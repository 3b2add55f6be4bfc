#include "srcsel/kernel/source_selector.h"

#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/read_file.h"
#include "config/sources.h"
#include "srcsel/kernel/fib_rules.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace vipa::srcsel {

namespace {

// The cgroup id the BPF helpers report: the cgroup directory's file handle (its kernfs id).
uint64_t cgroup_id_of(const std::string& path) {
  struct {
    file_handle fh;
    uint64_t id;
  } h{};
  h.fh.handle_bytes = sizeof(uint64_t);
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, path.c_str(), &h.fh, &mount_id, 0) < 0) return 0;
  uint64_t id = 0;
  std::memcpy(&id, h.fh.f_handle, sizeof id);
  return id;
}

// systemd's own answer for a unit's cgroup (its ControlGroup property), "" when it has none
// (not running) or systemd cannot be asked.
std::string ask_systemd(const std::string& unit) {
  if (access("/run/systemd/system", F_OK) != 0) return "";
  auto dot = unit.rfind('.');
  std::string type = unit.substr(dot + 1);
  type[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
  sd_bus* bus = nullptr;
  if (sd_bus_open_system(&bus) < 0) return "";
  sd_bus_set_method_call_timeout(bus, 2'000'000);
  char* path = nullptr;
  char* cg = nullptr;
  std::string out;
  if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit.c_str(), &path) >= 0 &&
      sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
                                 ("org.freedesktop.systemd1." + type).c_str(), "ControlGroup",
                                 nullptr, &cg) >= 0 &&
      cg)
    out = cg;
  free(path);
  free(cg);
  sd_bus_flush_close_unref(bus);
  while (!out.empty() && out.front() == '/') out.erase(out.begin());
  return out;
}

std::string describe(const RuleState& r) {
  return "[[source]] " + std::string(to_string(r.rule->kind)) + " " + r.rule->selector + " -> " +
         r.rule->vipa;
}

}  // namespace

uint64_t current_netns_cookie() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return 0;
  uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0) cookie = 0;
  close(s);
  return cookie;
}

std::string pin_dir_for(const Mounts& m, uint64_t netns_cookie) {
  if (m.bpffs.empty() || netns_cookie == 0) return "";
  return m.bpffs + "/vipa-" + std::to_string(netns_cookie);
}

SourceSelector::SourceSelector(sd_event* ev, Options opt, std::function<void()> resync, Log notice,
                               Log warn)
    : ev_(ev),
      opt_(std::move(opt)),
      resync_(std::move(resync)),
      notice_(std::move(notice)),
      warn_(std::move(warn)) {
  if (auto text = read_file("/proc/self/mountinfo")) mounts_ = parse_mountinfo(*text);
  cookie_ = current_netns_cookie();
  pin_dir_ = pin_dir_for(mounts_, cookie_);
  while (!opt_.unit_base.empty() && opt_.unit_base.front() == '/') opt_.unit_base.erase(0, 1);
}

SourceSelector::~SourceSelector() {
  if (ino_src_) sd_event_source_unref(ino_src_);
  if (rule_src_) sd_event_source_unref(rule_src_);
  if (inotify_ >= 0) close(inotify_);
}

Status SourceSelector::open_netlink() {
  if (nl_open_) return Ok{};
  if (Status s = req_.open({}, false); !s.ok()) return s;
  if (Status s = events_.open({RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE}, true); !s.ok()) return s;
  nl_open_ = true;
  if (ev_)
    sd_event_add_io(
        ev_, &rule_src_, events_.fd(), EPOLLIN,
        [](sd_event_source*, int, uint32_t, void* self) {
          auto* me = static_cast<SourceSelector*>(self);
          bool any = false;
          Status s = me->events_.read_events([&](const nlmsghdr*) { any = true; });
          if (any || !s.ok()) me->resync_();
          return 0;
        },
        this);
  return Ok{};
}

std::string SourceSelector::unit_path(const std::string& unit) {
  auto it = units_.find(unit);
  // A unit's cgroup, once it exists, stays where it is; until then, ask again each time.
  if (it != units_.end() && access((mounts_.cgroup2 + "/" + it->second).c_str(), F_OK) == 0)
    return it->second;
  std::string p;
  if (opt_.unit_base.empty()) p = ask_systemd(unit);
  if (p.empty()) p = (opt_.unit_base.empty() ? "" : opt_.unit_base + "/") + unit_cgroup_path(unit);
  units_[unit] = p;
  return p;
}

std::string SourceSelector::rule_path(const SourceConfig& s) {
  return s.kind == SourceKind::Unit ? unit_path(s.selector) : s.cgroup;
}

void SourceSelector::log_states(const std::vector<RuleState>& states) {
  std::map<size_t, std::string> now;
  for (auto& r : states) {
    std::string st = r.suspended;
    auto it = last_state_.find(r.index);
    if (it != last_state_.end() && it->second != st) {
      if (st.empty())
        notice_(describe(r) + ": applies again");
      else
        notice_(describe(r) + ": suspended (" + st +
                "); its sockets fall back to the interface's VIPA");
    } else if (it == last_state_.end() && !st.empty()) {
      notice_(describe(r) + ": not applied yet (" + st + ")");
    }
    now[r.index] = st;
  }
  last_state_ = std::move(now);
}

void SourceSelector::watch(const std::string& rel_path) {
  if (inotify_ < 0) {
    inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_ < 0) return;
    if (ev_)
      sd_event_add_io(
          ev_, &ino_src_, inotify_, EPOLLIN,
          [](sd_event_source*, int fd, uint32_t, void* self) {
            char buf[4096];
            while (read(fd, buf, sizeof buf) > 0) {
            }
            static_cast<SourceSelector*>(self)->resync_();
            return 0;
          },
          this);
  }
  // Every existing directory from the root down to the cgroup: a unit restart removes and
  // re-creates its cgroup (a new id), and a cgroup may appear only later.
  std::string dir = mounts_.cgroup2;
  size_t i = 0;
  while (true) {
    inotify_add_watch(inotify_, dir.c_str(),
                      IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR);
    if (i >= rel_path.size()) break;
    size_t j = rel_path.find('/', i);
    if (j == std::string::npos) j = rel_path.size();
    dir += "/" + rel_path.substr(i, j - i);
    if (access(dir.c_str(), F_OK) != 0) break;
    i = j + 1;
  }
}

void SourceSelector::sync_bpf(const std::vector<RuleState>& states) {
  rule_cgroup_.clear();
  rule_waiting_.clear();
  rule_cgid_.clear();
  bool wanted = false;
  for (auto& r : states) {
    if (r.rule->kind != SourceKind::Unit && r.rule->kind != SourceKind::Cgroup) continue;
    rule_cgroup_[r.index] = rule_path(*r.rule);
    wanted |= r.active();
  }
  if (!bpf_ && wanted && bpf_unavailable_.empty()) {
    if (mounts_.cgroup2.empty()) {
      bpf_unavailable_ = "no cgroup v2 hierarchy is mounted";
    } else if (cookie_ == 0) {
      bpf_unavailable_ = "the kernel cannot name network namespaces (SO_NETNS_COOKIE, Linux 5.14)";
    } else {
      // A vipad without root (the packaged service runs as its own user) may not write a
      // root-only bpffs: it then holds the links by descriptor alone, as without a bpffs.
      if (!pin_dir_.empty() && mkdir(pin_dir_.c_str(), 0700) < 0 && errno != EEXIST) {
        notice_("cannot pin BPF links in " + pin_dir_ + " (" + std::strerror(errno) +
                "): the source rules' BPF links are held by vipad alone");
        pin_dir_.clear();
      }
      auto b = std::make_unique<BpfPrograms>();
      Status s = b->load(pin_dir_, cookie_);
      if (s.ok()) {
        bpf_ = std::move(b);
        if (pin_dir_.empty())
          notice_("no bpffs mounted: the source rules' BPF links are held by vipad alone");
      } else {
        bpf_unavailable_ = "cgroup BPF is unavailable (" + s.error().message + ")";
      }
    }
    if (!bpf_unavailable_.empty())
      notice_(bpf_unavailable_ + ": unit and cgroup [[source]] rules are not applied");
  }
  std::map<uint64_t, srcsel_rule> want;
  std::map<uint64_t, int> fds;
  for (auto& r : states) {
    auto it = rule_cgroup_.find(r.index);
    if (it == rule_cgroup_.end()) continue;
    watch(it->second);
    if (!r.active()) continue;
    if (!bpf_) {
      rule_waiting_[r.index] = bpf_unavailable_;
      continue;
    }
    std::string abs = mounts_.cgroup2 + (it->second.empty() ? "" : "/" + it->second);
    uint64_t id = cgroup_id_of(abs);
    if (id == 0) {
      rule_waiting_[r.index] = "cgroup /" + it->second + " does not exist (yet)";
      continue;
    }
    if (want.count(id)) {
      rule_waiting_[r.index] = "cgroup /" + it->second + " is already another rule's";
      continue;
    }
    srcsel_rule v{};
    v.index = static_cast<uint32_t>(r.index);
    if (!r.v4.empty()) {
      std::memcpy(&v.addr4, r.v4.bytes.data(), 4);
      v.flags |= SRCSEL_HAS4;
    }
    if (!r.v6.empty()) {
      std::memcpy(v.addr6, r.v6.bytes.data(), 16);
      v.flags |= SRCSEL_HAS6;
    }
    want[id] = v;
    int fd = open(abs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      want.erase(id);
      rule_waiting_[r.index] = "cgroup /" + it->second + ": " + std::strerror(errno);
      continue;
    }
    fds[id] = fd;
    rule_cgid_[r.index] = id;
  }
  if (!bpf_) return;
  if (Status s = bpf_->set_rules(want); !s.ok()) warn_(s.error().message);
  std::set<uint64_t> keep;
  for (auto& [id, fd] : fds) {
    auto done = bpf_->ensure_attached(id, fd);
    close(fd);
    if (!done.ok()) {
      if (logged_.insert(done.error().message).second)
        warn_("source rules: cgroup " + std::to_string(id) + ": " + done.error().message);
      continue;
    }
    keep.insert(id);
    for (auto& line : *done) notice_("source rules: cgroup " + std::to_string(id) + ": " + line);
  }
  for (auto& line : bpf_->detach_except(keep)) notice_("source rules: " + line);
}

void SourceSelector::sync(const Config& cfg, const Observed& obs) {
  if (cfg.sources.empty() && !bpf_ && fib_.empty() && last_state_.empty()) return;
  auto states = rule_states(cfg, obs);
  log_states(states);
  if (Status s = open_netlink(); !s.ok()) {
    warn_("source rules: " + s.error().message);
    return;
  }
  auto ch = sync_fib_rules(req_, desired_fib_rules(states));
  for (auto& r : ch.added) notice_("source rules: added ip rule " + r.str());
  for (auto& r : ch.removed) notice_("source rules: removed ip rule " + r.str());
  for (auto& e : ch.errors)
    if (logged_.insert(e).second) warn_("source rules: " + e);
  fib_ = desired_fib_rules(states);
  sync_bpf(states);
}

}  // namespace vipa::srcsel
