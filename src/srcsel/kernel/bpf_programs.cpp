#include "srcsel/kernel/bpf_programs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "srcsel.skel.h"

namespace vipa::srcsel {

namespace {

constexpr bpf_attach_type kAttach[kHooks] = {BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT,
                                             BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG};

// The cgroup a link is attached to; 0 once someone detached it (the link is then defunct).
bool link_info(int fd, bpf_link_info& info) {
  std::memset(&info, 0, sizeof info);
  uint32_t len = sizeof info;
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0;
}

Error bpf_error(int rc, const std::string& what) {
  int e = rc < 0 ? -rc : errno;
  return Error::sys(e ? e : EINVAL, what);
}

}  // namespace

const char* hook_name(int hook) {
  static const char* kNames[kHooks] = {"connect4", "connect6", "sendmsg4", "sendmsg6"};
  return hook >= 0 && hook < kHooks ? kNames[hook] : "?";
}

BpfPrograms::~BpfPrograms() {
  // Pinned links stay attached (the next vipad adopts them); links held by fd alone detach.
  for (auto& [k, h] : links_) close(h.fd);
  if (skel_) srcsel_bpf__destroy(skel_);
}

int BpfPrograms::prog_fd(int hook) const {
  bpf_program* p[kHooks] = {skel_->progs.srcsel_connect4, skel_->progs.srcsel_connect6,
                            skel_->progs.srcsel_sendmsg4, skel_->progs.srcsel_sendmsg6};
  return bpf_program__fd(p[hook]);
}

std::string BpfPrograms::pin_path(uint64_t cgroup_id, int hook) const {
  return pin_dir_ + "/link-" + std::to_string(cgroup_id) + "-" + hook_name(hook);
}

Status BpfPrograms::load(const std::string& pin_dir, uint64_t netns_cookie) {
  libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
  pin_dir_ = pin_dir;
  if (!pin_dir_.empty() && mkdir(pin_dir_.c_str(), 0700) < 0 && errno != EEXIST)
    return Error::sys(errno, "mkdir " + pin_dir_);
  ::srcsel_bpf* s = srcsel_bpf__open();
  if (!s) return Error::sys(errno, "open the BPF programs");
  if (!pin_dir_.empty()) {
    // A restart reuses the maps of the links it adopts: their rules and counters go on.
    bpf_map__set_pin_path(s->maps.rules, (pin_dir_ + "/rules").c_str());
    bpf_map__set_pin_path(s->maps.counters, (pin_dir_ + "/counters").c_str());
    bpf_map__set_pin_path(s->maps.settings, (pin_dir_ + "/settings").c_str());
  }
  if (int rc = srcsel_bpf__load(s); rc != 0) {
    srcsel_bpf__destroy(s);
    return bpf_error(rc, "load the BPF programs");
  }
  skel_ = s;
  uint32_t zero = 0;
  srcsel_settings set{netns_cookie};
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.settings), &zero, &set, BPF_ANY) < 0)
    return Error::sys(errno, "BPF settings map");
  adopt_pinned();
  return Ok{};
}

// Links a previous vipad pinned: kept attached, switched to this vipad's programs in place.
void BpfPrograms::adopt_pinned() {
  if (pin_dir_.empty()) return;
  DIR* d = opendir(pin_dir_.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    unsigned long long cg = 0;
    char hook[16] = {};
    if (std::sscanf(e->d_name, "link-%llu-%15s", &cg, hook) != 2) continue;
    int h = -1;
    for (int i = 0; i < kHooks; ++i)
      if (std::strcmp(hook, hook_name(i)) == 0) h = i;
    std::string path = pin_dir_ + "/" + e->d_name;
    int fd = h < 0 ? -1 : bpf_obj_get(path.c_str());
    bpf_link_info info;
    if (fd < 0 || !link_info(fd, info) || info.type != BPF_LINK_TYPE_CGROUP ||
        info.cgroup.cgroup_id != cg) {
      if (fd >= 0) close(fd);
      unlink(
          path.c_str());  // detached by someone, or its cgroup is gone: ensure_attached redoes it
      continue;
    }
    bpf_prog_info pinfo{};
    uint32_t plen = sizeof pinfo;
    if (bpf_obj_get_info_by_fd(prog_fd(h), &pinfo, &plen) == 0 && pinfo.id != info.prog_id)
      bpf_link_update(fd, prog_fd(h), nullptr);
    links_[{cg, h}] = Held{fd, info.id};
  }
  closedir(d);
}

