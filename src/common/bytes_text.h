// Kernel names (interfaces, sysctl paths built from them) are bytes, not text: Linux accepts
// any byte but '/', ':', NUL and whitespace in an interface name. JSON and Prometheus need
// UTF-8, so a name is written as text by one lossless rule and read back by its inverse.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace vipa {

// Valid UTF-8 is kept as it is, except that '\' becomes "\\"; every byte that is not part of a
// valid UTF-8 sequence, and every control character, becomes "\xHH". Plain names (en1,
// eth0.100, wlp2s0) are unchanged.
std::string escape_bytes(std::string_view bytes);

// The inverse of escape_bytes; nullopt for a malformed escape.
std::optional<std::string> unescape_bytes(std::string_view text);

// Whether s is valid UTF-8 (what nlohmann::json's strict dump requires).
bool valid_utf8(std::string_view s);

// The net under every JSON vipad writes: each string (key or value) that is not valid UTF-8
// is replaced by its escape_bytes() text, so a dump can never throw and nothing is lost.
void make_text(nlohmann::json& j);

}  // namespace vipa
