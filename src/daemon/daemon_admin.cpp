// Changing control commands: mkdev, chdev, rmdev (AIX's device commands) and reload.
// A change is validated as a whole config first; only then is it applied to the running
// state and/or recorded in the drop-in vipad owns (PATH.d/50-vipactl.toml), atomically.
#include <algorithm>

#include "common/atomic_file.h"
#include "config/attrs.h"
#include "daemon/daemon.h"
#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

namespace {

json ok(json result) {
  return {{"v", 1}, {"ok", true}, {"result", std::move(result)}};
}

Result<std::map<std::string, std::string>> attrs_of(const json& req) {
  std::map<std::string, std::string> out;
  if (!req.contains("attrs")) return out;
  if (!req["attrs"].is_object()) return Error::msg("\"attrs\" must be an object");
  for (auto& [k, v] : req["attrs"].items()) {
    if (!v.is_string()) return Error::msg("attribute " + k + ": value must be a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<std::string> name_of(const json& req) {
  if (!req.contains("name") || !req["name"].is_string())
    return Error::msg("missing \"name\" (a string)");
  std::string n = req["name"].get<std::string>();
  if (!valid_ifname(n)) return Error::msg("'" + n + "' is not a valid interface name");
  return n;
}

VipaConfig* find(Config& c, const std::string& name) {
  for (auto& v : c.vipas)
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace

// Apply `next` to the running daemon and/or record it. `deleted` lists VIPAs removed by
// `rmdev -d` (recorded as tombstones when the main file defines them).
Status Daemon::apply_config(Config next, bool record, const std::vector<std::string>& deleted) {
  Status v = validate_config(next);
  if (!v.ok()) return v;
  if (record) {
    std::string dropin = dropin_path(opt_.config_path);
    std::vector<std::string> main_names;
    if (auto main = parse_config_file(opt_.config_path); main.ok())
      for (auto& x : main->vipas) main_names.push_back(x.name);
    std::vector<VipaConfig> recorded;
    std::vector<std::string> tombstones;
    for (auto& x : next.vipas)
      if (x.loc.file == dropin) recorded.push_back(x);
    for (auto& n : main_names) {
      bool present = std::any_of(next.vipas.begin(), next.vipas.end(),
                                 [&](const VipaConfig& x) { return x.name == n; });
      bool newly = std::find(deleted.begin(), deleted.end(), n) != deleted.end();
      if (!present || newly) tombstones.push_back(n);
    }
    Status w = write_file_atomic(dropin, render_dropin(recorded, tombstones), 0644);
    if (!w.ok()) return w;
  }
  return Ok{};
}

json Daemon::cmd_mkdev(const json& req) {
  auto name = name_of(req);
  if (!name.ok()) return error_answer("bad_request", "mkdev: " + name.error().message);
  auto attrs = attrs_of(req);
  if (!attrs.ok()) return error_answer("bad_request", "mkdev: " + attrs.error().message);
  Config next = cfg_;
  VipaConfig* existing = find(next, *name);
  if (existing && existing->state != VipaState::Detach)
    return error_answer("exists", *name + " already exists");
  if (!existing && attrs->empty())
    return error_answer("not_found", "no VIPA named " + *name + " is defined");
  VipaConfig v;
  if (existing) v = *existing;  // AIX: mkdev -l of a Defined device makes it Available
  v.name = *name;
  v.state = VipaState::Up;
  for (auto& [k, val] : *attrs) {
    Status s = apply_aix_attr(v, k, val);
    if (!s.ok()) return error_answer("invalid", *name + ": " + s.error().message);
  }
  if (!v.netaddr && !v.netaddr6)
    return error_answer("invalid", *name + ": needs netaddr or netaddr6");
  v.loc = SourceLoc{dropin_path(opt_.config_path), 0, 0};
  if (existing)
    *existing = v;
  else
    next.vipas.push_back(v);
  Status s = apply_config(next, true, {});
  if (!s.ok()) return error_answer("invalid", s.error().message);
  cfg_ = std::move(next);
  emit("reload", *name, *name + " created by mkdev");
  schedule("mkdev");
  return ok(vipa_json(*find(cfg_, *name)));
}

json Daemon::cmd_chdev(const json& req) {
  auto name = name_of(req);
  if (!name.ok()) return error_answer("bad_request", "chdev: " + name.error().message);
  auto attrs = attrs_of(req);
  if (!attrs.ok()) return error_answer("bad_request", "chdev: " + attrs.error().message);
  std::string mode = req.value("mode", std::string("both"));
  if (mode != "both" && mode != "record" && mode != "running")
    return error_answer("bad_request", "chdev: mode must be both, record or running");
  if (attrs->empty()) return error_answer("bad_request", "chdev: no attribute to change");
  // -P changes the record only: start from what is recorded, which may differ from what runs.
  Config base = cfg_;
  if (mode == "record") {
    auto recorded = load_config(opt_.config_path);
    if (recorded.ok()) base = std::move(recorded.value());
  }
  VipaConfig* v = find(base, *name);
  if (!v) return error_answer("not_found", "no VIPA named " + *name);
  for (auto& [k, val] : *attrs) {
    Status s = apply_aix_attr(*v, k, val);
    if (!s.ok()) return error_answer("invalid", *name + ": " + s.error().message);
  }
  if (mode != "running") v->loc = SourceLoc{dropin_path(opt_.config_path), 0, 0};
  Status s = apply_config(base, mode != "running", {});
  if (!s.ok()) return error_answer("invalid", s.error().message);
  if (mode != "record") {
    VipaConfig changed = *v;
    cfg_ = std::move(base);
    emit("reload", *name, *name + " changed by chdev");
    schedule("chdev");
    return ok(vipa_json(changed));
  }
  return ok(vipa_json(*v));
}

json Daemon::cmd_rmdev(const json& req) {
  auto name = name_of(req);
  if (!name.ok()) return error_answer("bad_request", "rmdev: " + name.error().message);
  bool del = req.value("delete", false);
  Config next = cfg_;
  VipaConfig* v = find(next, *name);
  if (!v) return error_answer("not_found", "no VIPA named " + *name);
  std::vector<std::string> deleted;
  if (del) {
    next.vipas.erase(std::remove_if(next.vipas.begin(), next.vipas.end(),
                                    [&](const VipaConfig& x) { return x.name == *name; }),
                     next.vipas.end());
    deleted.push_back(*name);
  } else {
    // AIX rmdev without -d leaves the device Defined: configured, but not in the kernel.
    v->state = VipaState::Detach;
    v->loc = SourceLoc{dropin_path(opt_.config_path), 0, 0};
  }
  Status s = apply_config(next, true, deleted);
  if (!s.ok()) return error_answer("invalid", s.error().message);
  cfg_ = std::move(next);
  emit("reload", *name, *name + (del ? " deleted by rmdev -d" : " detached by rmdev"));
  schedule("rmdev");
  return ok(json::object());
}

json Daemon::cmd_reload() {
  Status s = reload();
  if (!s.ok()) return error_answer("invalid", s.error().message);
  return ok(json::object());
}

}  // namespace vipa
