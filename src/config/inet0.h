// What vipactl records for AIX's inet0 device: routes (`route add`, `chdev -l inet0 -a
// route=...`) and the dead gateway tunables (`no -p|-r -o dgd_*`). vipad keeps them in a drop-in
// of their own, PATH.d/50-vipactl-inet0.toml, beside the VIPAs' 50-vipactl.toml, so that the
// administrator's vipa.conf is never rewritten. Any drop-in may hold these tables:
//   [[route]] ...               a route added after the main file's routes (one with the same
//                               destination, gateway and interface is replaced)
//   [[route]] deleted = true    with destination (and gateway, interface): removes that route
//   [dgd] ...                   each key given overrides the main file's
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace vipa {

struct Inet0Record {
  std::vector<RouteConfig> routes;   // added or replaced
  std::vector<RouteConfig> deleted;  // tombstones: only destination, gateway, interface count
  std::optional<uint32_t> ping_time_ms, packets_lost, retry_time_ms;
  std::optional<bool> passive_dgd;
  bool empty() const;
};

std::string inet0_dropin_path(const std::string& config_path);

// Same destination, gateway and interface ("" matches only ""): AIX's identity of a route.
bool same_route(const RouteConfig& a, const RouteConfig& b);

// Applies a record on top of `c` (pure): tombstones, then added routes, then the [dgd] keys.
void apply_inet0(Config& c, const Inet0Record& r);

// A record as TOML that load_config() reads back to the same record.
std::string render_inet0(const Inet0Record& r);

// Reads the record file alone (a missing file is an empty record).
Result<Inet0Record> read_inet0_record(const std::string& path);
// The same from the file's text; `name` is used in error locations.
Result<Inet0Record> parse_inet0_record(std::string_view text, const std::string& name);

// Changes to a record, as the commands make them. Each returns false when nothing changed.
// add: a route not in `base` is recorded (and a tombstone for it dropped);
// remove: a recorded route is dropped, and one from the main file gets a tombstone.
void record_route_add(Inet0Record& r, const RouteConfig& route);
void record_route_delete(Inet0Record& r, const RouteConfig& route, bool in_main_file);

}  // namespace vipa
