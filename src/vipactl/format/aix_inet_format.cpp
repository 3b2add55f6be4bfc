// vipactl's AIX network-wide commands (lsdev -Cc if, netstat -in, netstat -C, no, route) from
// vipad's JSON; just over 400 lines, one formatter per command over shared column helpers.
#include "vipactl/format/aix_inet_format.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "common/ipaddr.h"
#include "vipactl/format/json_fields.h"

namespace vipa::ctl {
namespace {

using nlohmann::json;

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string rpad(const std::string& s, size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

std::vector<json> sorted_interfaces(const json& result) {
  std::vector<json> out;
  for (const auto& i : array_of(result, "interfaces"))
    if (i.is_object()) out.push_back(i);
  std::stable_sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return str_of(a, "name") < str_of(b, "name");
  });
  return out;
}

// AIX's device descriptions for the interface types it has; Linux-only kinds are named.
std::string if_description(const json& itf) {
  if (bool_of(itf, "vipa")) return "Virtual IP Address Network Interface";
  if (bool_of(itf, "loopback")) return "Loopback Network Interface";
  std::string kind = str_of(itf, "kind");
  if (kind.empty()) return "Standard Ethernet Network Interface";
  if (kind == "bond") return "EtherChannel Network Interface (bond)";
  if (kind == "vlan") return "VLAN Network Interface (vlan)";
  if (kind == "veth") return "Virtual Ethernet Network Interface (veth)";
  return "Network Interface (" + kind + ")";
}

// ---- netstat -in ----

std::string in_row(const std::string& name, const std::string& mtu, const std::string& network,
                   const std::string& address, const json& itf) {
  auto n = [&](const char* k) { return str_of(itf, k).empty() ? "0" : str_of(itf, k); };
  // An IPv6 row has no Address: its Network may use both columns, as AIX's does.
  std::string cols = address.empty() ? pad(network, 26) : pad(network, 11) + " " + pad(address, 14);
  return pad(name, 5) + " " + pad(mtu, 5) + " " + cols + rpad(n("ipkts"), 10) +
         rpad(n("ierrs"), 6) + rpad(n("opkts"), 9) + rpad(n("oerrs"), 6) + rpad(n("coll"), 6) +
         "\n";
}

// BSD's netname() without the prefix length: 10.68.1.0/24 -> "10.68.1".
std::string network_name(const std::string& addr, int prefixlen) {
  auto a = IpAddr::parse(addr);
  if (!a) return addr;
  std::string abbr = abbreviate_destination(a->masked(prefixlen).str(), prefixlen);
  if (abbr == "default") return "0";
  auto slash = abbr.find('/');
  return slash == std::string::npos ? abbr : abbr.substr(0, slash);
}

// ---- no ----

const std::vector<NoTunable> kTunables = {
    {"dgd_packets_lost", "packets_lost", 0, false, 1},
    {"dgd_ping_time", "ping_time_ms", 1000, false, 10},
    // Minutes: "After dgd_retry_time minutes have passed, the route's costs are restored"
    // (IBM AIX: Dead gateway detection).
    {"dgd_retry_time", "retry_time_ms", 60000, false, 10},
    {"passive_dgd", "passive_dgd", 0, true, 0},
};

// AIX's unit of a timer: its short name, and how many decimals show a millisecond value in it
// without losing the millisecond (a minute's 0.00001 is 0.6 ms).
const char* unit_name(const NoTunable& t) {
  return t.unit_ms == 60000 ? "min" : "s";
}
int unit_decimals(const NoTunable& t) {
  return t.unit_ms == 60000 ? 5 : 3;
}
// Milliseconds in AIX's unit: whole when they are, else rounded to unit_decimals() decimals.
std::string in_unit(const NoTunable& t, uint64_t ms) {
  if (ms % t.unit_ms == 0) return std::to_string(ms / t.unit_ms);
  uint64_t scale = 1;
  for (int i = 0; i < unit_decimals(t); ++i) scale *= 10;
  uint64_t scaled = (ms * scale * 2 + t.unit_ms) / (2 * t.unit_ms);  // half up
  std::string frac = std::to_string(scaled % scale);
  frac.insert(0, static_cast<size_t>(unit_decimals(t)) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return std::to_string(scaled / scale) + (frac.empty() ? "" : "." + frac);
}

// ---- route= ----

std::string dotted_mask(int len) {
  return prefixlen_to_netmask(len);
}

}  // namespace

std::string format_lsdev_if(const json& result) {
  auto itfs = sorted_interfaces(result);
  size_t width = 0;
  for (const auto& i : itfs) width = std::max(width, str_of(i, "name").size());
  std::string out;
  for (const auto& i : itfs) {
    // AIX: Available = configured in the kernel; Defined = known but not configured (a VIPA
    // after rmdev -l or with state=detach). The location code column is empty: no Linux
    // interface has an AIX location code.
    std::string status = bool_of(i, "present") ? "Available" : "Defined";
    out += pad(str_of(i, "name"), width) + " " + pad(status, 9) + "  " + if_description(i) + "\n";
  }
  return out;
}

std::string format_netstat_in(const json& result, RouteFamily family) {
  std::string out = "Name  Mtu   Network     Address            Ipkts Ierrs    Opkts Oerrs  Coll\n";
  for (const auto& i : sorted_interfaces(result)) {
    if (!bool_of(i, "present")) continue;
    std::string name = str_of(i, "name"), mtu = str_of(i, "mtu");
    if (family == RouteFamily::kAll)
      out += in_row(name, mtu, "link#" + str_of(i, "ifindex"), str_of(i, "address"), i);
    for (const auto& a : array_of(i, "addresses")) {
      std::string fam = str_of(a, "family"), addr = str_of(a, "address");
      int len = static_cast<int>(int_of(a, "prefixlen").value_or(0));
      if (fam == "inet" && family != RouteFamily::kInet6) {
        out += in_row(name, mtu, network_name(addr, len), addr, i);
      } else if (fam == "inet6" && family != RouteFamily::kInet) {
        // AIX puts an IPv6 address in the Network column, a link-local one with its scope.
        auto ip = IpAddr::parse(addr);
        std::string shown = ip && (ip->is_v6_link_local() || ip->is_loopback())
                                ? addr + "%" + str_of(i, "ifindex")
                                : addr + "/" + std::to_string(len);
        out += in_row(name, mtu, shown, "", i);
      }
    }
  }
  return out;
}

std::string format_netstat_costs(const json& result, RouteFamily family) {
  std::string out =
      "Routing tables\n"
      "Destination        Gateway           Flags   Wt  Policy  If   Cost Config_Cost  DGD\n";
  auto tree = [&](const char* fam, const char* title) {
    out += title;
    for (const auto& r : array_of(result, "routes")) {
      if (str_of(r, "family") != fam) continue;
      std::string dst = abbreviate_destination(
          str_of(r, "destination"), static_cast<int>(int_of(r, "prefixlen").value_or(0)));
      std::string flags = netstat_flags(r);
      bool installed = !r.contains("installed") || bool_of(r, "installed");
      if (!installed) flags.erase(std::remove(flags.begin(), flags.end(), 'U'), flags.end());
      if (bool_of(r, "active_dgd")) flags += 'A';  // AIX: active dead gateway detection
      std::string ifname = str_of(r, "interface");
      std::string cost = installed ? str_of(r, "metric") : "-";
      std::string config_cost = str_of(r, "config_cost");
      if (config_cost.empty()) config_cost = str_of(r, "metric");
      std::string dgd = str_of(r, "gateway_state");
      out += pad(dst, 18) + " " + pad(netstat_gateway(r), 17) + " " + pad(flags, 6) + " " +
             rpad("1", 3) + "  " + pad("-", 6) + "  " + pad(ifname.empty() ? "-" : ifname, 4) +
             rpad(cost, 5) + " " + rpad(config_cost, 11) + "  " + (dgd.empty() ? "-" : dgd) + "\n";
    }
  };
  if (family != RouteFamily::kInet6)
    tree("inet", "\nRoute Tree for Protocol Family 2 (Internet):\n");
  if (family != RouteFamily::kInet)
    tree("inet6", "\nRoute Tree for Protocol Family 24 (Internet v6):\n");
  return out;
}

const std::vector<NoTunable>& no_tunables() {
  return kTunables;
}

const NoTunable* find_no_tunable(std::string_view name) {
  for (const auto& t : kTunables)
    if (t.name == name) return &t;
  return nullptr;
}

NoValue parse_no_value(const NoTunable& t, std::string_view text) {
  NoValue out;
  std::string name(t.name);
  auto bad = [&](const std::string& why) {
    out.error = name + ": '" + std::string(text) + "' " + why;
    return out;
  };
  if (text.empty()) return bad("is not a value");
  if (t.boolean) {
    if (text == "0" || text == "1") {
      out.value = text == "1" ? 1 : 0;
      return out;
    }
    return bad("must be 0 or 1");
  }
  // Digits, then for a timer an optional fraction: no signs, exponents or spaces.
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot), frac;
  if (dot != std::string_view::npos) {
    if (t.unit_ms == 0) return bad("must be a whole number");
    frac = text.substr(dot + 1);
  }
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !digits(whole) || !digits(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    if (t.unit_ms == 0) return bad("is not a whole number");
    return bad(t.unit_ms == 60000 ? "is not a number of minutes (e.g. 5 or 0.5)"
                                  : "is not a number of seconds (e.g. 2 or 0.5)");
  }
  if (whole.size() > 7) return bad("is too large");
  uint64_t v = std::stoull(std::string(whole));
  if (t.unit_ms != 0) {
    // The fraction in milliseconds, exactly: N / 10^k of a unit is N * unit_ms / 10^k ms
    // (nine digits at most enter the sum; later ones only make it inexact).
    std::string f(frac.substr(0, 9));
    uint64_t num = f.empty() ? 0 : std::stoull(f), den = 1;
    for (size_t i = 0; i < f.size(); ++i) den *= 10;
    uint64_t part = num * t.unit_ms;
    bool exact = part % den == 0 && frac.find_first_not_of('0', 9) == std::string_view::npos;
    v = v * t.unit_ms + part / den + (part % den * 2 >= den ? 1 : 0);  // half up
    if (!exact) {
      out.notice = name + " " + std::string(text) + " " + unit_name(t) + " rounded to " +
                   std::to_string(v) + " ms ([dgd] " + std::string(t.config_key) +
                   " is in milliseconds)";
    }
  }
  if (v > UINT32_MAX) return bad("is too large");
  if (v < t.min)
    return bad(t.unit_ms != 0 ? "is below the minimum of " + std::to_string(t.min) + " ms (" +
                                    in_unit(t, t.min) + " " + unit_name(t) + ")"
                              : "is below the minimum of " + std::to_string(t.min));
  out.value = static_cast<uint32_t>(v);
  return out;
}

