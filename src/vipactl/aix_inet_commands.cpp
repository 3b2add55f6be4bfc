// AIX's network-wide commands: lsdev -Cc if, netstat -in / -C, no, route, and the inet0 device's
// lsattr and chdev. Arguments are checked completely here before anything is sent.
#include <algorithm>
#include <iostream>

#include "common/ipaddr.h"
#include "vipactl/commands.h"
#include "vipactl/format/aix_inet_format.h"

namespace vipa::vipactl {

using nlohmann::json;

namespace {

int usage(const std::string& command, const std::string& message) {
  return fail(kExitUsage, command + ": " + message + " (see 'vipactl " + command + " --help')");
}

ctl::RouteFamily family_of(const std::string& f) {
  if (f == "inet") return ctl::RouteFamily::kInet;
  if (f == "inet6") return ctl::RouteFamily::kInet6;
  return ctl::RouteFamily::kAll;
}

// AIX prints what route changed as "net DEST: gateway GW" (IBM AIX: route Command).
std::string route_echo(const json& r) {
  std::string dest = r.value("destination", std::string());
  if (dest == "default6") dest = "default";
  return std::string(r.value("host", false) ? "host " : "net ") + dest + ": gateway " +
         r.value("gateway", std::string()) + "\n";
}

bool digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

int run_lsdev(Session& s, const LsdevArgs& a) {
  if (!a.customized) return usage("lsdev", "only the customized devices (-C) are supported");
  if (a.device_class != "if") return usage("lsdev", "only class 'if' (-c if) is supported");
  Answer ans = s.call("interfaces");
  if (!ans.ok()) return ans.exit_code;
  std::cout << ctl::format_lsdev_if(ans.result);
  return kExitOk;
}

int run_netstat_in(Session& s, const NetstatArgs& a) {
  Answer ans = s.call("interfaces");
  if (!ans.ok()) return ans.exit_code;
  std::cout << ctl::format_netstat_in(ans.result, family_of(a.family));
  return kExitOk;
}

int run_netstat_costs(Session& s, const NetstatArgs& a) {
  json args = json::object();
  if (!a.family.empty()) args["family"] = a.family;
  Answer ans = s.call_all_pages("route_costs", std::move(args));
  if (!ans.ok()) return ans.exit_code;
  std::cout << ctl::format_netstat_costs(ans.result, family_of(a.family));
  return kExitOk;
}

int run_no(Session& s, const NoArgs& a) {
  if (a.now_and_recorded && a.recorded_only) return usage("no", "-p and -r exclude each other");
  if (a.all == !a.option.empty()) return usage("no", "give -a or -o TUNABLE[=VALUE]");
  const char* which = a.recorded_only ? "recorded" : "running";
  if (a.all) {
    Answer ans = s.call("inet0");
    if (!ans.ok()) return ans.exit_code;
    std::cout << ctl::format_no_all(ans.result[which]["dgd"]);
    return kExitOk;
  }
  auto eq = a.option.find('=');
  std::string name = a.option.substr(0, eq);
  const ctl::NoTunable* t = ctl::find_no_tunable(name);
  if (!t) {
    std::string known;
    for (auto& x : ctl::no_tunables()) known += (known.empty() ? "" : ", ") + std::string(x.name);
    return usage("no", "unknown tunable '" + name + "' (vipad's are " + known + ")");
  }
  if (eq == std::string::npos) {
    Answer ans = s.call("inet0");
    if (!ans.ok()) return ans.exit_code;
    std::cout << ctl::format_no_query(*t, ans.result[which]["dgd"]);
    return kExitOk;
  }
  std::string text = a.option.substr(eq + 1);
  ctl::NoValue v = ctl::parse_no_value(*t, text);
  if (!v.value) return usage("no", v.error);
  if (!v.notice.empty()) std::cerr << "vipactl: no: notice: " << v.notice << "\n";
  json set = json::object();
  if (t->boolean)
    set[std::string(t->config_key)] = *v.value == 1;
  else
    set[std::string(t->config_key)] = *v.value;
  // AIX: no flag = the running kernel only; -p = now and at next boot; -r = next boot only.
  std::string mode = a.now_and_recorded ? "both" : a.recorded_only ? "record" : "running";
  Answer ans = s.call("no", {{"set", set}, {"mode", mode}});
  if (!ans.ok()) return ans.exit_code;
  std::string shown = ctl::no_value_text(*t, ans.result["dgd"]);
  if (mode != "record") std::cout << "Setting " << name << " to " << shown << "\n";
  if (mode != "running")
    std::cout << "Setting " << name << " to " << shown << " in nextboot file\n";
  if (mode == "record")
    std::cout << "Warning: changes will take effect only at next vipad start or reload\n";
  return kExitOk;
}

int run_route(Session& s, const std::vector<std::string>& args) {
  if (args.empty()) return usage("route", "give add or delete");
  const std::string& op = args[0];
  if (op != "add" && op != "delete") return usage("route", "'" + op + "': give add or delete");
  ctl::AixRoute r;
  bool net = false;
  std::string netmask;
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& w = args[i];
    auto value = [&](const char* what) -> const std::string* {
      if (i + 1 >= args.size()) {
        usage("route", w + " needs " + what);
        return nullptr;
      }
      return &args[++i];
    };
    if (w == "-net") {
      net = true;
    } else if (w == "-host") {
      r.host = true;
    } else if (w == "-inet" || w == "-inet6") {
      // The family follows the addresses.
    } else if (w == "-active_dgd") {
      r.active_dgd = true;
    } else if (w == "-hopcount") {
      auto v = value("a number");
      if (!v) return kExitUsage;
      if (!digits(*v)) return usage("route", "-hopcount " + *v + ": not a whole number");
      r.hopcount = static_cast<uint32_t>(std::stoul(*v));
    } else if (w == "-if") {
      auto v = value("an interface name");
      if (!v) return kExitUsage;
      r.interface = *v;
    } else if (w == "-netmask") {
      auto v = value("a mask");
      if (!v) return kExitUsage;
      netmask = *v;
    } else if (!w.empty() && w[0] == '-') {
      return usage("route", "unknown flag " + w +
                                " (known: -net, -host, -netmask, -hopcount, -if, -active_dgd)");
    } else {
      positional.push_back(w);
    }
  }
  if (net && r.host) return usage("route", "-net and -host exclude each other");
  if (positional.size() != 2) return usage("route", "give DESTINATION and GATEWAY");
  std::string dest = positional[0];
  r.gateway = positional[1];
  if (dest == "0") dest = "default";
  if (!netmask.empty()) {
    if (r.host) return usage("route", "-netmask is for a network, not -host");
    auto len = netmask_to_prefixlen(netmask);
    if (!len) return usage("route", "-netmask " + netmask + " is not a contiguous IPv4 mask");
    if (dest.find('/') != std::string::npos)
      return usage("route", "give either DEST/LEN or -netmask, not both");
    dest += "/" + std::to_string(*len);
  } else if (net && dest != "default" && dest.find('/') == std::string::npos) {
    return usage("route", "-net " + dest + " needs -netmask MASK or DEST/LEN");
  }
  r.destination = dest;
  std::string mode = "both";
  Answer ans = s.call("route", {{"op", op}, {"route", r.to_json()}, {"mode", mode}});
  if (!ans.ok()) return ans.exit_code;
  std::cout << route_echo(ans.result["route"]);
  return kExitOk;
}

int run_lsattr_inet0(Session& s, const LsattrArgs& a) {
  if (!a.attr.empty() && a.attr != "route" && a.attr != "rout6")
    return usage("lsattr", "inet0: unknown attribute '" + a.attr + "' (known: route, rout6)");
  if (a.legal) return usage("lsattr", "inet0: -R is not supported (route takes the route= form)");
  Answer ans = s.call("inet0");
  if (!ans.ok()) return ans.exit_code;
  if (ans.result["recorded"].contains("error"))
    return fail(kExitFailure, "lsattr: " + ans.result["recorded"]["error"].get<std::string>());
  std::cout << ctl::format_lsattr_inet0(ans.result, a.attr);
  return kExitOk;
}

int run_chdev_inet0(Session& s, const ChdevArgs& a) {
  // Every -a is checked before the first is sent; each then changes one route.
  std::vector<std::pair<std::string, ctl::AixRoute>> changes;
  for (const auto& arg : a.attrs) {
    auto eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    if (eq == std::string::npos ||
        (name != "route" && name != "delroute" && name != "rout6" && name != "delrout6"))
      return usage("chdev", "inet0: -a " + arg +
                                ": expected route=..., delroute=..., rout6=... or delrout6=...");
    std::string error;
    auto r = ctl::parse_route_attr(arg.substr(eq + 1), &error);
    if (!r) return usage("chdev", "inet0: " + error);
    changes.emplace_back(name.rfind("del", 0) == 0 ? "delete" : "add", *r);
  }
  std::string mode = a.record_only ? "record" : a.running_only ? "running" : "both";
  for (auto& [op, r] : changes) {
    Answer ans = s.call("route", {{"op", op}, {"route", r.to_json()}, {"mode", mode}});
    if (!ans.ok()) return ans.exit_code;
  }
  std::cout << "inet0 changed\n";
  return kExitOk;
}

}  // namespace vipa::vipactl
