// Tolerant readers of vipad's JSON answers for vipactl's formatters: the answer is input vipactl
// did not write, so a missing field or one of another type reads as empty, never throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vipa::ctl {

// A string as it is, an integer in decimal (unsigned ones above INT64_MAX too); else "".
std::string str_of(const nlohmann::json& j, const char* key);
// An integer that fits int64_t; nullopt for anything else (an unsigned above INT64_MAX too).
std::optional<int64_t> int_of(const nlohmann::json& j, const char* key);
// true only for a boolean true.
bool bool_of(const nlohmann::json& j, const char* key);
// The array, or an empty one.
const nlohmann::json& array_of(const nlohmann::json& j, const char* key);

}  // namespace vipa::ctl
