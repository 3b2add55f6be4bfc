#include "moves/tracker.h"

namespace vipa::moves {

void Tracker::set_params(Params p) {
  p_ = std::move(p);
  for (auto it = targets_.begin(); it != targets_.end();)
    it = peer(it->first) ? std::next(it) : targets_.erase(it);
  for (auto it = unreached_since_.begin(); it != unreached_since_.end();)
    it = targets_.count(it->first) ? std::next(it) : unreached_since_.erase(it);
}

void Tracker::adopt_target(const std::string& id, uint64_t now_ms) {
  if (peer(id)) targets_.try_emplace(id, now_ms);
}

const Peer* Tracker::peer(const std::string& id) const {
  for (auto& pr : p_.peers)
    if (pr.id == id) return &pr;
  return nullptr;
}

std::optional<std::string> Tracker::newest_target() const {
  std::optional<std::string> best;
  uint64_t at = 0;
  for (auto& [id, since] : targets_)
    if (!best || since >= at) best = id, at = since;
  return best;
}

// A peer gone (its host dead, or cut off from the routers) keeps no connections: packets
// forwarded to it are lost, and the client would wait for its retransmission timeouts. Once
// cut, a moved flow meets this host's own stack, which answers it with a reset. A host with
// no routing neighbour reaches nobody, which tells nothing of the peers: it cuts nothing.
// Where the view does not say whom it reaches (BGP), `reachable` comes from echoes to the
// targets (moves/liveness.h).
void Tracker::cut_unreached(const Inputs& in, std::vector<Event>& out) {
  if (!in.reachable || in.neighbours == 0) {
    unreached_since_.clear();
    return;
  }
  for (auto it = targets_.begin(); it != targets_.end();) {
    const std::string& id = it->first;
    // The owner the routers choose is there by the protocol's own judgement.
    if (in.reachable->count(id) || (in.owner_id && *in.owner_id == id)) {
      unreached_since_.erase(id);
      ++it;
      continue;
    }
    auto [since, fresh] = unreached_since_.emplace(id, in.now_ms);
    (void)fresh;
    if (in.now_ms - since->second < p_.peer_gone_ms) {
      ++it;
      continue;
    }
    out.push_back({"forward_cut",
                   "forwarding to " + id + " cut: unreachable for " +
                       std::to_string(in.now_ms - since->second) +
                       " ms; the connections it kept are lost",
                   id, 0});
    unreached_since_.erase(since);
    it = targets_.erase(it);
  }
}

std::vector<Event> Tracker::step(const Inputs& in) {
  std::vector<Event> out;
  connections_ = in.connections;
  if (in.view_ok) {
    // Armed before it is needed: the routers move the traffic before this host's next read of
    // their view says it owns the DVIPA, and the packets of the owner's connections that
    // arrive in between must not be answered with resets. Any other owner that is a peer is
    // therefore a target while it owns the DVIPA and for moving_timeout after.
    if (in.owner_id && !in.owner_self && *in.owner_id != p_.self_id && peer(*in.owner_id))
      targets_[*in.owner_id] = in.now_ms;
    if (in.owner_self && !was_owner_) {
      if (last_other_owner_ && *last_other_owner_ != p_.self_id) {
        const std::string& prev = *last_other_owner_;
        if (peer(prev))
          out.push_back({"forward",
                         "owner now; flows not opened here go to the previous owner " + prev +
                             " (" + peer(prev)->address + ")",
                         prev, 0});
        else
          out.push_back({"not_a_peer",
                         "owner now; the previous owner " + prev +
                             " is not among the peers: its connections are not forwarded",
                         prev, 0});
      }
      if (moving_) {
        moving_ = false;
        out.push_back(
            {"moving_done", "owner again: its connections are served here", "", in.connections});
      }
    } else if (!in.owner_self && was_owner_) {
      // Unannounced or outbid while alive: keep the address and the connections on it.
      if (in.connections != 0) {
        moving_ = true;
        moving_since_ = in.now_ms;
        out.push_back(
            {"moving",
             "no longer the owner; keeping " +
                 (in.connections < 0 ? std::string("its") : std::to_string(in.connections)) +
                 " established connections here until they end",
             "", in.connections});
      }
    } else if (!in.owner_self && !decided_ && in.connections > 0) {
      // vipad restarted (kill -9 too) while this host was MOVING: the new tracker never saw it
      // own the DVIPA, but a host that does not own it and holds connections on it is an old
      // owner keeping them (forwarded flows go only to old owners). moving_timeout counts from
      // now.
      moving_ = true;
      moving_since_ = in.now_ms;
      out.push_back({"moving",
                     "not the owner at start; keeping " + std::to_string(in.connections) +
                         " established connections here until they end",
                     "", in.connections});
    }
    // The first view with a known count decides (as the owner: it moves once outbid).
    if (in.owner_self || in.connections >= 0) decided_ = true;
    was_owner_ = in.owner_self;
    if (in.owner_id && !in.owner_self) last_other_owner_ = in.owner_id;
    cut_unreached(in, out);
  }
  if (moving_ && in.connections == 0) {
    moving_ = false;
    out.push_back({"moving_done", "the last connection ended", "", 0});
  } else if (moving_ && in.now_ms - moving_since_ >= p_.moving_timeout_ms) {
    moving_ = false;
    int n = in.connections < 0 ? 0 : in.connections;
    out.push_back({"moving_timeout",
                   "moving_timeout (" + std::to_string(p_.moving_timeout_ms / 1000) +
                       " s): " + std::to_string(n) + " connections cut",
                   "", n});
  }
  // The old owner gives up its connections at its own moving_timeout at the latest: forwarding
  // to it is of no use after that.
  for (auto it = targets_.begin(); it != targets_.end();) {
    if (in.now_ms - it->second >= p_.moving_timeout_ms) {
      out.push_back(
          {"forward_done", "forwarding to " + it->first + " ended (moving_timeout)", it->first, 0});
      unreached_since_.erase(it->first);
      it = targets_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace vipa::moves