Status BpfPrograms::set_rules(const std::map<uint64_t, srcsel_rule>& want) {
  int fd = bpf_map__fd(skel_->maps.rules);
  std::vector<uint64_t> stale;
  uint64_t key = 0, next = 0;
  void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (!want.count(next)) stale.push_back(next);
    key = next;
    prev = &key;
  }
  for (uint64_t k : stale) bpf_map_delete_elem(fd, &k);
  for (auto& [k, v] : want) {
    srcsel_rule cur{};
    if (bpf_map_lookup_elem(fd, &k, &cur) == 0 && std::memcmp(&cur, &v, sizeof v) == 0) continue;
    if (bpf_map_update_elem(fd, &k, &v, BPF_ANY) < 0)
      return Error::sys(errno, "BPF rule map update");
  }
  return Ok{};
}

Result<std::vector<std::string>> BpfPrograms::ensure_attached(uint64_t cgroup_id, int cgroup_fd) {
  std::vector<std::string> done;
  for (int h = 0; h < kHooks; ++h) {
    auto it = links_.find({cgroup_id, h});
    if (it != links_.end()) {
      bpf_link_info info;
      if (link_info(it->second.fd, info) && info.cgroup.cgroup_id == cgroup_id) {
        if (!pin_dir_.empty() && access(pin_path(cgroup_id, h).c_str(), F_OK) != 0 &&
            bpf_obj_pin(it->second.fd, pin_path(cgroup_id, h).c_str()) == 0)
          done.push_back(std::string("pinned ") + hook_name(h) + " link again");
        continue;
      }
      // Detached by someone else: the link is defunct. Replace it.
      close(it->second.fd);
      if (!pin_dir_.empty()) unlink(pin_path(cgroup_id, h).c_str());
      links_.erase(it);
      done.push_back(std::string(hook_name(h)) + " link was detached by someone else");
    }
    int fd = bpf_link_create(prog_fd(h), cgroup_fd, kAttach[h], nullptr);
    if (fd < 0) return bpf_error(fd, std::string("attach ") + hook_name(h));
    bpf_link_info info;
    link_info(fd, info);
    links_[{cgroup_id, h}] = Held{fd, info.id};
    if (!pin_dir_.empty()) {
      unlink(pin_path(cgroup_id, h).c_str());
      if (bpf_obj_pin(fd, pin_path(cgroup_id, h).c_str()) < 0)
        done.push_back(std::string("cannot pin ") + hook_name(h) +
                       " link: " + std::strerror(errno));
    }
    done.push_back(std::string("attached ") + hook_name(h));
  }
  return done;
}

std::vector<std::string> BpfPrograms::detach_except(const std::set<uint64_t>& keep) {
  std::vector<std::string> done;
  for (auto it = links_.begin(); it != links_.end();) {
    auto [cg, h] = it->first;
    if (keep.count(cg)) {
      ++it;
      continue;
    }
    bpf_link_detach(it->second.fd);
    close(it->second.fd);
    if (!pin_dir_.empty()) unlink(pin_path(cg, h).c_str());
    done.push_back(std::string("detached ") + hook_name(h) + " from cgroup " + std::to_string(cg));
    it = links_.erase(it);
  }
  return done;
}

std::vector<LinkInfo> BpfPrograms::links() const {
  std::vector<LinkInfo> out;
  for (auto& [k, h] : links_) {
    bool pinned = !pin_dir_.empty() && access(pin_path(k.first, k.second).c_str(), F_OK) == 0;
    out.push_back({k.first, k.second, h.link_id, pinned});
  }
  return out;
}

std::optional<srcsel_counter> BpfPrograms::counter(uint32_t index) const {
  if (!skel_) return std::nullopt;
  srcsel_counter c{};
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.counters), &index, &c) < 0) return std::nullopt;
  return c;
}

std::vector<std::string> BpfPrograms::remove_pinned(const std::string& pin_dir) {
  std::vector<std::string> done;
  DIR* d = opendir(pin_dir.c_str());
  if (!d) return done;
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  for (auto& n : names) {
    std::string path = pin_dir + "/" + n;
    if (n.rfind("link-", 0) == 0) {
      int fd = bpf_obj_get(path.c_str());
      if (fd >= 0) {
        bpf_link_detach(fd);
        close(fd);
      }
      done.push_back("detached " + n);
    }
    unlink(path.c_str());
  }
  rmdir(pin_dir.c_str());
  return done;
}

}  // namespace vipa::srcsel
