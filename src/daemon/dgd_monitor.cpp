#include "daemon/dgd_monitor.h"

#include <linux/if_ether.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/dgd_neigh.h"
#include "daemon/dgd_sockets.h"
#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

namespace {

int io_fd(sd_event_source* s) {
  return s ? sd_event_source_get_io_fd(s) : -1;
}

void drop_source(sd_event_source*& s) {
  if (s) sd_event_source_disable_unref(s);
  s = nullptr;
}

std::string join(const std::vector<IpAddr>& v) {
  std::string s;
  for (auto& a : v) s += (s.empty() ? "" : ", ") + a.str();
  return s;
}

const char* probe_noun(const GatewayTarget& t) {
  switch (t.method) {
    case ProbeMethod::Arp:
      return " ARP probes";
    case ProbeMethod::Neighbour:
      return " neighbour solicitations";
    case ProbeMethod::Echo:
      return " ICMP echoes";
  }
  return " probes";
}

}  // namespace

GatewayMonitor::GatewayMonitor(sd_event* ev, const DgdConfig& cfg, StateFn fn)
    : ev_(sd_event_ref(ev)), timing_(dgd_timing(cfg)), fn_(std::move(fn)) {
  // Tells our echo replies from those of other pingers on this host before the payload does.
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  echo_id_ = static_cast<uint16_t>(getpid() ^ (ts.tv_nsec >> 7));
}

GatewayMonitor::~GatewayMonitor() {
  for (auto& [i, f] : ifaces_) {
    drop_source(f.pkt);
    drop_source(f.ns);
  }
  drop_source(echo4_);
  drop_source(echo6_);
  drop_source(timer_);
  sd_event_unref(ev_);
}

