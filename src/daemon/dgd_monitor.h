// Dead gateway detection (AIX's route add -active_dgd, no -o passive_dgd): watches the gateways
// of [[route]] entries from the interface they are reached through, and says when one dies or
// comes back. The daemon turns that into Intent::dead_gateways and converges at once.
//
// Everything runs in the daemon's sd-event loop: non-blocking sockets, one CLOCK_MONOTONIC
// timer for all gateways, no threads. With no gateway to probe there is no timer and no socket.
// The per-gateway rules (when a gateway is dead, when it is back) are in core/dgd_state.h.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/dgd_neigh.h"
#include "core/dgd_packet.h"
#include "core/dgd_state.h"
#include "core/dgd_targets.h"

namespace vipa {

namespace dgd {
class Outbox;
}

class GatewayMonitor {
 public:
  // alive=false: declared dead; alive=true: restored. reason is a short human text ("3 ARP
  // probes unanswered", ...). Called from the event loop, never from set_targets() or
  // configure(), and never for a target that set_targets() dropped.
  using StateFn =
      std::function<void(const GatewayTarget& t, bool alive, const std::string& reason)>;

  GatewayMonitor(sd_event* ev, const DgdConfig& cfg, StateFn fn);
  ~GatewayMonitor();
  GatewayMonitor(const GatewayMonitor&) = delete;
  GatewayMonitor& operator=(const GatewayMonitor&) = delete;

  void configure(const DgdConfig& cfg);  // on reload
  // After every converge. Targets whose key is unchanged keep their state (a dead one stays
  // dead); new ones start alive; dropped ones are forgotten.
  void set_targets(std::vector<GatewayTarget> targets);
  // RTM_NEWNEIGH/RTM_DELNEIGH from the daemon's event socket (RTNLGRP_NEIGH), decoded by
  // nl::decode_neighbour: for passive DGD a target's gateway going NUD_FAILED is a miss,
  // NUD_REACHABLE clears the misses. Proxy entries are not neighbours and are passed over.
  void on_neighbour(const NeighbourEvent& ev);
  // Per target: key, gateway, interface, source, active, probe ("ARP", "NS", "ICMP echo"),
  // track, alive, misses, since_ms,
  // last_rtt_us, probes_sent, replies, reason, error.
  std::vector<nlohmann::json> status() const;
  // The keys currently dead: what Intent::dead_gateways should hold after set_targets().
  std::set<std::string> dead_keys() const;

 private:
  struct Target {
    GatewayTarget t;
    GatewayState st;
    uint32_t serial = 0;
    dgd::Mac gw_mac{};
    bool mac_known = false;
    uint32_t echo_round = 0;  // the round whose echoes went out (0: none yet)
    uint64_t probes_sent = 0, replies = 0, track_replies = 0, send_errors = 0;
    int64_t last_rtt_us = -1;
    std::string reason;  // of the last change
    std::string error;   // why it cannot be probed (then it is left alone, alive)
  };
  struct Iface {
    int ifindex = 0;
    std::string ifname;
    sd_event_source* pkt = nullptr;  // AF_PACKET: ARP in and out, echo frames out
    sd_event_source* ns = nullptr;   // raw ICMPv6 bound to the device: NS out, NA in
    dgd::Mac mac{};
    bool has_mac = false;
    GatewayMonitor* self = nullptr;
  };
  struct Change {
    GatewayTarget t;
    bool alive;
    std::string reason;
  };

  uint64_t now() const;
  void sync_sockets();
  void arm();
  void queue_probes(Target& x, uint64_t now, dgd::Outbox& out);
  void queue_echoes(Target& x, dgd::Outbox& out);
  void queue_pings(Target& x, dgd::Outbox& out);
  void flush(dgd::Outbox& out);
  void note(Target& x, DgdChange c, uint64_t now);
  void report();
  void gateway_reply(Target& x, const dgd::Mac* mac, uint64_t now);
  void track_reply(const dgd::EchoReply& r, uint64_t now);
  Target* find(int ifindex, const IpAddr& gw);
  std::string death_reason(const Target& x) const;
  std::string restore_reason(const Target& x) const;

  static int on_timer(sd_event_source* s, uint64_t usec, void* self);
  static int on_packet(sd_event_source* s, int fd, uint32_t revents, void* iface);
  static int on_ns(sd_event_source* s, int fd, uint32_t revents, void* iface);
  static int on_echo(sd_event_source* s, int fd, uint32_t revents, void* self);

  sd_event* ev_;
  DgdTiming timing_;
  StateFn fn_;
  std::map<std::string, Target> targets_;
  std::map<std::pair<int, IpAddr>, std::string> by_gateway_;
  std::map<uint32_t, std::string> by_serial_;
  std::map<int, Iface> ifaces_;
  sd_event_source* echo4_ = nullptr;
  sd_event_source* echo6_ = nullptr;
  sd_event_source* timer_ = nullptr;
  uint16_t echo_id_ = 0;
  uint16_t echo_seq_ = 0;
  uint32_t next_serial_ = 1;
  std::vector<Change> pending_;
  std::set<std::string> socket_errors_logged_;
};

}  // namespace vipa
