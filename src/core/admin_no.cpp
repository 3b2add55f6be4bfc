// `no` (AIX's network options command, here the dead gateway detection tunables of inet0),
// decided without I/O like the other changing commands (core/admin_change.h): the change is
// checked against the running config as a whole (validate_config), merged into inet0's record
// for the modes that record it, and only then taken.
#include <cstdint>
#include <string>

#include "control/request.h"
#include "core/admin_change.h"

namespace vipa {

using nlohmann::json;

json dgd_config_json(const DgdConfig& d) {
  return {{"ping_time_ms", d.ping_time_ms},
          {"packets_lost", d.packets_lost},
          {"retry_time_ms", d.retry_time_ms},
          {"passive_dgd", d.passive_dgd}};
}

namespace {

AdminChange refuse(const std::string& code, const std::string& message) {
  AdminChange c;
  c.answer = control::error_answer(code, message);
  return c;
}

// The "set" object of a request as the record keys it changes. AIX's minimums
// ("IBM AIX: no command", dgd_packets_lost >= 1; the times here in ms, at least 10).
Result<Inet0Record> tunables_of(const json& set) {
  Inet0Record change;
  for (auto& [k, v] : set.items()) {
    if (k == "passive_dgd") {
      if (!v.is_boolean()) return Error::msg("no: passive_dgd must be a boolean");
      change.passive_dgd = v.get<bool>();
      continue;
    }
    if (!control::is_non_negative_integer(v) || v.get<uint64_t>() > UINT32_MAX)
      return Error::msg("no: " + k + " must be a whole number");
    uint32_t n = v.get<uint32_t>();
    uint32_t min = k == "packets_lost" ? 1 : 10;
    if (n < min)
      return Error::msg("no: " + k + " " + std::to_string(n) + " is below the minimum of " +
                        std::to_string(min));
    if (k == "ping_time_ms")
      change.ping_time_ms = n;
    else if (k == "packets_lost")
      change.packets_lost = n;
    else if (k == "retry_time_ms")
      change.retry_time_ms = n;
    else
      return Error::msg("no: unknown tunable '" + k + "'");
  }
  return change;
}

}  // namespace

AdminChange decide_no(const json& req, const Config& running_now, const AdminFiles& f) {
  std::string mode =
      req.contains("mode") && req["mode"].is_string() ? req["mode"].get<std::string>() : "both";
  if (mode != "both" && mode != "record" && mode != "running")
    return refuse("bad_request", "no: mode must be both, record or running");
  if (!req.contains("set") || !req["set"].is_object() || req["set"].empty())
    return refuse("bad_request", "no: missing \"set\" (an object of [dgd] keys)");
  auto change = tunables_of(req["set"]);
  if (!change.ok()) return refuse("invalid", change.error().message);
  Config running = running_now;
  apply_inet0(running, *change);
  if (Status v = validate_config(running); !v.ok()) return refuse("invalid", v.error().message);
  AdminChange c;
  if (mode != "running") {
    if (!f.inet0.ok()) return refuse("invalid", f.inet0.error().message);
    Inet0Record record = f.inet0.value();
    if (change->ping_time_ms) record.ping_time_ms = change->ping_time_ms;
    if (change->packets_lost) record.packets_lost = change->packets_lost;
    if (change->retry_time_ms) record.retry_time_ms = change->retry_time_ms;
    if (change->passive_dgd) record.passive_dgd = change->passive_dgd;
    c.write = FileWrite{f.inet0_path, render_inet0(record), "internal"};
  }
  c.answer = {{"v", 1}, {"ok", true}, {"result", {{"dgd", dgd_config_json(running.dgd)}}}};
  if (mode != "record") {
    c.running = std::move(running);
    c.event_message = "dead gateway detection tunables changed by no";
    c.why = "no";
  }
  return c;
}

}  // namespace vipa