uint64_t GatewayMonitor::now() const {
  uint64_t t = 0;
  if (sd_event_now(ev_, CLOCK_MONOTONIC, &t) >= 0) return t;
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

void GatewayMonitor::configure(const DgdConfig& cfg) {
  DgdTiming next = dgd_timing(cfg);
  if (next.ping_us == timing_.ping_us && next.retry_us == timing_.retry_us &&
      next.packets_lost == timing_.packets_lost)
    return;
  timing_ = next;
  uint64_t t = now();
  for (auto& [k, x] : targets_) x.st.restart(t);
  arm();
}

void GatewayMonitor::set_targets(std::vector<GatewayTarget> targets) {
  uint64_t t = now();
  std::map<std::string, Target> next;
  for (auto& gt : targets) {
    auto old = targets_.find(gt.key);
    if (old != targets_.end() && old->second.t.gateway == gt.gateway &&
        old->second.t.ifindex == gt.ifindex) {
      Target x = std::move(old->second);
      x.st.set_mode(gt.active, !gt.track.empty(), t);
      x.t = std::move(gt);
      next.emplace(x.t.key, std::move(x));
      continue;
    }
    Target x;
    x.st = GatewayState(gt.active, !gt.track.empty(), t);
    x.serial = next_serial_++;
    x.t = std::move(gt);
    next.emplace(x.t.key, std::move(x));
  }
  targets_ = std::move(next);
  by_gateway_.clear();
  by_serial_.clear();
  for (auto& [k, x] : targets_) {
    by_gateway_[{x.t.ifindex, x.t.gateway}] = k;
    by_serial_[x.serial] = k;
  }
  sync_sockets();
  arm();
}

std::set<std::string> GatewayMonitor::dead_keys() const {
  std::set<std::string> out;
  for (auto& [k, x] : targets_)
    if (!x.st.alive()) out.insert(k);
  return out;
}

GatewayMonitor::Target* GatewayMonitor::find(int ifindex, const IpAddr& gw) {
  auto it = by_gateway_.find({ifindex, gw});
  if (it == by_gateway_.end()) return nullptr;
  auto t = targets_.find(it->second);
  return t == targets_.end() ? nullptr : &t->second;
}

// Opens the sockets the probing targets need and closes the others, so a host with nothing
// to probe holds none. A socket that cannot be opened (no CAP_NET_RAW, the interface gone)
// leaves its targets alone, alive: not being able to ask is no evidence of a dead gateway.
void GatewayMonitor::sync_sockets() {
  struct Need {
    bool pkt = false, ns = false;
    std::string ifname;
  };
  std::map<int, Need> need;
  bool need4 = false, need6 = false;
  for (auto& [k, x] : targets_) {
    if (!x.st.probing()) continue;
    bool tracked = !x.t.track.empty();
    if (x.t.method == ProbeMethod::Echo) {
      // Gateway and tracked targets alike are pinged through the interface: no link-layer socket.
      (x.t.gateway.is_v4() ? need4 : need6) = true;
      continue;
    }
    Need& n = need[x.t.ifindex];
    n.ifname = x.t.ifname;
    if (x.t.gateway.is_v4()) {
      n.pkt = true;
      need4 |= tracked;
    } else {
      n.ns = true;
      n.pkt |= tracked;
      need6 |= tracked;
    }
  }
  // Sockets stay across a rename: both kinds are bound to the interface's index.
  for (auto it = ifaces_.begin(); it != ifaces_.end();) {
    auto n = need.find(it->first);
    if (n == need.end() || !n->second.pkt) drop_source(it->second.pkt);
    if (n == need.end() || !n->second.ns) drop_source(it->second.ns);
    it = n == need.end() ? ifaces_.erase(it) : std::next(it);
  }

  std::map<int, std::string> iface_err;
  std::string echo4_err, echo6_err;
  auto failed = [&](const Error& e, std::string& slot) {
    slot = e.message;
    if (socket_errors_logged_.insert(e.message).second)
      log::err("dead gateway detection: " + e.message + "; these gateways are not probed");
  };
  auto watch = [&](Result<int> fd, sd_event_source** src, sd_event_io_handler_t cb, void* ud,
                   std::string& err) {
    if (!fd.ok()) return failed(fd.error(), err);
    if (sd_event_add_io(ev_, src, *fd, EPOLLIN, cb, ud) < 0) {
      close(*fd);
      return failed(Error::msg("cannot watch a probe socket"), err);
    }
    sd_event_source_set_io_fd_own(*src, 1);
    // Answers before timers: a reply already queued must count before a deadline is judged.
    sd_event_source_set_priority(*src, SD_EVENT_PRIORITY_IMPORTANT);
  };
  for (auto& [ifindex, n] : need) {
    Iface& f = ifaces_[ifindex];
    f.ifindex = ifindex;
    f.ifname = n.ifname;
    f.self = this;
    if (n.pkt && !f.pkt)
      watch(dgd::open_arp_socket(ifindex), &f.pkt, on_packet, &f, iface_err[ifindex]);
    if (n.ns && !f.ns)
      watch(dgd::open_ns_socket(n.ifname, ifindex), &f.ns, on_ns, &f, iface_err[ifindex]);
    int any = f.pkt ? io_fd(f.pkt) : io_fd(f.ns);
    if (any >= 0) {
      auto mac = dgd::interface_mac(any, f.ifname);
      f.has_mac = mac.ok();
      if (mac.ok()) f.mac = *mac;
    }
  }
  if (need4 && !echo4_) watch(dgd::open_echo4_socket(echo_id_), &echo4_, on_echo, this, echo4_err);
  if (!need4) drop_source(echo4_);
  if (need6 && !echo6_) watch(dgd::open_echo6_socket(), &echo6_, on_echo, this, echo6_err);
  if (!need6) drop_source(echo6_);

  uint64_t t = now();
  for (auto& [k, x] : targets_) {
    std::string err;
    bool v4 = x.t.gateway.is_v4();
    if (x.st.probing() && x.t.method == ProbeMethod::Echo) {
      if (v4 ? !echo4_ : !echo6_) err = v4 ? echo4_err : echo6_err;
    } else if (x.st.probing()) {
      auto f = ifaces_.find(x.t.ifindex);
      bool tracked = !x.t.track.empty();
      if (f == ifaces_.end() || (v4 && !f->second.pkt) || (!v4 && !f->second.ns) ||
          (tracked && !f->second.pkt))
        err = iface_err[x.t.ifindex].empty() ? "no probe socket" : iface_err[x.t.ifindex];
      else if (v4 && !f->second.has_mac)
        err = x.t.ifname + " has no hardware address to send ARP from";
      else if (tracked && (v4 ? !echo4_ : !echo6_))
        err = v4 ? echo4_err : echo6_err;
    }
    // Probing resumes from scratch: the time it could not probe is no silence of the gateway.
    if (!x.error.empty() && err.empty()) x.st.restart(t);
    x.error = err;
  }
}

void GatewayMonitor::arm() {
  uint64_t next = kNever;
  for (auto& [k, x] : targets_)
    if (x.error.empty()) next = std::min(next, x.st.next_wakeup(timing_));
  if (next == kNever) {
    if (timer_) sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
    return;
  }
  // Little slack: the gateways share one schedule already, and every microsecond of it is added
  // to the detection time.
  uint64_t accuracy = std::clamp<uint64_t>(timing_.ping_us / 100, 1, 200);
  if (!timer_) {
    if (sd_event_add_time(ev_, &timer_, CLOCK_MONOTONIC, next, accuracy, on_timer, this) < 0) {
      log::err("dead gateway detection: cannot create its timer");
      timer_ = nullptr;
    }
    return;
  }
  sd_event_source_set_time(timer_, next);
  sd_event_source_set_time_accuracy(timer_, accuracy);
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
}

int GatewayMonitor::on_timer(sd_event_source*, uint64_t, void* self) {
  auto* m = static_cast<GatewayMonitor*>(self);
  uint64_t t = m->now();
  dgd::Outbox out;
  for (auto& [k, x] : m->targets_) {
    if (!x.error.empty() || x.st.next_wakeup(m->timing_) > t) continue;
    bool send = false;
    m->note(x, x.st.on_timer(t, m->timing_, &send), t);
    if (send) m->queue_probes(x, t, out);
  }
  m->flush(out);
  if (!m->pending_.empty()) m->sync_sockets();
  m->arm();
  m->report();
  return 0;
}

void GatewayMonitor::queue_probes(Target& x, uint64_t, dgd::Outbox& out) {
  if (x.t.method == ProbeMethod::Echo) {
    ++x.probes_sent;
    queue_pings(x, out);
    return;
  }
  auto f = ifaces_.find(x.t.ifindex);
  if (f == ifaces_.end()) return;
  uint8_t buf[64];
  ++x.probes_sent;
  if (x.t.gateway.is_v4()) {
    size_t n = dgd::build_arp_request(buf, f->second.mac, x.t.source, x.t.gateway);
    // Broadcast, as AIX and keepalived do: a unicast poll to a cached MAC would still be
    // answered by a router that was replaced (VRRP, a swapped card) only if the MAC moved too,
    // and a broadcast also reaches a gateway whose MAC changed.
    if (n)
      out.add_frame(x.serial, io_fd(f->second.pkt), x.t.ifindex, ETH_P_ARP, dgd::kBroadcastMac,
                    {buf, n});
  } else {
    size_t n = dgd::build_neighbour_solicit(buf, x.t.gateway,
                                            f->second.has_mac ? &f->second.mac : nullptr);
    // To the solicited-node group, as the kernel does for an unresolved neighbour: a unicast
    // NS would need the kernel's own neighbour entry, which is what may have failed.
    if (n)
      out.add_icmp6(x.serial, io_fd(f->second.ns), x.t.ifindex, x.t.source,
                    dgd::solicited_node(x.t.gateway), {buf, n});
  }
  if (!x.t.track.empty() && x.mac_known) queue_echoes(x, out);
}

// Echoes to tracked targets go to the gateway's MAC in an AF_PACKET frame: the routing table
// cannot send them another way, even once this gateway's routes are withdrawn.
void GatewayMonitor::queue_echoes(Target& x, dgd::Outbox& out) {
  auto f = ifaces_.find(x.t.ifindex);
  if (f == ifaces_.end() || !f->second.pkt) return;
  x.echo_round = x.st.round();
  dgd::EchoCookie cookie{x.serial, x.st.round()};
  for (auto& dst : x.t.track) {
    uint8_t buf[dgd::kEcho6Len];
    bool v4 = dst.is_v4();
    size_t n = v4 ? dgd::build_echo4(buf, x.t.source, dst, echo_id_, ++echo_seq_, cookie)
                  : dgd::build_echo6(buf, x.t.source, dst, echo_id_, ++echo_seq_, cookie);
    if (n)
      out.add_frame(x.serial, io_fd(f->second.pkt), x.t.ifindex, v4 ? ETH_P_IP : ETH_P_IPV6,
                    x.gw_mac, {buf, n});
  }
}

// A link without link-layer addresses has one node behind it, or routes by IP itself (a
// tunnel): an echo sent out of that interface, from its own address, reaches the gateway and,
// for tracked targets, goes through it only. Replies come back to the shared echo sockets.
void GatewayMonitor::queue_pings(Target& x, dgd::Outbox& out) {
  bool v4 = x.t.gateway.is_v4();
  int fd = io_fd(v4 ? echo4_ : echo6_);
  if (fd < 0) return;
  x.echo_round = x.st.round();
  dgd::EchoCookie cookie{x.serial, x.st.round()};
  auto ping = [&](const IpAddr& dst) {
    uint8_t buf[dgd::kEchoMsgLen];
    size_t n = dgd::build_echo_request(buf, dst.family, echo_id_, ++echo_seq_, cookie);
    if (!n) return;
    if (v4)
      out.add_icmp4(x.serial, fd, x.t.ifindex, x.t.source, dst, {buf, n});
    else
      out.add_icmp6(x.serial, fd, x.t.ifindex, x.t.source, dst, {buf, n});
  };
  ping(x.t.gateway);
  for (auto& dst : x.t.track) ping(dst);
}

void GatewayMonitor::flush(dgd::Outbox& out) {
  if (out.empty()) return;
  out.flush([this](uint64_t serial, int err) {
    auto it = by_serial_.find(static_cast<uint32_t>(serial));
    if (it == by_serial_.end()) return;
    Target& x = targets_[it->second];
    ++x.send_errors;
    // A probe that cannot leave is a probe unanswered: the silence rule judges it.
    log::debug("dead gateway detection: probe to " + x.t.gateway.str() + " on " + x.t.ifname +
               ": " + std::strerror(err));
  });
}

void GatewayMonitor::gateway_reply(Target& x, const dgd::Mac* mac, uint64_t t) {
  if (!x.st.probing() || !x.error.empty()) return;
  if (!x.st.gateway_answered_this_round())
    x.last_rtt_us = static_cast<int64_t>(t - x.st.round_started());
  ++x.replies;
  if (mac && *mac != dgd::Mac{}) {
    x.gw_mac = *mac;
    x.mac_known = true;
  }
  DgdChange c = x.st.on_gateway_reply(t, timing_);
  // The first answer teaches the gateway's MAC: the round's echoes need not wait for the next.
  if (x.t.method != ProbeMethod::Echo && !x.t.track.empty() && x.mac_known &&
      x.echo_round != x.st.round() && x.st.probing()) {
    dgd::Outbox out;
    queue_echoes(x, out);
    flush(out);
  }
  note(x, c, t);
}

void GatewayMonitor::track_reply(const dgd::EchoReply& r, uint64_t t) {
  if (r.id != echo_id_) return;
  auto it = by_serial_.find(r.cookie.serial);
  if (it == by_serial_.end()) return;
  Target& x = targets_[it->second];
  // Answers to rounds long gone say little about the path now.
  uint32_t round = x.st.round();
  if (r.cookie.round > round || round - r.cookie.round > timing_.packets_lost) return;
  if (x.t.method == ProbeMethod::Echo && r.from == x.t.gateway) return gateway_reply(x, nullptr, t);
  if (std::find(x.t.track.begin(), x.t.track.end(), r.from) == x.t.track.end()) return;
  ++x.track_replies;
  note(x, x.st.on_track_reply(t, timing_), t);
}

void GatewayMonitor::note(Target& x, DgdChange c, uint64_t) {
  if (c == DgdChange::None) return;
  bool alive = c == DgdChange::Restored;
  x.reason = alive ? restore_reason(x) : death_reason(x);
  log::debug("dead gateway detection: " + x.t.key + (alive ? " alive: " : " dead: ") + x.reason);
  pending_.push_back({x.t, alive, x.reason});
}

void GatewayMonitor::report() {
  auto changes = std::move(pending_);
  pending_.clear();
  for (auto& c : changes) fn_(c.t, c.alive, c.reason);
}

std::string GatewayMonitor::death_reason(const Target& x) const {
  std::string n = std::to_string(timing_.packets_lost);
  std::string ms = std::to_string(sat_mul(timing_.packets_lost, timing_.ping_us) / 1000);
  const char* probes = probe_noun(x.t);
  switch (x.st.cause()) {
    case DeathCause::TrackSilent:
      return "tracked " + join(x.t.track) + " unreachable through " + x.t.gateway.str() + " (" + n +
             " probes unanswered, " + ms + " ms)";
    case DeathCause::NeighbourFailed:
      return "kernel neighbour entry FAILED " + n + " times";
    default:
      return n + probes + " unanswered (no reply for " + ms + " ms)";
  }
}

std::string GatewayMonitor::restore_reason(const Target& x) const {
  std::string s = "answered " + std::to_string(timing_.packets_lost) + probe_noun(x.t);
  if (!x.t.track.empty()) s += " and echoes through it";
  return s + " in a row";
}

int GatewayMonitor::on_packet(sd_event_source*, int fd, uint32_t, void* iface) {
  auto* f = static_cast<Iface*>(iface);
  GatewayMonitor* m = f->self;
  int ifindex = f->ifindex;
  uint64_t t = m->now();
  dgd::drain(fd, [&](std::span<const uint8_t> data, const dgd::RecvMeta& meta) {
    auto a = dgd::parse_arp(data);
    if (!a || a->op != 2 || (meta.ifindex && meta.ifindex != ifindex)) return;
    if (Target* x = m->find(ifindex, a->spa)) m->gateway_reply(*x, &a->sha, t);
  });
  if (!m->pending_.empty()) {
    m->sync_sockets();
    m->arm();
  }
  m->report();
  return 0;
}

int GatewayMonitor::on_ns(sd_event_source*, int fd, uint32_t, void* iface) {
  auto* f = static_cast<Iface*>(iface);
  GatewayMonitor* m = f->self;
  int ifindex = f->ifindex;
  uint64_t t = m->now();
  dgd::drain(fd, [&](std::span<const uint8_t> data, const dgd::RecvMeta& meta) {
    // RFC 4861 §7.1.2: an advertisement that crossed a router is forged.
    if (meta.hoplimit != 255) return;
    auto na = dgd::parse_neighbour_advert(data);
    if (!na) return;
    if (Target* x = m->find(ifindex, na->target))
      m->gateway_reply(*x, na->tll ? &*na->tll : nullptr, t);
  });
  if (!m->pending_.empty()) {
    m->sync_sockets();
    m->arm();
  }
  m->report();
  return 0;
}

int GatewayMonitor::on_echo(sd_event_source* s, int fd, uint32_t, void* self) {
  auto* m = static_cast<GatewayMonitor*>(self);
  bool v4 = s == m->echo4_;
  uint64_t t = m->now();
  dgd::drain(fd, [&](std::span<const uint8_t> data, const dgd::RecvMeta& meta) {
    auto r = v4 ? dgd::parse_echo_reply4(data) : dgd::parse_echo_reply6(data, meta.from);
    if (r) m->track_reply(*r, t);
  });
  if (!m->pending_.empty()) {
    m->sync_sockets();
    m->arm();
  }
  m->report();
  return 0;
}

void GatewayMonitor::on_neighbour(const NeighbourEvent& ev) {
  if (ev.proxy()) return;
  Target* x = find(ev.ifindex, ev.dst);
  if (!x || !x->error.empty()) return;
  uint64_t t = now();
  if (ev.failed())
    note(*x, x->st.on_neighbour_failed(t, timing_), t);
  else if (ev.reachable())
    x->st.on_neighbour_reachable();
  if (!pending_.empty()) {
    sync_sockets();
    arm();
  }
  report();
}

std::vector<json> GatewayMonitor::status() const {
  std::vector<json> out;
  uint64_t t = now();
  for (auto& [k, x] : targets_) {
    json track = json::array();
    for (auto& a : x.t.track) track.push_back(a.str());
    json j = {{"key", k},
              {"gateway", x.t.gateway.str()},
              {"interface", x.t.ifname},
              {"ifindex", x.t.ifindex},
              {"source", x.t.source.str()},
              {"active", x.t.active},
              {"probe", probe_method_name(x.t.method)},
              {"track", track},
              {"alive", x.st.alive()},
              {"probing", x.st.probing() && x.error.empty()},
              {"misses", x.st.misses(t, timing_)},
              {"since_ms", t > x.st.since() ? (t - x.st.since()) / 1000 : 0},
              {"last_rtt_us", x.last_rtt_us < 0 ? json(nullptr) : json(x.last_rtt_us)},
              {"probes_sent", x.probes_sent},
              {"replies", x.replies},
              {"track_replies", x.track_replies},
              {"send_errors", x.send_errors},
              {"reason", x.reason},
              {"error", x.error}};
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace vipa
