// What vipad's changing control commands decide: mkdev, chdev and rmdev (AIX's device
// commands for a VIPA), route add/delete (`route`, `chdev -l inet0 -a route=`/`delroute=`) and
// `no` (inet0's dead gateway detection tunables, core/admin_no.cpp).
// Pure: the daemon reads the files beforehand (AdminFiles), then carries out the AdminChange:
// writes the one file atomically, takes the new running config, tells the monitors and
// converges. A refusal is an answer alone: nothing is written and nothing runs differently.
// docs/control-protocol.md has the requests and answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/config.h"
#include "config/inet0.h"
#include "core/status_view.h"

namespace vipa {

// What the commands read besides the running config, read by the caller before deciding.
struct AdminFiles {
  std::string dropin_path;     // PATH.d/50-vipactl.toml, the VIPAs' record
  std::string inet0_path;      // PATH.d/50-vipactl-inet0.toml, inet0's record
  std::optional<Config> main;  // the main file alone (parse_config_file), unset if it is refused
  Result<Config> recorded;     // load_config(): the main file and its drop-ins, what a restart runs
  Result<Inet0Record> inet0;   // read_inet0_record(inet0_path)
  // The files `recorded` was loaded from (read_config_texts), to judge what a restart would run
  // once the change is written; empty when they could not be read.
  std::vector<ConfigText> texts;
};

struct FileWrite {
  std::string path;
  std::string text;
  std::string error_code;  // the answer's code when the write fails ("invalid" or "internal")
};

struct AdminChange {
  nlohmann::json answer;           // what the client gets once the change is carried out
  std::optional<FileWrite> write;  // the record to write first; when it fails, nothing else
  std::optional<Config> running;   // the config vipad runs from now on (unset: unchanged)
  std::string event_vipa;          // with `running`: the monitors' "reload" event
  std::string event_message;
  std::string why;  // with `running`: what the converge is for ("mkdev", "route", ...)
};

// `req` is a mkdev, chdev, rmdev or route request that passed control::answer_line(); `now` is the
// daemon's view (now.cfg the running config), which the answers describe VIPAs with
// (vipa_status). Never throws: a malformed request is a bad_request answer.
AdminChange decide_admin(const nlohmann::json& req, const StatusInput& now,
                         const AdminFiles& files);

// The commands decide_admin() answers.
bool is_admin_command(const std::string& cmd);

// A configured route as the route and inet0 answers show it.
nlohmann::json route_config_json(const RouteConfig& r);

// The [dgd] tunables as the no and inet0 answers show them.
nlohmann::json dgd_config_json(const DgdConfig& d);

// `no`: the change of inet0's tunables `req["set"]` to the running config `running` (mode
// both/running) and to inet0's record (mode both/record). Called through decide_admin().
AdminChange decide_no(const nlohmann::json& req, const Config& running, const AdminFiles& files);

}  // namespace vipa
