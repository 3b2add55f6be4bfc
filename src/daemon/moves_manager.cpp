#include "daemon/moves_manager.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <set>

#include "daemon/dgd_sockets.h"
#include "daemon/dvipa_sockdiag.h"
#include "daemon/log.h"
#include "daemon/loop_guard.h"
#include "daemon/sysctl.h"

namespace vipa {

using nlohmann::json;

namespace {

moves::Params params_of(const DvipaConfig& d, const std::string& self_id) {
  moves::Params p;
  for (auto& x : d.peers) p.peers.push_back({x.id, x.address});
  p.self_id = self_id;
  p.moving_timeout_ms = d.moving_timeout_ms;
  return p;
}

}  // namespace

MovesManager::MovesManager(sd_event* ev, const Observed* obs, Emit emit)
    : ev_(ev), obs_(obs), emit_(std::move(emit)), cmd_(ev) {
  // Not dead gateway detection's id: each socket's filter passes only its own replies.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  echo_id_ = static_cast<uint16_t>((getpid() * 2654435761u) ^ (ts.tv_nsec >> 9) ^ 0x7670);
}

MovesManager::~MovesManager() {
  if (echo_src_) sd_event_source_unref(echo_src_);
}

void MovesManager::configure(const std::vector<DvipaConfig>& dvipas) {
  std::set<std::string> names;
  for (auto& d : dvipas) {
    if (d.peers.empty()) continue;
    names.insert(d.name);
    for (auto& p : d.peers)
      if (!index_.count(p.id) && index_.size() < moves::kMaxPeers)
        index_[p.id] = static_cast<uint32_t>(index_.size() + 1);
    auto it = trackers_.find(d.name);
    if (it == trackers_.end()) {
      trackers_[d.name] = std::make_unique<Item>(
          Item{d, moves::Tracker(params_of(d, "")), 0, 0, 0, 0, std::nullopt});
    } else {
      it->second->cfg = d;
      it->second->tracker.set_params(params_of(d, it->second->tracker.params().self_id));
    }
  }
  for (auto it = trackers_.begin(); it != trackers_.end();)
    it = names.count(it->first) ? std::next(it) : trackers_.erase(it);
  last_reassert_ = 0;
}

void MovesManager::emit_events(Item& it, const std::vector<moves::Event>& evs) {
  const std::string& n = it.cfg.name;
  for (auto& e : evs) {
    if (e.kind == "moving") ++it.moves;
    if (e.kind == "moving_timeout") ++it.timeouts, it.cut += static_cast<uint64_t>(e.connections);
    if (e.kind == "forward_cut") ++it.forward_cuts;
    std::string msg = n + ": " + e.message;
    // emit_ logs it (the daemon's events go to the log, the monitor and the hooks).
    json extra = {{"dvipa", n}, {"kind", e.kind}, {"connections", e.connections}};
    if (!e.peer.empty()) extra["peer"] = e.peer;
    // The DVIPA's state as `vipactl monitor` shows every other change of it.
    if (e.kind == "moving" || e.kind == "moving_done" || e.kind == "moving_timeout") {
      extra["old_state"] = e.kind == "moving" ? "active" : "moving";
      extra["new_state"] = e.kind == "moving" ? "moving" : "not moving";
    }
    emit_("dvipa_" + e.kind, n, msg, extra);
    if (e.kind == "forward" || e.kind == "forward_done" || e.kind == "forward_cut")
      last_reassert_ = 0;  // at once
  }
}

void MovesManager::step(const DvipaConfig& d, const dvipa::View& view, bool owner_self,
                        uint64_t now) {
  auto it = trackers_.find(d.name);
  if (it == trackers_.end()) return;
  Item& item = *it->second;
  if (view.ok && item.tracker.params().self_id != view.self_id)
    item.tracker.set_params(params_of(item.cfg, view.self_id));
  moves::Inputs in;
  in.now_ms = now;
  in.view_ok = view.ok;
  in.owner_self = owner_self;
  if (const dvipa::Announcer* own = view.ok ? dvipa::owner_of(view) : nullptr)
    in.owner_id = own->id;
  if (view.ok) item.owner = in.owner_id;
  auto c = connections_.find(d.address.str());
  in.connections = c == connections_.end() ? -1 : c->second;
  if (view.ok && view.reachable) {
    in.reachable = view.reachable;
  } else if (view.ok) {
    probe_ = true;
    in.reachable = probed_reachable(item, now);
  }
  in.neighbours = view.neighbours;
  emit_events(item, item.tracker.step(in));
  if (now - last_reassert_ >= kReassertMs) reassert();
}

std::optional<std::set<std::string>> MovesManager::probed_reachable(const Item& it,
                                                                    uint64_t now) const {
  if (!echo_src_) return std::nullopt;  // no echoes (yet, or the socket failed): judge nobody
  std::set<std::string> r{it.tracker.params().self_id};
  for (auto& [id, since] : it.tracker.targets())
    if (const moves::Peer* p = it.tracker.peer(id); p && live_.answering(p->address, now))
      r.insert(id);
  return r;
}

// One echo to each target's tunnel address every Liveness::kProbeMs, routed as the forwarded
// packets are; the peer's kernel answers (vipad there need not run). The owner is not probed:
// the tracker never cuts it.
void MovesManager::probe(uint64_t now) {
  std::set<std::string> addrs;
  std::string self = self_address();
  for (auto& [n, it] : trackers_)
    for (auto& [id, since] : it->tracker.targets())
      if (const moves::Peer* p = it->tracker.peer(id); p && p->address != self && id != it->owner)
        addrs.insert(p->address);
  live_.watch(addrs, now);
  if (addrs.empty()) return;
  if (!echo_src_ && echo_error_.empty()) {
    auto fd = dgd::open_echo4_socket(echo_id_);
    if (!fd.ok()) {
      echo_error_ = fd.error().message;
    } else if (sd_event_add_io(ev_, &echo_src_, *fd, EPOLLIN, on_echo, this) < 0) {
      close(*fd);
      echo_error_ = "cannot watch the echo socket";
    } else {
      sd_event_source_set_io_fd_own(echo_src_, 1);
    }
    if (!echo_error_.empty())
      log::warn("moves: no echoes to the forward targets (" + echo_error_ +
                "): a gone peer is not detected, its target ends at moving_timeout");
  }
  if (!echo_src_) return;
  std::vector<std::string> due = live_.due(now);
  if (due.empty()) return;
  int fd = sd_event_source_get_io_fd(echo_src_);
  auto src = IpAddr::parse(self);
  dgd::Outbox out;
  for (auto& a : due) {
    auto dst = IpAddr::parse(a);
    if (!dst || !dst->is_v4()) continue;
    uint8_t buf[dgd::kEchoMsgLen];
    size_t n = dgd::build_echo_request(buf, AF_INET, echo_id_, ++echo_seq_, dgd::EchoCookie{});
    if (n) out.add_icmp4(0, fd, 0, src ? *src : IpAddr{}, *dst, {buf, n});
  }
  // A refused send is an unanswered echo: the silence judges it.
  out.flush([](uint64_t, int) {});
}

int MovesManager::on_echo(sd_event_source*, int fd, uint32_t, void* ud) {
  auto* m = static_cast<MovesManager*>(ud);
  uint64_t us = 0;
  sd_event_now(m->ev_, CLOCK_MONOTONIC, &us);
  guarded("moves echo reply", [&] {
    dgd::drain(fd, [&](std::span<const uint8_t> data, const dgd::RecvMeta&) {
      auto r = dgd::parse_echo_reply4(data);
      if (r && r->id == m->echo_id_) m->live_.answered(r->from.str(), us / 1000);
    });
  });
  return 0;
}

void MovesManager::tick(uint64_t now) {
  if (trackers_.empty()) return;
  if (probe_) probe(now);
  if (now - last_count_ >= kCountMs) {
    last_count_ = now;
    count(now);
  }
  if (now - last_reassert_ >= kReassertMs && !cmd_.running()) {
    last_reassert_ = now;
    reassert();
  }
}

// Every established connection counts (idle or not): an old owner keeps the address for as
// long as any may still send, up to moving_timeout.
void MovesManager::count(uint64_t now) {
  std::map<IpAddr, uint32_t> want;
  for (auto& [n, it] : trackers_) want[it->cfg.address] = UINT32_MAX;
  auto r = busy_connections(want);
  if (!r.ok()) {
    log::warn("moves: " + r.error().message);
    connections_.clear();
    return;
  }
  for (auto& [a, n] : *r) connections_[a.str()] = n;
  // Moving ends within kCountMs of the last connection: step at once with the new count.
  for (auto& [n, it] : trackers_) {
    moves::Inputs in;
    in.now_ms = now;
    in.connections = connections_[it->cfg.address.str()];
    emit_events(*it, it->tracker.step(in));
  }
}

std::string MovesManager::self_address() const {
  std::set<std::string> local;
  for (auto& a : obs_->addrs) local.insert(a.addr.str());
  for (auto& [n, it] : trackers_)
    for (auto& p : it->cfg.peers)
      if (local.count(p.address)) return p.address;
  return "";
}

moves::Want MovesManager::want() const {
  moves::Want w;
  std::set<std::string> addrs, ifaces, dvipas;
  std::set<uint32_t> used;
  for (auto& [n, it] : trackers_) {
    for (auto& p : it->cfg.peers) addrs.insert(p.address);
    dvipas.insert(it->cfg.address.str());
    for (auto& i : it->cfg.interface_names) ifaces.insert(i);
    auto newest = it->tracker.newest_target();
    for (auto& [id, since] : it->tracker.targets()) {
      const moves::Peer* p = it->tracker.peer(id);
      auto ix = index_.find(id);
      if (!p || ix == index_.end()) continue;
      used.insert(ix->second);
      w.forwards.push_back({it->cfg.address.str(), p->address, ix->second, newest == id});
    }
  }
  w.peer_addrs.assign(addrs.begin(), addrs.end());
  w.dvipas.assign(dvipas.begin(), dvipas.end());
  w.self_addr = self_address();
  // A host that is no router (ip_forward 0) forwards only the moved flows; a router keeps
  // forwarding as it did.
  if (sysctl_read("/proc/sys/net/ipv4/ip_forward").value_or("0") == "0") {
    w.gate_ifaces.assign(ifaces.begin(), ifaces.end());
    w.gate_ifaces.push_back(moves::kTunnel);
  }
  for (auto& [id, ix] : index_)
    if (!used.count(ix)) w.stale_indices.push_back(ix);
  return w;
}

void MovesManager::write_sysctls(const moves::Want& w) {
  auto set = [](const std::string& path, const char* v) {
    auto cur = sysctl_read(path);
    if (cur && *cur != v) {
      Status s = sysctl_write(path, v);
      if (!s.ok()) log::warn("moves: " + s.error().message);
    }
  };
  // Mid-stream packets of a connection conntrack never saw (the old owner's) are otherwise
  // INVALID and never marked.
  set("/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal", "1");
  const std::string t = moves::kTunnel;
  // The tunnel's packets come from clients whose way back is another interface.
  set("/proc/sys/net/ipv4/conf/" + t + "/rp_filter", "0");
  set("/proc/sys/net/ipv4/conf/" + t + "/forwarding", "1");
  for (auto& i : w.gate_ifaces) set("/proc/sys/net/ipv4/conf/" + i + "/forwarding", "1");
}

void MovesManager::run_script(const std::string& tool, const std::string& text,
                              std::function<void(const ChildResult&)> next) {
  // The script reaches the child through a memfd, named by /proc (stdin is /dev/null).
  if (script_fd_ < 0) script_fd_ = memfd_create("vipa-moves", MFD_CLOEXEC);
  if (script_fd_ < 0 || ftruncate(script_fd_, 0) != 0 ||
      pwrite(script_fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    ChildResult r;
    r.error = "memfd for " + tool + " failed";
    next(r);
    return;
  }
  std::string path = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(script_fd_);
  std::vector<std::string> argv = tool == "nft"
                                      ? std::vector<std::string>{"nft", "-f", path}
                                      : std::vector<std::string>{"ip", "-force", "-batch", path};
  cmd_.start(argv, kCommandUsec, true, std::move(next));
}

void MovesManager::reassert() {
  if (cmd_.running() || trackers_.empty()) return;
  last_reassert_ = 0;
  uint64_t us = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &us);
  last_reassert_ = us / 1000;
  cmd_.start({"ip", "-j", "rule", "show"}, kCommandUsec, true,
             [this](const ChildResult& r) { on_rules(r); });
}

void MovesManager::on_rules(const ChildResult& r) {
  json rules = json::array();
  if (r.ok()) rules = json::parse(r.output, nullptr, false);
  if (!adopted_ && r.ok()) {
    // A restart (kill -9 too) keeps the forwarding the kernel still does.
    adopted_ = true;
    uint64_t us = 0;
    sd_event_now(ev_, CLOCK_MONOTONIC, &us);
    for (uint32_t i : moves::rule_indices(rules))
      for (auto& [id, ix] : index_)
        if (ix == i)
          for (auto& [n, it] : trackers_) {
            if (!it->tracker.peer(id) || it->tracker.targets().count(id)) continue;
            it->tracker.adopt_target(id, us / 1000);
            log::notice("moves: " + n + ": adopted the forwarding to " + id + " the kernel kept");
          }
  }
  moves::Want w = want();
  std::string ip = moves::ip_script(w) + moves::rule_script(rules, w);
  auto fail = [this](const std::string& what, const ChildResult& res) {
    ++apply_failures_;
    std::string e = what + " (" + res.describe() + "): " + res.output;
    if (e != last_error_) log::warn("moves: " + e);
    last_error_ = e;
  };
  // ip's batch goes on past a line that fails (-force): an add of what exists is one.
  run_script("ip", ip, [this, w, fail](const ChildResult&) {
    run_script("nft", moves::nft_script(w), [this, w, fail](const ChildResult& n) {
      if (!n.ok()) return fail("nft -f", n);
      ++applies_;
      if (!last_error_.empty()) log::notice("moves: the kernel's part is in place again");
      last_error_.clear();
      write_sysctls(w);
    });
  });
}

bool MovesManager::moving(const std::string& name) const {
  auto it = trackers_.find(name);
  return it != trackers_.end() && it->second->tracker.moving();
}

json MovesManager::status_json(const std::string& name) const {
  auto it = trackers_.find(name);
  if (it == trackers_.end()) return nullptr;
  const Item& i = *it->second;
  const auto& t = i.tracker;
  json peers = json::array();
  for (auto& p : i.cfg.peers) peers.push_back({{"id", p.id}, {"address", p.address}});
  json fwd = json::array();
  for (auto& [id, since] : t.targets())
    fwd.push_back({{"id", id},
                   {"address", t.peer(id) ? t.peer(id)->address : ""},
                   {"newest", t.newest_target() == id}});
  return {{"peers", peers},
          {"moving", t.moving()},
          {"connections", t.connections() >= 0 ? json(t.connections()) : json(nullptr)},
          {"moving_timeout_ms", i.cfg.moving_timeout_ms},
          {"forwarding_to", fwd},
          {"moves", i.moves},
          {"moving_timeouts", i.timeouts},
          {"connections_cut", i.cut},
          {"forward_cuts", i.forward_cuts},
          {"kernel_applies", applies_},
          {"kernel_failures", apply_failures_},
          {"kernel_error", last_error_}};
}

std::string MovesManager::metrics_text() const {
  if (trackers_.empty()) return "";
  std::string s;
  s += "# HELP vipa_dvipa_moving 1 while this host keeps a DVIPA's connections after a move\n";
  s += "# TYPE vipa_dvipa_moving gauge\n";
  for (auto& [n, i] : trackers_)
    s += "vipa_dvipa_moving{dvipa=\"" + n + "\"} " + (i->tracker.moving() ? "1" : "0") + "\n";
  s += "# HELP vipa_dvipa_moving_connections Established connections on the DVIPA here\n";
  s += "# TYPE vipa_dvipa_moving_connections gauge\n";
  for (auto& [n, i] : trackers_)
    s += "vipa_dvipa_moving_connections{dvipa=\"" + n + "\"} " +
         std::to_string(std::max(0, i->tracker.connections())) + "\n";
  s += "# HELP vipa_dvipa_forward_targets Peers this host forwards a DVIPA's moved flows to\n";
  s += "# TYPE vipa_dvipa_forward_targets gauge\n";
  for (auto& [n, i] : trackers_)
    s += "vipa_dvipa_forward_targets{dvipa=\"" + n + "\"} " +
         std::to_string(i->tracker.targets().size()) + "\n";
  s += "# HELP vipa_dvipa_moves_total Moves after which this host kept connections\n";
  s += "# TYPE vipa_dvipa_moves_total counter\n";
  for (auto& [n, i] : trackers_)
    s += "vipa_dvipa_moves_total{dvipa=\"" + n + "\"} " + std::to_string(i->moves) + "\n";
  s += "# HELP vipa_dvipa_moving_cut_total Connections cut at moving_timeout\n";
  s += "# TYPE vipa_dvipa_moving_cut_total counter\n";
  for (auto& [n, i] : trackers_)
    s += "vipa_dvipa_moving_cut_total{dvipa=\"" + n + "\"} " + std::to_string(i->cut) + "\n";
  s += "# HELP vipa_dvipa_forward_cut_total Forward targets cut because the peer was gone\n";
  s += "# TYPE vipa_dvipa_forward_cut_total counter\n";
  for (auto& [n, i] : trackers_)
    s += "vipa_dvipa_forward_cut_total{dvipa=\"" + n + "\"} " + std::to_string(i->forward_cuts) +
         "\n";
  return s;
}

void MovesManager::cleanup_blocking() {
  auto run = [](std::vector<std::string> argv) { return run_blocking(argv, kCommandUsec); };
  ChildResult t = run({"nft", "list", "table", "inet", moves::kTable});
  if (t.ok()) {
    ChildResult d = run({"nft", "delete", "table", "inet", moves::kTable});
    if (d.ok())
      log::notice(std::string("moves: nftables table inet ") + moves::kTable + " removed");
    else
      log::warn("moves: nft delete table failed: " + d.output);
  }
  auto alias = sysctl_read(std::string("/sys/class/net/") + moves::kTunnel + "/ifalias");
  if (alias && *alias == moves::kTag) {
    ChildResult d = run({"ip", "link", "del", moves::kTunnel});
    if (d.ok()) log::notice(std::string("moves: link ") + moves::kTunnel + " removed");
  }
  ChildResult rules = run({"ip", "-j", "rule", "show"});
  if (!rules.ok()) return;
  std::string s = moves::rule_cleanup_script(json::parse(rules.output, nullptr, false));
  for (size_t pos = 0; pos < s.size();) {
    size_t nl = s.find('\n', pos);
    std::string line = s.substr(pos, nl - pos);
    pos = nl + 1;
    std::vector<std::string> argv{"ip"};
    for (size_t a = 0; a < line.size();) {
      size_t sp = line.find(' ', a);
      if (sp == std::string::npos) sp = line.size();
      argv.push_back(line.substr(a, sp - a));
      a = sp + 1;
    }
    run(argv);
  }
  if (!s.empty()) log::notice("moves: policy rules removed");
}

}  // namespace vipa
