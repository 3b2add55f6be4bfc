// Nondisruptive moves of one DVIPA on one host, purely: from who owns the DVIPA (the routing
// protocol's view), this host's connections on it and the time (all passed in), whether this
// host is MOVING (an old owner keeping its connections, unannounced) and which peers it
// forwards the flows it did not open to (a new owner, or a host in a chain of moves). Like
// z/OS's MOVEABLE NONDISRUPTIVE ("z/OS Communications Server: IP Configuration Guide",
// Dynamic VIPA). The kernel side is in src/daemon/moves_*; docs/dynamic-vipa.md draws it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vipa::moves {

struct Peer {
  std::string id;       // the routing protocol's name for the host: OSPF router ID, BGP AS
  std::string address;  // its tunnel endpoint (IPv4)
};

struct Params {
  std::vector<Peer> peers;  // this host may be among them (recognised by id)
  std::string self_id;      // this host's id in the routing protocol's view
  uint64_t moving_timeout_ms = 600'000;
  // A target the routing protocol has not reached for this long is gone: its forwarding is cut.
  // It rides out a view in flux (an LSA refresh, a neighbour's restart) on top of the
  // protocol's own detection time (dead interval or BFD).
  uint64_t peer_gone_ms = 1000;
};

struct Inputs {
  uint64_t now_ms = 0;
  bool view_ok = false;  // the routing protocol's view is read and current
  bool owner_self = false;
  std::optional<std::string> owner_id;  // who owns it now (nullopt: nobody announces it)
  int connections = -1;                 // established here on the DVIPA; -1 unknown
  // The hosts the routing protocol reaches from here (OSPF: over two-way links), this one
  // included; nullopt where its view does not say (BGP names only the announcers).
  std::optional<std::set<std::string>> reachable;
  uint32_t neighbours = 0;  // this host's routing neighbours: with none, it reaches nobody
};

struct Event {
  // moving, moving_done, moving_timeout, forward, forward_done, forward_cut, not_a_peer
  std::string kind;
  std::string message;
  std::string peer;  // forward*: the peer's id
  int connections = 0;
};

class Tracker {
 public:
  explicit Tracker(Params p) : p_(std::move(p)) {}
  void set_params(Params p);  // reload: targets whose peer is gone stop at once
  // vipad restarted and found the kernel forwarding to this peer: carry on (for
  // moving_timeout from now).
  void adopt_target(const std::string& id, uint64_t now_ms);
  std::vector<Event> step(const Inputs& in);

  bool moving() const { return moving_; }
  uint64_t moving_since_ms() const { return moving_since_; }
  int connections() const { return connections_; }
  // Peers this host forwards to, by id, with the time each was last seen owning the DVIPA
  // (the current owner included: armed before a move); the newest gets the flows new here.
  const std::map<std::string, uint64_t>& targets() const { return targets_; }
  std::optional<std::string> newest_target() const;
  const Peer* peer(const std::string& id) const;
  const Params& params() const { return p_; }

 private:
  void cut_unreached(const Inputs& in, std::vector<Event>& out);
  Params p_;
  bool was_owner_ = false;
  // A fresh tracker (vipad started or the DVIPA got peers) decides at its first view with a
  // known count whether the connections here are an old owner's (MOVING across a restart).
  bool decided_ = false;
  std::optional<std::string> last_other_owner_;
  bool moving_ = false;
  uint64_t moving_since_ = 0;
  int connections_ = -1;
  std::map<std::string, uint64_t> targets_;
  std::map<std::string, uint64_t> unreached_since_;  // targets the protocol does not reach
};

}  // namespace vipa::moves
