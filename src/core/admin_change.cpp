// mkdev, chdev, rmdev and route add/delete, decided without I/O (core/admin_change.h).
// A change is validated as a whole config first (validate_config, as for vipa.conf); only an
// accepted one yields a record to write and a running config.
#include "core/admin_change.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "config/attrs.h"
#include "config/values.h"
#include "control/request.h"

namespace vipa {

using control::error_answer;
using nlohmann::json;

namespace {

json ok(json result) {
  return {{"v", 1}, {"ok", true}, {"result", std::move(result)}};
}

AdminChange refuse(const std::string& code, const std::string& message) {
  AdminChange c;
  c.answer = error_answer(code, message);
  return c;
}

// ----- mkdev, chdev, rmdev --------------------------------------------------------------

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

// The VIPAs' drop-in for `next`: the VIPAs whose table comes from it, and a tombstone for
// every VIPA of the main file that `next` lacks or that `deleted` names (rmdev -d).
std::string dropin_text(const Config& next, const AdminFiles& f,
                        const std::vector<std::string>& deleted) {
  std::vector<VipaConfig> recorded;
  std::vector<std::string> tombstones;
  for (auto& x : next.vipas)
    if (x.loc.file == f.dropin_path) recorded.push_back(x);
  if (f.main)
    for (auto& m : f.main->vipas) {
      bool present = std::any_of(next.vipas.begin(), next.vipas.end(),
                                 [&](const VipaConfig& x) { return x.name == m.name; });
      bool newly = std::find(deleted.begin(), deleted.end(), m.name) != deleted.end();
      if (!present || newly) tombstones.push_back(m.name);
    }
  return render_dropin(recorded, tombstones);
}

json shown(const StatusInput& now, const Config& running, const VipaConfig& v) {
  StatusInput after{running,      now.obs,      now.intent,     now.last_failover,
                    now.gateways, now.counters, now.config_path};
  return ok(vipa_status(after, v));
}

AdminChange decide_mkdev(const json& req, const StatusInput& now, const AdminFiles& f) {
  auto name = name_of(req);
  if (!name.ok()) return refuse("bad_request", "mkdev: " + name.error().message);
  auto attrs = attrs_of(req);
  if (!attrs.ok()) return refuse("bad_request", "mkdev: " + attrs.error().message);
  Config next = now.cfg;
  VipaConfig* existing = find(next, *name);
  if (existing && existing->state != VipaState::Detach)
    return refuse("exists", *name + " already exists");
  if (!existing && attrs->empty())
    return refuse("not_found", "no VIPA named " + *name + " is defined");
  VipaConfig v;
  if (existing) v = *existing;  // AIX: mkdev -l of a Defined device makes it Available
  v.name = *name;
  v.state = VipaState::Up;
  for (auto& [k, val] : *attrs) {
    Status s = apply_aix_attr(v, k, val);
    if (!s.ok()) return refuse("invalid", *name + ": " + s.error().message);
  }
  if (!v.netaddr && !v.netaddr6) return refuse("invalid", *name + ": needs netaddr or netaddr6");
  v.loc = SourceLoc{f.dropin_path, 0, 0};
  if (existing)
    *existing = v;
  else
    next.vipas.push_back(v);
  if (Status s = validate_config(next); !s.ok()) return refuse("invalid", s.error().message);
  AdminChange c;
  c.write = FileWrite{f.dropin_path, dropin_text(next, f, {}), "invalid"};
  c.answer = shown(now, next, *find(next, *name));
  c.running = std::move(next);
  c.event_vipa = *name;
  c.event_message = *name + " created by mkdev";
  c.why = "mkdev";
  return c;
}

AdminChange decide_chdev(const json& req, const StatusInput& now, const AdminFiles& f) {
  auto name = name_of(req);
  if (!name.ok()) return refuse("bad_request", "chdev: " + name.error().message);
  auto attrs = attrs_of(req);
  if (!attrs.ok()) return refuse("bad_request", "chdev: " + attrs.error().message);
  std::string mode = req.value("mode", std::string("both"));
  if (mode != "both" && mode != "record" && mode != "running")
    return refuse("bad_request", "chdev: mode must be both, record or running");
  if (attrs->empty()) return refuse("bad_request", "chdev: no attribute to change");
  // -P changes the record only: start from what is recorded, which may differ from what runs.
  Config base = mode == "record" && f.recorded.ok() ? f.recorded.value() : now.cfg;
  VipaConfig* v = find(base, *name);
  if (!v) return refuse("not_found", "no VIPA named " + *name);
  for (auto& [k, val] : *attrs) {
    Status s = apply_aix_attr(*v, k, val);
    if (!s.ok()) return refuse("invalid", *name + ": " + s.error().message);
  }
  if (mode != "running") v->loc = SourceLoc{f.dropin_path, 0, 0};
  if (Status s = validate_config(base); !s.ok()) return refuse("invalid", s.error().message);
  AdminChange c;
  if (mode != "running") c.write = FileWrite{f.dropin_path, dropin_text(base, f, {}), "invalid"};
  if (mode == "record") {
    c.answer = shown(now, now.cfg, *v);
    return c;
  }
  c.answer = shown(now, base, *v);
  c.running = std::move(base);
  c.event_vipa = *name;
  c.event_message = *name + " changed by chdev";
  c.why = "chdev";
  return c;
}

AdminChange decide_rmdev(const json& req, const StatusInput& now, const AdminFiles& f) {
  auto name = name_of(req);
  if (!name.ok()) return refuse("bad_request", "rmdev: " + name.error().message);
  bool del = req.value("delete", false);
  Config next = now.cfg;
  VipaConfig* v = find(next, *name);
  if (!v) return refuse("not_found", "no VIPA named " + *name);
  std::vector<std::string> deleted;
  if (del) {
    next.vipas.erase(std::remove_if(next.vipas.begin(), next.vipas.end(),
                                    [&](const VipaConfig& x) { return x.name == *name; }),
                     next.vipas.end());
    deleted.push_back(*name);
  } else {
    // AIX rmdev without -d leaves the device Defined: configured, but not in the kernel.
    v->state = VipaState::Detach;
    v->loc = SourceLoc{f.dropin_path, 0, 0};
  }
  if (Status s = validate_config(next); !s.ok()) return refuse("invalid", s.error().message);
  AdminChange c;
  c.write = FileWrite{f.dropin_path, dropin_text(next, f, deleted), "invalid"};
  c.answer = ok(json::object());
  c.running = std::move(next);
  c.event_vipa = *name;
  c.event_message = *name + (del ? " deleted by rmdev -d" : " detached by rmdev");
  c.why = "rmdev";
  return c;
}

// ----- route add/delete -----------------------------------------------------------------

std::string destination_text(const RouteConfig& r) {
  if (!r.destination || r.destination->len == 0)
    return r.family == AF_INET6 ? "default6" : "default";
  return r.destination->addr.str() + "/" + std::to_string(r.destination->len);
}

// The request's route object -> a RouteConfig (shape and syntax only; validate_config does
// the rest, as for vipa.conf).
Result<RouteConfig> route_of(const json& req) {
  if (!req.contains("route") || !req["route"].is_object())
    return Error::msg("missing \"route\" (an object)");
  const json& j = req["route"];
  auto text = [&](const char* k) -> std::string {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
  };
  RouteConfig r;
  std::string dest = text("destination"), gw = text("gateway");
  if (dest.empty()) return Error::msg("route: missing destination");
  if (!gw.empty()) {
    auto g = parse_ip_value(gw);
    if (!g) return Error::msg("route: gateway: " + g.error().message);
    r.gateway = *g;
  }
  // "default" follows the gateway's family, as AIX's route -inet6 default does.
  if (dest == "default" && r.gateway && r.gateway->is_v6()) dest = "default6";
  auto d = parse_destination(dest);
  if (!d) return Error::msg("route: destination: " + d.error().message);
  bool host = j.value("host", false);
  if (host && d->len != d->addr.bits())
    return Error::msg("route: -host " + dest + " is a network, not a host");
  r.destination = *d;
  r.family = d->addr.family;
  r.interface = text("interface");
  if (!r.interface.empty() && !valid_ifname(r.interface))
    return Error::msg("route: -if '" + r.interface + "' is not a valid interface name");
  if (j.contains("metric")) {
    if (!j["metric"].is_number_unsigned() || j["metric"].get<uint64_t>() > UINT32_MAX)
      return Error::msg("route: hopcount must be a whole number 0..4294967295");
    r.metric = j["metric"].get<uint32_t>();
  }
  if (j.contains("active_dgd")) {
    if (!j["active_dgd"].is_boolean()) return Error::msg("route: active_dgd must be a boolean");
    r.active_dgd = j["active_dgd"].get<bool>();
  }
  r.loc = SourceLoc{"vipactl route", 0, 0};
  return r;
}

// The configured route a delete names: same destination and gateway, and the same interface
// when one is given (AIX's route delete names no interface).
std::vector<RouteConfig>::iterator find_route(std::vector<RouteConfig>& routes,
                                              const RouteConfig& want) {
  return std::find_if(routes.begin(), routes.end(), [&](const RouteConfig& x) {
    return x.destination == want.destination && x.gateway == want.gateway &&
           (want.interface.empty() || x.interface == want.interface);
  });
}

// Adds or deletes `route` in `c` (a delete leaves the route it removed in `route`); the
// refusal when the change cannot be made.
std::optional<AdminChange> change_routes(Config& c, bool add, RouteConfig& route) {
  auto it = find_route(c.routes, route);
  std::string via = route.gateway ? route.gateway->str() : "-";
  if (add) {
    if (it != c.routes.end())
      return refuse("exists",
                    "route " + destination_text(route) + " via " + via + " already exists");
    c.routes.push_back(route);
    return std::nullopt;
  }
  if (it == c.routes.end())
    return refuse("not_found", "no route " + destination_text(route) + " via " + via);
  route = *it;
  c.routes.erase(it);
  return std::nullopt;
}

AdminChange decide_route(const json& req, const StatusInput& now, const AdminFiles& f) {
  std::string op = req.contains("op") && req["op"].is_string() ? req["op"].get<std::string>() : "";
  if (op != "add" && op != "delete")
    return refuse("bad_request", "route: \"op\" must be add or delete");
  std::string mode =
      req.contains("mode") && req["mode"].is_string() ? req["mode"].get<std::string>() : "both";
  if (mode != "both" && mode != "record" && mode != "running")
    return refuse("bad_request", "route: mode must be both, record or running");
  auto route = route_of(req);
  if (!route.ok()) return refuse("invalid", route.error().message);
  bool add = op == "add";
  // Check both sides before touching either: the running config and the recorded one.
  Config running = now.cfg;
  RouteConfig run_route = *route;
  if (mode != "record") {
    if (auto no = change_routes(running, add, run_route)) return std::move(*no);
    if (Status v = validate_config(running); !v.ok()) return refuse("invalid", v.error().message);
  }
  AdminChange c;
  if (mode != "running") {
    if (!f.recorded.ok()) return refuse("invalid", f.recorded.error().message);
    Config recorded = f.recorded.value();
    RouteConfig rec_route = *route;
    if (auto no = change_routes(recorded, add, rec_route)) return std::move(*no);
    if (Status v = validate_config(recorded); !v.ok()) return refuse("invalid", v.error().message);
    if (!f.inet0.ok()) return refuse("invalid", f.inet0.error().message);
    Inet0Record record = f.inet0.value();
    if (add) {
      record_route_add(record, rec_route);
    } else {
      bool in_main =
          f.main && std::any_of(f.main->routes.begin(), f.main->routes.end(),
                                [&](const RouteConfig& x) { return same_route(x, rec_route); });
      record_route_delete(record, rec_route, in_main);
    }
    c.write = FileWrite{f.inet0_path, render_inet0(record), "internal"};
  }
  c.answer = ok({{"route", route_config_json(add || mode == "record" ? *route : run_route)}});
  if (mode != "record") {
    c.event_message = "route " + op + " " + destination_text(run_route) +
                      (run_route.gateway ? " via " + run_route.gateway->str() : "");
    c.running = std::move(running);
    c.why = "route";
  }
  return c;
}

}  // namespace

json route_config_json(const RouteConfig& r) {
  bool host = r.destination && r.destination->len == r.destination->addr.bits();
  return {{"destination", host ? r.destination->addr.str() : destination_text(r)},
          {"family", r.family == AF_INET6 ? "inet6" : "inet"},
          {"gateway", r.gateway ? r.gateway->str() : ""},
          {"interface", r.interface},
          {"metric", r.metric},
          {"active_dgd", r.active_dgd},
          {"host", host}};
}

bool is_admin_command(const std::string& cmd) {
  return cmd == "mkdev" || cmd == "chdev" || cmd == "rmdev" || cmd == "route" || cmd == "no";
}

// A change is written to the record only if the record then still loads: what runs and what is
// recorded may differ (chdev -T, chdev -P, a record-only route), and a change that is valid for
// the running config could otherwise leave a record the next start refuses (for example an
// address that chdev -T moved away from at run time, given to a new VIPA by mkdev while the
// record still holds it). A record that did not load before is not judged here.
AdminChange keep_record_loadable(AdminChange c, const AdminFiles& f) {
  if (!c.write || f.texts.empty() || !f.recorded.ok()) return c;
  std::vector<ConfigText> after = f.texts;
  auto it = std::find_if(after.begin() + 1, after.end(),
                         [&](const ConfigText& t) { return t.name == c.write->path; });
  if (it != after.end()) {
    it->text = c.write->text;
  } else {
    auto at = std::find_if(after.begin() + 1, after.end(),
                           [&](const ConfigText& t) { return t.name > c.write->path; });
    after.insert(at, ConfigText{c.write->path, c.write->text});
  }
  if (auto back = load_config_texts(after); !back.ok())
    return refuse("invalid",
                  "the record would not load at the next start: " + back.error().message);
  return c;
}

AdminChange decide_admin(const json& req, const StatusInput& now, const AdminFiles& files) {
  // The request's "cmd" is a string (control::answer_line checked it).
  try {
    const std::string cmd = req.value("cmd", std::string());
    if (cmd == "mkdev") return keep_record_loadable(decide_mkdev(req, now, files), files);
    if (cmd == "chdev") return keep_record_loadable(decide_chdev(req, now, files), files);
    if (cmd == "rmdev") return keep_record_loadable(decide_rmdev(req, now, files), files);
    if (cmd == "route") return keep_record_loadable(decide_route(req, now, files), files);
    if (cmd == "no") return keep_record_loadable(decide_no(req, now.cfg, files), files);
    return refuse("internal", "unhandled command");
  } catch (const json::exception& e) {
    // As Daemon::handle_request answers a request whose fields have the wrong type.
    return refuse("bad_request", std::string("malformed request: ") + e.what());
  }
}

}  // namespace vipa
