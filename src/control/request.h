// One control-socket request line -> one answer (docs/control-protocol.md), without any I/O:
// shared by vipad's ControlServer and the control fuzzer, so the fuzzer runs the real decoder.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace vipa::control {

using Handler = std::function<nlohmann::json(const nlohmann::json& req, bool privileged)>;

struct LineOutcome {
  nlohmann::json answer;   // always set for a non-empty line
  bool subscribe = false;  // the line was `monitor`: the connection now receives events
  bool empty = false;      // a blank line: no answer
};

// Deepest nesting of arrays/objects a request may have (see request.cpp).
inline constexpr int kMaxDepth = 64;
// Routes in one `routes` answer (about 700 KB of JSON); more are paged with "offset".
inline constexpr size_t kRoutesPerAnswer = 2048;

nlohmann::json error_answer(const std::string& code, const std::string& message);

// A whole number >= 0 in a request, whether the JSON holds it as signed (built in code) or
// unsigned (parsed from text).
bool is_non_negative_integer(const nlohmann::json& j);

// Decodes and checks the line (a JSON object, "cmd" a string, "v" 1 when present), answers
// `monitor` itself, hands everything else to `handler`, and echoes "id". Never throws.
LineOutcome answer_line(const std::string& line, bool privileged, const Handler& handler);

}  // namespace vipa::control
