#include "vipactl/session.h"

#include <cerrno>
#include <iostream>

#include "core/paging.h"

namespace vipa::vipactl {

using nlohmann::json;

int exit_code_for_error(const std::string& code) {
  if (code == "invalid" || code == "bad_request" || code == "not_found" || code == "exists" ||
      code == "permission_denied") {
    return kExitUsage;
  }
  return kExitFailure;
}

std::string string_field(const json& j, const char* key, const std::string& fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

int fail(int exit_code, const std::string& message) {
  std::cerr << "vipactl: " << message << "\n";
  return exit_code;
}

bool Session::connect(int* exit_code) {
  if (conn_) return true;
  auto conn = ControlConnection::open(socket_path_);
  if (!conn) {
    int e = conn.error().errnum;
    std::string where = "cannot connect to " + socket_path_ + ": " + conn.error().message;
    // vipad is running but the socket (mode 0600) is root's: "not running" would mislead.
    if (e == EACCES || e == EPERM) {
      *exit_code = fail(kExitFailure, "permission denied (" + where + ")");
    } else {
      *exit_code = fail(kExitFailure, "vipad is not running (" + where + ")");
    }
    return false;
  }
  conn_.emplace(std::move(*conn));
  return true;
}

Answer Session::call(const std::string& cmd, json args) {
  Answer answer;
  if (!connect(&answer.exit_code)) return answer;
  int id = next_id_++;
  json request = std::move(args);
  request["v"] = 1;
  request["id"] = id;
  request["cmd"] = cmd;
  if (auto st = conn_->send_line(request.dump()); !st) {
    answer.exit_code = fail(kExitFailure, st.error().message);
    return answer;
  }
  auto line = conn_->read_line(kAnswerTimeoutMs);
  if (!line) {
    answer.exit_code = fail(kExitFailure, line.error().message);
    return answer;
  }
  json reply = json::parse(*line, nullptr, /*allow_exceptions=*/false);
  auto ok = reply.is_object() ? reply.find("ok") : reply.end();
  auto reply_id = reply.is_object() ? reply.find("id") : reply.end();
  if (ok == reply.end() || !ok->is_boolean() ||
      (reply_id != reply.end() && *reply_id != json(id))) {
    answer.exit_code = fail(kExitFailure, "malformed answer from vipad: " + line->substr(0, 200));
    return answer;
  }
  if (ok->get<bool>()) {
    auto result = reply.find("result");
    answer.result = result == reply.end() ? json::object() : *result;
    return answer;
  }
  json err = reply.contains("error") ? reply["error"] : json();
  std::string code = string_field(err, "code", "");
  std::string message = string_field(err, "message", "");
  if (message.empty()) message = code.empty() ? "vipad reported an error" : code;
  answer.exit_code = fail(exit_code_for_error(code), message);
  return answer;
}

Answer Session::call_all_pages(const std::string& cmd, json args) {
  Answer all;
  all.result = {{"routes", json::array()}};
  for (size_t offset = 0;;) {
    args["offset"] = offset;
    Answer page = call(cmd, args);
    if (!page.ok()) return page;
    if (page.result.is_object() && page.result.contains("routes") &&
        page.result["routes"].is_array())
      for (auto& r : page.result["routes"]) all.result["routes"].push_back(std::move(r));
    auto next = next_page_offset(page.result, offset);
    if (!next.ok()) {
      all.exit_code = fail(kExitFailure, cmd + ": " + next.error().message);
      return all;
    }
    if (!next->has_value()) return all;
    offset = **next;
  }
}

}  // namespace vipa::vipactl
