// AIX's network-wide commands (inet0): route add/delete, chdev -l inet0, no, and the read-only
// views behind netstat -in, netstat -C and lsdev -Cc if. Changes are validated as a whole
// config first, then applied to the running state and/or recorded in PATH.d/50-vipactl-inet0.toml
// (config/inet0.h), atomically; a refused change leaves both as they were.
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>

#include "common/atomic_file.h"
#include "config/inet0.h"
#include "config/values.h"
#include "core/desired.h"
#include "daemon/daemon.h"
#include "nl/link_stats.h"

namespace vipa {

using nlohmann::json;

namespace {

json ok(json result) {
  return {{"v", 1}, {"ok", true}, {"result", std::move(result)}};
}

std::string destination_text(const RouteConfig& r) {
  if (!r.destination || r.destination->len == 0)
    return r.family == AF_INET6 ? "default6" : "default";
  return r.destination->addr.str() + "/" + std::to_string(r.destination->len);
}

json route_cfg_json(const RouteConfig& r) {
  bool host = r.destination && r.destination->len == r.destination->addr.bits();
  return {{"destination", host ? r.destination->addr.str() : destination_text(r)},
          {"family", r.family == AF_INET6 ? "inet6" : "inet"},
          {"gateway", r.gateway ? r.gateway->str() : ""},
          {"interface", r.interface},
          {"metric", r.metric},
          {"active_dgd", r.active_dgd},
          {"host", host}};
}

json dgd_json(const DgdConfig& d) {
  return {{"ping_time_ms", d.ping_time_ms},
          {"packets_lost", d.packets_lost},
          {"retry_time_ms", d.retry_time_ms},
          {"passive_dgd", d.passive_dgd}};
}

json inet0_json(const Config& c) {
  json routes = json::array();
  for (auto& r : c.routes) routes.push_back(route_cfg_json(r));
  return {{"routes", routes}, {"dgd", dgd_json(c.dgd)}};
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

// Adds or deletes `route` in `c`; the error code and message when the change cannot be made.
std::optional<std::pair<std::string, std::string>> change_routes(Config& c, bool add,
                                                                 RouteConfig& route) {
  auto it = find_route(c.routes, route);
  if (add) {
    if (it != c.routes.end())
      return std::pair{std::string("exists"), "route " + destination_text(route) + " via " +
                                                  (route.gateway ? route.gateway->str() : "-") +
                                                  " already exists"};
    c.routes.push_back(route);
    return std::nullopt;
  }
  if (it == c.routes.end())
    return std::pair{std::string("not_found"), "no route " + destination_text(route) + " via " +
                                                   (route.gateway ? route.gateway->str() : "-")};
  route = *it;
  c.routes.erase(it);
  return std::nullopt;
}

std::string mode_of(const json& req) {
  return req.contains("mode") && req["mode"].is_string() ? req["mode"].get<std::string>() : "both";
}

}  // namespace

json Daemon::cmd_interfaces() {
  json out = json::array();
  std::set<std::string> seen;
  const Observed& obs = cache_.obs();
  std::set<std::string> vipa_names;
  for (auto& v : cfg_.vipas) vipa_names.insert(v.name);
  std::vector<nl::LinkStats> links;
  Status s = req_.dump(RTM_GETLINK, AF_UNSPEC, [&](const nlmsghdr* nlh) {
    if (auto l = nl::decode_link_stats(nlh)) links.push_back(std::move(*l));
  });
  if (!s.ok()) return error_answer("internal", "interfaces: " + s.error().message);
  for (auto& l : links) {
    json addrs = json::array();
    for (auto* a : obs.addrs_on(l.ifindex))
      addrs.push_back({{"family", a->family == AF_INET6 ? "inet6" : "inet"},
                       {"address", a->addr.str()},
                       {"prefixlen", a->prefixlen}});
    seen.insert(l.name);
    out.push_back({{"name", l.name},
                   {"ifindex", l.ifindex},
                   {"kind", l.kind},
                   {"vipa", vipa_names.count(l.name) > 0},
                   {"loopback", (l.flags & IFF_LOOPBACK) != 0},
                   {"present", true},
                   {"up", (l.flags & IFF_UP) != 0},
                   {"mtu", l.mtu},
                   {"address", l.address},
                   {"ipkts", l.rx_packets},
                   {"ierrs", l.rx_errors},
                   {"opkts", l.tx_packets},
                   {"oerrs", l.tx_errors},
                   {"coll", l.collisions},
                   {"addresses", addrs}});
  }
  // A configured VIPA that is not in the kernel (rmdev -l, state = "detach") is AIX's Defined.
  for (auto& v : cfg_.vipas)
    if (!seen.count(v.name))
      out.push_back(
          {{"name", v.name}, {"vipa", true}, {"present", false}, {"addresses", json::array()}});
  return ok({{"interfaces", out}});
}

json Daemon::cmd_route_costs(const std::string& family) const {
  json kroutes = routes_json(family)["routes"];
  json out = json::array();
  const Observed& obs = cache_.obs();
  std::vector<bool> matched(cfg_.routes.size(), false);
  for (auto& k : kroutes) {
    if (k["table"] != "main" || k["type"] != "unicast") continue;
    if (k["protocol"] == "vipa") {
      for (size_t i = 0; i < cfg_.routes.size(); ++i) {
        const RouteConfig& rc = cfg_.routes[i];
        if (!rc.destination || rc.destination->len != k["prefixlen"].get<int>() ||
            (rc.destination->len > 0 && rc.destination->addr.str() != k["destination"]) ||
            (rc.gateway ? rc.gateway->str() : "") != k["gateway"])
          continue;
        matched[i] = true;
        k["config_cost"] = rc.metric;
        k["active_dgd"] = rc.active_dgd;
        if (rc.gateway && rc.active_dgd)
          k["gateway_state"] =
              intent_.dead_gateways.count(gateway_key(*rc.gateway, route_oif(cfg_, obs, rc)))
                  ? "dead"
                  : "alive";
        break;
      }
    }
    out.push_back(k);
  }
  // A configured route that is not in the kernel: withdrawn for a dead gateway, or waiting for
  // its interface.
  for (size_t i = 0; i < cfg_.routes.size(); ++i) {
    const RouteConfig& rc = cfg_.routes[i];
    if (matched[i] || !rc.destination) continue;
    const char* fam = rc.family == AF_INET6 ? "inet6" : "inet";
    if (!family.empty() && family != fam) continue;
    int oif = route_oif(cfg_, obs, rc);
    const Link* l = obs.link(oif);
    bool dead = rc.gateway && intent_.dead_gateways.count(gateway_key(*rc.gateway, oif));
    json row = {{"family", fam},
                {"table", "main"},
                {"type", "unicast"},
                {"destination", rc.destination->addr.str()},
                {"prefixlen", rc.destination->len},
                {"gateway", rc.gateway ? rc.gateway->str() : ""},
                {"interface", l ? l->name : rc.interface},
                {"metric", rc.metric},
                {"config_cost", rc.metric},
                {"protocol", "vipa"},
                {"installed", false},
                {"active_dgd", rc.active_dgd},
                {"flags", json::array()}};
    if (rc.gateway && rc.active_dgd) row["gateway_state"] = dead ? "dead" : "alive";
    out.push_back(row);
  }
  return ok({{"routes", out}});
}

json Daemon::cmd_inet0() const {
  json recorded;
  auto rec = load_config(opt_.config_path);
  recorded = rec.ok() ? inet0_json(*rec) : json{{"error", rec.error().message}};
  return ok({{"running", inet0_json(cfg_)}, {"recorded", recorded}});
}

json Daemon::cmd_route(const json& req) {
  std::string op = req.contains("op") && req["op"].is_string() ? req["op"].get<std::string>() : "";
  if (op != "add" && op != "delete")
    return error_answer("bad_request", "route: \"op\" must be add or delete");
  std::string mode = mode_of(req);
  if (mode != "both" && mode != "record" && mode != "running")
    return error_answer("bad_request", "route: mode must be both, record or running");
  auto route = route_of(req);
  if (!route.ok()) return error_answer("invalid", route.error().message);
  bool add = op == "add";
  // Check both sides before touching either: the running config and the recorded one.
  Config running = cfg_;
  RouteConfig run_route = *route;
  if (mode != "record") {
    if (auto e = change_routes(running, add, run_route)) return error_answer(e->first, e->second);
    if (Status v = validate_config(running); !v.ok())
      return error_answer("invalid", v.error().message);
  }
  std::string path = inet0_dropin_path(opt_.config_path);
  Inet0Record record;
  if (mode != "running") {
    auto recorded = load_config(opt_.config_path);
    if (!recorded.ok()) return error_answer("invalid", recorded.error().message);
    RouteConfig rec_route = *route;
    if (auto e = change_routes(*recorded, add, rec_route)) return error_answer(e->first, e->second);
    if (Status v = validate_config(*recorded); !v.ok())
      return error_answer("invalid", v.error().message);
    auto current = read_inet0_record(path);
    if (!current.ok()) return error_answer("invalid", current.error().message);
    record = std::move(*current);
    if (add) {
      record_route_add(record, rec_route);
    } else {
      auto main = parse_config_file(opt_.config_path);
      bool in_main =
          main.ok() && std::any_of(main->routes.begin(), main->routes.end(),
                                   [&](const RouteConfig& x) { return same_route(x, rec_route); });
      record_route_delete(record, rec_route, in_main);
    }
    if (Status w = write_file_atomic(path, render_inet0(record), 0644); !w.ok())
      return error_answer("internal", w.error().message);
  }
  if (mode != "record") {
    cfg_ = std::move(running);
    emit("reload", "",
         "route " + op + " " + destination_text(run_route) +
             (run_route.gateway ? " via " + run_route.gateway->str() : ""));
    schedule("route");
  }
  return ok({{"route", route_cfg_json(add || mode == "record" ? *route : run_route)}});
}

json Daemon::cmd_no(const json& req) {
  std::string mode = mode_of(req);
  if (mode != "both" && mode != "record" && mode != "running")
    return error_answer("bad_request", "no: mode must be both, record or running");
  if (!req.contains("set") || !req["set"].is_object() || req["set"].empty())
    return error_answer("bad_request", "no: missing \"set\" (an object of [dgd] keys)");
  Inet0Record change;
  for (auto& [k, v] : req["set"].items()) {
    if (k == "passive_dgd") {
      if (!v.is_boolean()) return error_answer("invalid", "no: passive_dgd must be a boolean");
      change.passive_dgd = v.get<bool>();
      continue;
    }
    if (!v.is_number_unsigned() || v.get<uint64_t>() > UINT32_MAX)
      return error_answer("invalid", "no: " + k + " must be a whole number");
    uint32_t n = v.get<uint32_t>();
    uint32_t min = k == "packets_lost" ? 1 : 10;
    if (n < min)
      return error_answer("invalid", "no: " + k + " " + std::to_string(n) +
                                         " is below the minimum of " + std::to_string(min));
    if (k == "ping_time_ms")
      change.ping_time_ms = n;
    else if (k == "packets_lost")
      change.packets_lost = n;
    else if (k == "retry_time_ms")
      change.retry_time_ms = n;
    else
      return error_answer("invalid", "no: unknown tunable '" + k + "'");
  }
  Config running = cfg_;
  apply_inet0(running, change);
  if (Status v = validate_config(running); !v.ok())
    return error_answer("invalid", v.error().message);
  if (mode != "running") {
    std::string path = inet0_dropin_path(opt_.config_path);
    auto current = read_inet0_record(path);
    if (!current.ok()) return error_answer("invalid", current.error().message);
    Inet0Record record = std::move(*current);
    if (change.ping_time_ms) record.ping_time_ms = change.ping_time_ms;
    if (change.packets_lost) record.packets_lost = change.packets_lost;
    if (change.retry_time_ms) record.retry_time_ms = change.retry_time_ms;
    if (change.passive_dgd) record.passive_dgd = change.passive_dgd;
    if (Status w = write_file_atomic(path, render_inet0(record), 0644); !w.ok())
      return error_answer("internal", w.error().message);
  }
  if (mode != "record") {
    cfg_.dgd = running.dgd;
    if (gw_) gw_->configure(cfg_.dgd);
    emit("reload", "", "dead gateway detection tunables changed by no");
    schedule("no");
  }
  return ok({{"dgd", dgd_json(mode == "record" ? running.dgd : cfg_.dgd)}});
}

}  // namespace vipa
