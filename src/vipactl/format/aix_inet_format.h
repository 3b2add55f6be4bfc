// vipactl's output for AIX's network-wide commands: `lsdev -Cc if`, `netstat -in`, `netstat -C`,
// `no`, and `lsattr -El inet0`, rendered from vipad's answers (docs/control-protocol.md); and the
// parsing of AIX's own input forms (`no` values in seconds, inet0's `route=` attribute). Pure
// functions, golden-tested like aix_format.h; a missing or mistyped field prints as empty.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vipactl/format/aix_format.h"

namespace vipa::ctl {

// `lsdev -Cc if` from the `interfaces` result (IBM AIX: lsdev Command).
std::string format_lsdev_if(const nlohmann::json& interfaces_result);
// `netstat -in` from the `interfaces` result (IBM AIX: netstat Command).
std::string format_netstat_in(const nlohmann::json& interfaces_result, RouteFamily family);
// `netstat -C` from the `route_costs` result: costs and each route's dead gateway state.
std::string format_netstat_costs(const nlohmann::json& costs_result, RouteFamily family);

// ---- no (IBM AIX: no Command) ----

struct NoTunable {
  std::string_view name;        // dgd_ping_time
  std::string_view config_key;  // ping_time_ms: the [dgd] key in vipa.conf
  uint32_t unit_ms;             // AIX's unit in the config's milliseconds (1000 s, 60000
                                // min); 0: a count or a boolean, the same on both sides
  bool boolean;                 // 0 or 1 on AIX, true/false in vipa.conf
  uint32_t min;                 // the config's lower bound, in its own unit
};
const std::vector<NoTunable>& no_tunables();
const NoTunable* find_no_tunable(std::string_view name);

// AIX's value text -> the config's value. Seconds and minutes may carry decimals ("0.1"); a
// value that is no whole number of milliseconds is rounded to one with `notice` saying so.
// nullopt with `error` set when refused.
struct NoValue {
  std::optional<uint32_t> value;
  std::string notice;
  std::string error;
};
NoValue parse_no_value(const NoTunable& t, std::string_view text);

// The config's value in AIX's unit: milliseconds become seconds (up to three decimals) or
// minutes (up to five, enough to give back the same millisecond), decimals only when the value
// is not whole (AIX prints whole numbers).
std::string no_value_text(const NoTunable& t, const nlohmann::json& dgd);
// `no -o NAME` ("NAME = VALUE"); `no -a` (every tunable, names right-aligned as AIX does).
std::string format_no_query(const NoTunable& t, const nlohmann::json& dgd);
std::string format_no_all(const nlohmann::json& dgd);

// ---- inet0's route attribute (IBM AIX: route Command; chdev -l inet0 -a route=...) ----

// One route as vipad's `inet0` answer and the `route` request carry it.
struct AixRoute {
  bool host = false;
  std::string destination;  // "default", "10.68.7.0/24", "10.68.7.9" (host), "default6", ...
  std::string gateway;
  uint32_t hopcount = 0;    // the route's cost: [[route]] metric
  std::string interface;    // -if
  bool active_dgd = false;  // -active_dgd
  nlohmann::json to_json() const;
};

// "net,-hopcount,0,,0,10.68.1.2", "net,-hopcount,1,-netmask,255.255.255.0,,,,10.68.7.0,
// 10.68.1.2", "host,-hopcount,0,-if,en1,-active_dgd,,,10.68.7.9,10.68.1.2": type, options,
// then destination and gateway last ("0" is the default route). nullopt with `error` set.
std::optional<AixRoute> parse_route_attr(std::string_view text, std::string* error);
// The same form from a route object of vipad's answer (netmask for IPv4 networks,
// -prefixlen for IPv6 ones).
std::string format_route_attr(const nlohmann::json& route);

// `lsattr -El inet0 [-a route|rout6]` from the `inet0` answer's recorded routes.
std::string format_lsattr_inet0(const nlohmann::json& inet0_result, std::string_view only = {});

}  // namespace vipa::ctl
