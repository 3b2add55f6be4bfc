// One vipactl run's conversation with vipad: requests out, answers checked, and every failure
// turned into the one line and the exit status that docs/vipactl.md promises.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vipactl/control_connection.h"

namespace vipa::vipactl {

// Exit statuses (docs/vipactl.md).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // vipad not running, internal error, broken connection
constexpr int kExitUsage = 2;    // bad arguments, or vipad refused the request as invalid

constexpr const char* kDefaultSocket = "/run/vipa/vipad.sock";
constexpr int kAnswerTimeoutMs = 60000;

// vipad's error codes that mean "your request was wrong", as opposed to "something broke".
int exit_code_for_error(const std::string& code);

// A string member of an answer, or `fallback` when absent or not a string (answers are input).
std::string string_field(const nlohmann::json& j, const char* key, const std::string& fallback);

// Prints "vipactl: MESSAGE" on stderr and returns `exit_code`, for one-line returns.
int fail(int exit_code, const std::string& message);

struct Answer {
  nlohmann::json result;  // the answer's "result" when ok
  int exit_code = kExitOk;
  bool ok() const { return exit_code == kExitOk; }
};

class Session {
 public:
  explicit Session(std::string socket_path) : socket_path_(std::move(socket_path)) {}

  // Sends {"v":1,"id":N,"cmd":cmd,...args} and waits for its answer. A failure has already
  // been printed when this returns; the caller only passes the exit code on.
  Answer call(const std::string& cmd, nlohmann::json args = nlohmann::json::object());
  // A paged command (`routes`, `route_costs`; core/paging.h): calls it from offset 0 and then
  // at each answer's "next" until an answer has none, and returns {"routes": every page's
  // rows}. A "next" that does not move forward fails the call (it would never end).
  Answer call_all_pages(const std::string& cmd, nlohmann::json args = nlohmann::json::object());

  // The connection after a successful call (monitor keeps reading EVENT lines from it).
  ControlConnection* connection() { return conn_ ? &*conn_ : nullptr; }

 private:
  bool connect(int* exit_code);

  std::string socket_path_;
  std::optional<ControlConnection> conn_;
  int next_id_ = 1;
};

}  // namespace vipa::vipactl
