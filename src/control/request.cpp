#include "control/request.h"

#include <cstdint>

namespace vipa::control {

using nlohmann::json;

bool is_non_negative_integer(const json& j) {
  return j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

json error_answer(const std::string& code, const std::string& message) {
  return {{"v", 1}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

namespace {

// nlohmann's parser is iterative, but copying and printing a value recurse once per level: a
// 64 KiB line of 32,000 nested arrays as "id" would need megabytes of stack when echoed back.
// No request needs more than a few levels, so deeper lines are refused before parsing.
bool nested_deeper_than(const std::string& line, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

LineOutcome answer_line(const std::string& line, bool privileged, const Handler& handler) {
  LineOutcome out;
  if (line.empty()) {
    out.empty = true;
    return out;
  }
  if (nested_deeper_than(line, kMaxDepth)) {
    out.answer = error_answer(
        "bad_request", "request nested deeper than " + std::to_string(kMaxDepth) + " levels");
    return out;
  }
  json req = json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    out.answer = error_answer("bad_request", "not a JSON object");
  } else if (!req.contains("cmd") || !req["cmd"].is_string()) {
    out.answer = error_answer("bad_request", "missing \"cmd\" (a string)");
  } else if (req.contains("v") && req["v"] != 1) {
    out.answer = error_answer("bad_version", "this vipad speaks protocol version 1");
  } else if (req["cmd"] == "monitor") {
    out.subscribe = true;
    out.answer = {{"v", 1}, {"ok", true}, {"result", {{"subscribed", true}}}};
  } else {
    try {
      out.answer = handler(req, privileged);
    } catch (const std::exception& e) {
      // The handler validates what it reads; anything it missed is a bad request, not a crash.
      out.answer = error_answer("bad_request", std::string("malformed request: ") + e.what());
    }
  }
  if (req.is_object() && req.contains("id")) out.answer["id"] = req["id"];
  return out;
}

}  // namespace vipa::control
