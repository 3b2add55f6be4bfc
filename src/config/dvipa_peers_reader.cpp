#include <set>

#include "config/dvipa_peers.h"
#include "config/values.h"
#include "moves/ruleset.h"

namespace vipa {

void read_dvipa_peers(const toml::node& n, DvipaConfig& d, ErrorSink& sink) {
  auto a = n.as_array();
  if (!a) {
    sink.fail(loc_of(n), "peers: expected an array of { id = \"...\", address = \"...\" }");
    return;
  }
  if (a->size() > moves::kMaxPeers) {
    sink.fail(loc_of(n), "peers: at most " + std::to_string(moves::kMaxPeers) + " peers");
    return;
  }
  std::set<std::string> ids, addrs;
  for (auto& item : *a) {
    auto t = item.as_table();
    if (!t) {
      sink.fail(loc_of(item), "peers: expected { id = \"...\", address = \"...\" }");
      continue;
    }
    DvipaPeer p;
    bool has_id = false, has_addr = false;
    for (auto&& [kp, np] : *t) {
      const std::string_view k = kp.str();
      auto s = np.as_string();
      has_id |= k == "id";
      has_addr |= k == "address";
      if (k != "id" && k != "address") {
        sink.fail(loc_of(kp), "peers: unknown key '" + std::string(k) + "' (id, address)");
      } else if (!s || s->get().empty()) {
        sink.fail(loc_of(np), "peers: " + std::string(k) + ": expected a non-empty string");
      } else if (k == "id") {
        p.id = s->get();
        if (!ids.insert(p.id).second)
          sink.fail(loc_of(np), "peers: id '" + p.id + "' appears twice");
      } else {
        auto v = parse_ipv4_value(s->get());
        if (!v) {
          sink.fail(loc_of(np), "peers: address: " + v.error().message);
          continue;
        }
        p.address = v->str();
        if (!addrs.insert(p.address).second)
          sink.fail(loc_of(np), "peers: address " + p.address + " appears twice");
      }
    }
    if (!has_id) sink.fail(loc_of(item), "peers: a peer without 'id' (its router ID or AS)");
    if (!has_addr) sink.fail(loc_of(item), "peers: a peer without 'address' (IPv4)");
    d.peers.push_back(std::move(p));
  }
}

}  // namespace vipa
