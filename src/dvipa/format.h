// vipactl's text for Dynamic VIPAs, from vipad's JSON answers: `vipactl dvipa` and the z/OS
// shaped `vipactl netstat vipadyn` ("z/OS Communications Server: IP System Administrator's
// Commands", NETSTAT VIPADYN). Answers are input: missing or odd fields print as "-".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vipa::dvipa {

std::string format_dvipas(const nlohmann::json& result);   // {"dvipas": [...]}
std::string format_vipadyn(const nlohmann::json& result);  // {"vipadyn": [...]}

}  // namespace vipa::dvipa
