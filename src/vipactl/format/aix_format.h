// vipactl's output: AIX's lsattr/ifconfig/netstat layouts and the Linux status/monitor text,
// rendered from the JSON that vipad answers (docs/control-protocol.md). Pure functions, so the
// sample's output can be golden-tested without a daemon or a kernel. A field that is missing or
// has the wrong type prints as empty; these functions never throw.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vipa::ctl {

// The VIPA attributes in the order AIX's `lsattr -El vi0` lists them.
const std::vector<std::string_view>& aix_attribute_names();
bool is_aix_attribute(std::string_view name);

// `lsattr -El NAME [-a ATTR]` from a VIPA object; `only` empty = every attribute.
std::string format_lsattr(const nlohmann::json& vipa, std::string_view only = {});
// `lsattr -R -l NAME -a ATTR`: the legal values, one per line ("" for an unknown attribute).
std::string format_lsattr_legal(std::string_view attr);

// `ifconfig NAME` from a VIPA object (AIX layout, flags from the live state).
std::string format_ifconfig(const nlohmann::json& vipa);

enum class RouteFamily { kAll, kInet, kInet6 };

// AIX's short network form: 10.68.1.0/24 -> "10.68.1/24", 0.0.0.0/0 -> "default",
// a host route -> the bare address.
std::string abbreviate_destination(std::string_view destination, int prefixlen);
// `netstat -rn` from the `routes` result ({"routes": [KROUTE...]}).
std::string format_netstat(const nlohmann::json& routes_result, RouteFamily family);

// netstat -rn's Flags and Gateway columns for one KROUTE (netstat -C uses them too).
std::string netstat_flags(const nlohmann::json& route);
std::string netstat_gateway(const nlohmann::json& route);

// `status` (the whole status result) and `show NAME` (one VIPA object) for people.
std::string format_status(const nlohmann::json& status);
std::string format_vipa(const nlohmann::json& vipa);
// One `monitor` EVENT line: "TIME EVENT VIPA: message".
std::string format_event(const nlohmann::json& event);

}  // namespace vipa::ctl