std::string no_value_text(const NoTunable& t, const json& dgd) {
  std::string key(t.config_key);
  if (t.boolean) return bool_of(dgd, key.c_str()) ? "1" : "0";
  int64_t v = int_of(dgd, key.c_str()).value_or(0);
  if (t.unit_ms == 0) return std::to_string(v);
  return in_unit(t, v < 0 ? 0 : static_cast<uint64_t>(v));
}

std::string format_no_query(const NoTunable& t, const json& dgd) {
  return std::string(t.name) + " = " + no_value_text(t, dgd) + "\n";
}

std::string format_no_all(const json& dgd) {
  size_t width = 0;
  for (const auto& t : kTunables) width = std::max(width, t.name.size());
  std::string out;
  for (const auto& t : kTunables)
    out += rpad(std::string(t.name), width + 2) + " = " + no_value_text(t, dgd) + "\n";
  return out;
}

json AixRoute::to_json() const {
  json j = {{"destination", destination}, {"gateway", gateway},       {"metric", hopcount},
            {"interface", interface},     {"active_dgd", active_dgd}, {"host", host}};
  return j;
}

std::optional<AixRoute> parse_route_attr(std::string_view text, std::string* error) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    fields.emplace_back(
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto fail = [&](const std::string& why) -> std::optional<AixRoute> {
    *error = "route=" + std::string(text) + ": " + why;
    return std::nullopt;
  };
  if (fields.size() < 3) return fail("expected TYPE,OPTIONS...,DESTINATION,GATEWAY");
  AixRoute r;
  if (fields[0] == "host")
    r.host = true;
  else if (fields[0] != "net")
    return fail("the type must be net or host, not '" + fields[0] + "'");
  r.gateway = fields.back();
  std::string dest = fields[fields.size() - 2];
  std::string netmask;
  int prefixlen = -1;
  for (size_t i = 1; i + 2 < fields.size(); ++i) {
    const std::string& f = fields[i];
    if (f.empty()) continue;
    auto value = [&]() -> std::optional<std::string> {
      if (i + 3 > fields.size() - 1) return std::nullopt;
      return fields[++i];
    };
    if (f == "-hopcount") {
      auto v = value();
      if (!v || v->empty() || v->size() > 9 ||
          !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("-hopcount needs a whole number");
      r.hopcount = static_cast<uint32_t>(std::stoul(*v));
    } else if (f == "-netmask") {
      auto v = value();
      if (!v) return fail("-netmask needs a mask");
      netmask = *v;
    } else if (f == "-prefixlen") {
      auto v = value();
      if (!v || v->empty() || v->size() > 3 ||
          !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("-prefixlen needs a number");
      prefixlen = std::stoi(*v);
    } else if (f == "-if" || f == "-interface") {
      auto v = value();
      if (!v || v->empty()) return fail(f + " needs an interface name");
      r.interface = *v;
    } else if (f == "-active_dgd") {
      r.active_dgd = true;
    } else if (f == "-static" || f == "-inet6") {
      // AIX's own flags that change nothing here: every recorded route is static.
    } else {
      return fail("unknown option '" + f +
                  "' (known: -hopcount, -netmask, -prefixlen, -if, "
                  "-active_dgd)");
    }
  }
  if (r.gateway.empty()) return fail("the gateway (the last field) is missing");
  if (dest.empty()) return fail("the destination (before the gateway) is missing");
  if (!netmask.empty()) {
    auto len = netmask_to_prefixlen(netmask);
    if (!len) return fail("-netmask " + netmask + " is not a contiguous IPv4 mask");
    prefixlen = *len;
  }
  if (dest == "0" || dest == "default") {
    auto gw = IpAddr::parse(r.gateway);
    r.destination = gw && gw->is_v6() ? "default6" : "default";
    return r;
  }
  if (dest.find('/') == std::string::npos && prefixlen >= 0 && !r.host)
    dest += "/" + std::to_string(prefixlen);
  r.destination = dest;
  return r;
}

std::string format_route_attr(const json& route) {
  std::string dest = str_of(route, "destination");
  std::string out = bool_of(route, "host") ? "host" : "net";
  out += ",-hopcount," + std::to_string(int_of(route, "metric").value_or(0));
  std::string shown = dest;
  if (dest == "default" || dest == "default6") {
    shown = "0";
  } else if (auto p = Prefix::parse(dest); p && p->len != p->addr.bits()) {
    out += p->addr.is_v4() ? ",-netmask," + dotted_mask(p->len)
                           : ",-prefixlen," + std::to_string(p->len);
    shown = p->addr.str();
  } else if (p) {
    shown = p->addr.str();
  }
  if (std::string itf = str_of(route, "interface"); !itf.empty()) out += ",-if," + itf;
  if (bool_of(route, "active_dgd")) out += ",-active_dgd";
  return out + ",," + shown + "," + str_of(route, "gateway");
}

std::string format_lsattr_inet0(const json& inet0, std::string_view only) {
  struct Row {
    std::string attr, value, description;
  };
  std::vector<Row> rows;
  const json& recorded =
      inet0.is_object() && inet0.contains("recorded") ? inet0["recorded"] : json();
  for (const auto& r : array_of(recorded, "routes")) {
    bool v6 = str_of(r, "family") == "inet6";
    std::string attr = v6 ? "rout6" : "route";
    if (!only.empty() && only != attr) continue;
    rows.push_back({attr, format_route_attr(r), v6 ? "IPv6 Route" : "Route"});
  }
  if (rows.empty()) {
    // AIX lists the attribute with an empty value when no route is recorded.
    if (only.empty() || only == "route") rows.push_back({"route", "", "Route"});
    if (only.empty() || only == "rout6") rows.push_back({"rout6", "", "IPv6 Route"});
  }
  size_t vw = 0, dw = 0;
  for (const auto& r : rows) {
    vw = std::max(vw, r.value.size());
    dw = std::max(dw, r.description.size());
  }
  std::string out;
  for (const auto& r : rows)
    out += pad(r.attr, 6) + pad(r.value, vw + 1) + pad(r.description, dw + 1) + "True\n";
  return out;
}

}  // namespace vipa::ctl
