// vipactl's text for Dynamic VIPAs, from vipad's JSON answers: `vipactl dvipa` and the z/OS
// shaped `vipactl netstat vipadyn` ("z/OS Communications Server: IP System Administrator's
// Commands", NETSTAT VIPADYN). Answers are input: missing or odd fields print as "-".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vipa::dvipa {

std::string format_dvipas(const nlohmann::json& result);   // {"dvipas": [...]}
std::string format_vipadyn(const nlohmann::json& result);  // {"vipadyn": [...]}
// `vipactl dvipa connections NAME`: the connections established here and where moved flows go,
// the table z/OS's NETSTAT VCRT shows (a row per connection, Dest and Source as ADDR..PORT).
std::string format_connections(const nlohmann::json& result);

}  // namespace vipa::dvipa
