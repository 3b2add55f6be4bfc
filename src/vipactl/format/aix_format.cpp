// vipactl's AIX text for one VIPA and the routing tables (lsattr, ifconfig, netstat -rn, show,
// status, monitor events) from vipad's JSON. Longer than the usual 400 lines: the commands share
// the column rules of AIX's own output.
#include "vipactl/format/aix_format.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "common/ipaddr.h"
#include "config/attrs.h"
#include "vipactl/format/json_fields.h"

namespace vipa::ctl {
namespace {

using nlohmann::json;

std::vector<std::string> string_items(const json& array) {
  std::vector<std::string> out;
  for (const auto& item : array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::string pad_right(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// ---- lsattr ----

// The attributes, their descriptions and legal values: config/attrs.h. Their values here come
// from vipad's JSON view of the VIPA, as `vipactl show` prints it.

// "10.68.6.2/24" (the VIPA object's form) -> "10.68.6.2,255.255.255.0" (AIX's attribute form).
std::string alias4_attr_form(const std::string& item) {
  auto slash = item.find('/');
  if (slash == std::string::npos) return item;
  int len = std::atoi(item.c_str() + slash + 1);
  return item.substr(0, slash) + "," + prefixlen_to_netmask(len);
}

std::string attribute_value(const json& vipa, std::string_view attr) {
  if (attr == "alias4") {
    std::vector<std::string> items;
    for (const auto& a : string_items(array_of(vipa, "alias4")))
      items.push_back(alias4_attr_form(a));
    return join(items, " ");
  }
  if (attr == "alias6") return join(string_items(array_of(vipa, "alias6")), " ");
  if (attr == "interface_names") return join(string_items(array_of(vipa, "interface_names")), ",");
  if (attr == "prefixlen") {
    // AIX leaves prefixlen empty while no IPv6 address is configured.
    if (str_of(vipa, "netaddr6").empty()) return "";
    return str_of(vipa, "prefixlen");
  }
  return str_of(vipa, std::string(attr).c_str());
}

// ---- ifconfig ----

// AIX's if_flags bits as ifconfig shows them for vi.
constexpr uint32_t kIffUp = 0x1;
constexpr uint32_t kIffRunning = 0x40;
constexpr uint32_t kIff64Bit = 0x4000000;
constexpr uint32_t kIffVirtual = 0x80000000;  // set on every vi; AIX prints no name for it

std::string hex_netmask(int prefixlen) {
  uint32_t mask = prefixlen <= 0    ? 0
                  : prefixlen >= 32 ? 0xffffffffu
                                    : ~((1u << (32 - prefixlen)) - 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32, mask);
  return buf;
}

// "10.68.6.2/24" or "10.68.6.2,255.255.255.0" -> address and prefix length.
std::pair<std::string, int> split_alias4(const std::string& item) {
  auto sep = item.find_first_of("/,");
  if (sep == std::string::npos) return {item, 32};
  std::string rest = item.substr(sep + 1);
  if (item[sep] == ',') return {item.substr(0, sep), netmask_to_prefixlen(rest).value_or(32)};
  return {item.substr(0, sep), std::atoi(rest.c_str())};
}

// ---- netstat ----

constexpr const char* kNetstatHeader =
    "Destination        Gateway           Flags   Refs     Use  If   PMTU Exp Groups\n";

bool has_flag(const json& route, std::string_view flag) {
  for (const auto& f : array_of(route, "flags")) {
    if (f.is_string() && f.get<std::string>() == flag) return true;
  }
  return false;
}

bool is_host_route(const json& route) {
  int len = static_cast<int>(int_of(route, "prefixlen").value_or(-1));
  return len == (str_of(route, "family") == "inet6" ? 128 : 32);
}

std::string route_flags(const json& route) {
  std::string type = str_of(route, "type");
  std::string protocol = str_of(route, "protocol");
  std::string flags;
  bool reject = type == "unreachable" || type == "prohibit";
  if (!reject && type != "blackhole" && !has_flag(route, "linkdown") && !has_flag(route, "dead")) {
    flags += 'U';
  }
  if (!str_of(route, "gateway").empty()) flags += 'G';
  if (is_host_route(route)) flags += 'H';
  if (reject) flags += 'R';
  if (type == "blackhole") flags += 'B';
  // AIX's D marks routes the host learnt, not configured.
  if (protocol == "redirect" || protocol == "ra" || protocol == "dhcp") flags += 'D';
  if (protocol == "static") flags += 'S';
  return flags;
}

std::string route_row(const std::string& dst, const std::string& gw, const std::string& flags,
                      std::string ifname) {
  if (ifname.empty()) ifname = "-";
  // Column ends follow AIX's header; Linux keeps no per-route Refs/Use/PMTU/Exp, hence "-".
  return pad_right(dst, 18) + " " + pad_right(gw, 17) + " " + pad_right(flags, 6) + " " +
         pad_left("-", 4) + pad_left("-", 9) + "  " + pad_right(ifname, 4) + pad_left("-", 5) +
         " " + pad_left("-", 3) + "\n";
}

// The local-table entries AIX shows: the loopback network and the VIPA addresses, both through
// the loopback interface (the sample's "127/8 127.0.0.1 U lo0" and "10.68.6.1 127.0.0.1 UH lo0").
bool shown_local_entry(const json& route) {
  if (str_of(route, "table") != "local" || str_of(route, "type") != "local") return false;
  if (bool_of(route, "vipa")) return true;
  auto dst = IpAddr::parse(str_of(route, "destination"));
  int len = static_cast<int>(int_of(route, "prefixlen").value_or(-1));
  if (!dst || !dst->is_loopback()) return false;
  return dst->is_v4() ? len == 8 : len == 128;
}

std::string route_key(const json& route) {
  return str_of(route, "destination") + "/" + str_of(route, "prefixlen");
}

std::string local_row(const json& route) {
  bool v6 = str_of(route, "family") == "inet6";
  std::string dst = abbreviate_destination(
      str_of(route, "destination"), static_cast<int>(int_of(route, "prefixlen").value_or(0)));
  return route_row(dst, v6 ? "::1" : "127.0.0.1", is_host_route(route) ? "UH" : "U", "lo");
}

}  // namespace

std::string netstat_gateway(const json& route) {
  // AIX shows a connected route's gateway as the interface's own address (the sample's
  // "10.68.1/24 10.68.1.1 U en1"); vipad sends it as ifaddr because prefsrc may be the VIPA.
  std::string gw = str_of(route, "gateway");
  if (gw.empty()) gw = str_of(route, "ifaddr");
  if (gw.empty()) gw = str_of(route, "prefsrc");
  if (gw.empty()) gw = "-";
  return gw;
}

std::string netstat_flags(const json& route) {
  return route_flags(route);
}

namespace {

std::string main_row(const json& route) {
  std::string dst = abbreviate_destination(
      str_of(route, "destination"), static_cast<int>(int_of(route, "prefixlen").value_or(0)));
  return route_row(dst, netstat_gateway(route), route_flags(route), str_of(route, "interface"));
}

bool shown_main_type(const std::string& type) {
  return type == "unicast" || type.empty() || type == "unreachable" || type == "prohibit" ||
         type == "blackhole";
}

std::string route_tree(const json& routes, const char* family) {
  std::string main_rows, loopback_rows, vipa_rows;
  std::set<std::string> local_keys;
  for (const auto& r : routes) {
    if (str_of(r, "family") == family && shown_local_entry(r)) {
      // IBM's sample lists the loopback network before the VIPA host route.
      (bool_of(r, "vipa") ? vipa_rows : loopback_rows) += local_row(r);
      local_keys.insert(route_key(r));
    }
  }
  for (const auto& r : routes) {
    if (str_of(r, "family") != family || str_of(r, "table") != "main") continue;
    if (!shown_main_type(str_of(r, "type"))) continue;
    // Linux also keeps ::1 in the main table; the local entry already shows it.
    if (local_keys.count(route_key(r))) continue;
    main_rows += main_row(r);
  }
  return main_rows + loopback_rows + vipa_rows;
}

// ---- status ----

std::string address_lines(const json& vipa, const std::string& indent) {
  std::string out;
  std::string netaddr = str_of(vipa, "netaddr");
  if (!netaddr.empty()) {
    auto len = int_of(vipa, "prefixlen4");
    if (!len) len = netmask_to_prefixlen(str_of(vipa, "netmask")).value_or(32);
    out += indent + netaddr + "/" + std::to_string(*len) + "\n";
  }
  for (const auto& a : string_items(array_of(vipa, "alias4"))) {
    auto [addr, len] = split_alias4(a);
    out += indent + addr + "/" + std::to_string(len) + " (alias)\n";
  }
  std::string netaddr6 = str_of(vipa, "netaddr6");
  if (!netaddr6.empty()) out += indent + netaddr6 + "/" + str_of(vipa, "prefixlen") + "\n";
  for (const auto& a : string_items(array_of(vipa, "alias6"))) out += indent + a + " (alias)\n";
  return out;
}

std::string interface_state(const json& itf) {
  if (!bool_of(itf, "present")) return "missing";
  std::string out = bool_of(itf, "admin_up") ? "admin up" : "admin down";
  out += bool_of(itf, "carrier") ? ", carrier" : ", no carrier";
  out += bool_of(itf, "active") ? ", carries traffic" : ", no traffic";
  return out;
}

std::string route_line(const json& route) {
  std::string out = str_of(route, "destination");
  if (std::string gw = str_of(route, "gateway"); !gw.empty()) out += " via " + gw;
  if (std::string dev = str_of(route, "interface"); !dev.empty()) out += " dev " + dev;
  if (auto metric = int_of(route, "metric")) out += " metric " + std::to_string(*metric);
  out += bool_of(route, "installed") ? ": installed" : ": not installed";
  if (!str_of(route, "gateway").empty()) {
    out += bool_of(route, "alive") ? ", gateway alive" : ", gateway dead";
  }
  if (std::string why = str_of(route, "problem"); !why.empty()) out += " (" + why + ")";
  return out;
}

std::string failover_line(const json& vipa) {
  auto it = vipa.is_object() ? vipa.find("last_failover") : vipa.end();
  if (it == vipa.end() || !it->is_object()) return "never";
  std::string out =
      str_of(*it, "time") + " from " + str_of(*it, "from") + " to " + str_of(*it, "to");
  if (std::string reason = str_of(*it, "reason"); !reason.empty()) out += " (" + reason + ")";
  return out;
}

}  // namespace

const std::vector<std::string_view>& aix_attribute_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& a : vipa_attrs()) v.push_back(a.key);
    return v;
  }();
  return names;
}

bool is_aix_attribute(std::string_view name) {
  const auto& names = aix_attribute_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string format_lsattr(const json& vipa, std::string_view only) {
  struct Row {
    std::string attr, value, description;
  };
  std::vector<Row> rows;
  size_t attr_width = 0;
  for (const auto& a : vipa_attrs()) {
    // The attribute column is as wide as the longest attribute of the device type, as on AIX,
    // even when -a narrows the output to one line.
    attr_width = std::max(attr_width, a.key.size());
    if (!only.empty() && a.key != only) continue;
    rows.push_back({std::string(a.key), attribute_value(vipa, a.key), std::string(a.description)});
  }
  size_t value_width = 0, desc_width = 0;
  for (const auto& r : rows) {
    value_width = std::max(value_width, r.value.size());
    desc_width = std::max(desc_width, r.description.size());
  }
  std::string out;
  for (const auto& r : rows) {
    out += pad_right(r.attr, attr_width + 1) + pad_right(r.value, value_width + 1) +
           pad_right(r.description, desc_width + 1) + "True\n";
  }
  return out;
}

std::string format_lsattr_legal(std::string_view attr) {
  const VipaAttr* a = find_vipa_attr(attr);
  return a ? std::string(a->legal) : "";
}

std::string format_ifconfig(const json& vipa) {
  uint32_t flags = kIffVirtual | kIff64Bit;
  bool link_up = bool_of(vipa, "link_up");
  if (link_up) flags |= kIffRunning;
  if (link_up && str_of(vipa, "state") == "up") flags |= kIffUp;
  std::vector<std::string> names;
  if (flags & kIffUp) names.push_back("UP");
  if (flags & kIffRunning) names.push_back("RUNNING");
  names.push_back("64BIT");
  char hex[16];
  std::snprintf(hex, sizeof hex, "%" PRIx32, flags);

  const std::string indent(8, ' ');
  std::string out = str_of(vipa, "name") + ": flags=" + hex + "<" + join(names, ",") + ">\n";
  if (std::string netaddr = str_of(vipa, "netaddr"); !netaddr.empty()) {
    auto len = int_of(vipa, "prefixlen4");
    if (!len) len = netmask_to_prefixlen(str_of(vipa, "netmask")).value_or(32);
    out += indent + "inet " + netaddr + " netmask " + hex_netmask(static_cast<int>(*len)) + "\n";
  }
  for (const auto& a : string_items(array_of(vipa, "alias4"))) {
    auto [addr, len] = split_alias4(a);
    out += indent + "inet " + addr + " netmask " + hex_netmask(len) + "\n";
  }
  if (std::string netaddr6 = str_of(vipa, "netaddr6"); !netaddr6.empty()) {
    out += indent + "inet6 " + netaddr6 + "/" + str_of(vipa, "prefixlen") + "\n";
  }
  for (const auto& a : string_items(array_of(vipa, "alias6"))) out += indent + "inet6 " + a + "\n";

  // An empty interface_names means "every interface"; then list the ones vipad uses.
  std::vector<std::string> iflist = string_items(array_of(vipa, "interface_names"));
  if (iflist.empty()) {
    for (const auto& itf : array_of(vipa, "interfaces")) {
      if (std::string n = str_of(itf, "name"); !n.empty()) iflist.push_back(n);
    }
  }
  out += trim_right(indent + "iflist : " + join(iflist, " ")) + "\n";
  return out;
}

std::string abbreviate_destination(std::string_view destination, int prefixlen) {
  auto addr = IpAddr::parse(destination);
  if (!addr) return std::string(destination);
  if (prefixlen == 0) return "default";
  if (prefixlen == addr->bits()) return addr->str();
  if (addr->is_v6()) return addr->str() + "/" + std::to_string(prefixlen);
  // BSD's netname(), which AIX inherits: trailing zero octets are dropped, one is always kept.
  size_t octets = 4;
  while (octets > 1 && addr->bytes[octets - 1] == 0) --octets;
  std::string out;
  for (size_t i = 0; i < octets; ++i) {
    if (i) out += '.';
    out += std::to_string(addr->bytes[i]);
  }
  return out + "/" + std::to_string(prefixlen);
}

std::string format_netstat(const json& routes_result, RouteFamily family) {
  const json& routes = array_of(routes_result, "routes");
  std::string out = std::string("Routing tables\n") + kNetstatHeader;
  if (family != RouteFamily::kInet6) {
    out += "\nRoute Tree for Protocol Family 2 (Internet):\n" + route_tree(routes, "inet");
  }
  if (family != RouteFamily::kInet) {
    out += "\nRoute Tree for Protocol Family 24 (Internet v6):\n" + route_tree(routes, "inet6");
  }
  return out;
}

std::string format_vipa(const json& vipa) {
  std::string out = "VIPA " + str_of(vipa, "name") + ": state " + str_of(vipa, "state");
  if (!bool_of(vipa, "present")) {
    out += ", not present in the kernel\n";
  } else {
    out += bool_of(vipa, "link_up") ? ", link up" : ", link down";
    out += " (" + str_of(vipa, "kind") + ", ifindex " + str_of(vipa, "ifindex") + ")\n";
  }
  std::string addresses = address_lines(vipa, "    ");
  out += "  addresses:" + std::string(addresses.empty() ? " none\n" : "\n" + addresses);

  const json& itfs = array_of(vipa, "interfaces");
  size_t width = 0;
  for (const auto& itf : itfs) width = std::max(width, str_of(itf, "name").size());
  out += "  interfaces:";
  if (itfs.empty()) out += " none";
  if (array_of(vipa, "interface_names").empty()) out += " (every interface)";
  out += "\n";
  for (const auto& itf : itfs) {
    out += "    " + pad_right(str_of(itf, "name"), width + 2) + interface_state(itf) + "\n";
  }

  const json& routes = array_of(vipa, "routes_owned");
  out += "  routes owned:" + std::string(routes.empty() ? " none\n" : "\n");
  for (const auto& r : routes) out += "    " + route_line(r) + "\n";
  out += "  last failover: " + failover_line(vipa) + "\n";
  return out;
}

std::string format_status(const json& status) {
  std::string out;
  const json& vipas = array_of(status, "vipas");
  if (vipas.empty()) out += "no VIPA configured\n";
  for (const auto& v : vipas) out += format_vipa(v) + "\n";
  const json& gateways = array_of(status, "gateways");
  if (!gateways.empty()) {
    out += "gateways:\n";
    for (const auto& g : gateways) {
      std::string addr = str_of(g, "address");
      if (addr.empty()) addr = str_of(g, "gateway");
      std::string line = "  " + addr;
      if (std::string dev = str_of(g, "interface"); !dev.empty()) line += " on " + dev;
      line += bool_of(g, "alive") ? ": alive" : ": dead";
      if (std::string probe = str_of(g, "probe"); !probe.empty()) line += " (" + probe + ")";
      out += line + "\n";
    }
  }
  if (std::string config = str_of(status, "config"); !config.empty()) {
    out += "config: " + config + "\n";
  }
  return out;
}

std::string format_event(const json& event) {
  std::string out = str_of(event, "time") + " " + str_of(event, "event");
  if (std::string vipa = str_of(event, "vipa"); !vipa.empty()) out += " " + vipa;
  return out + ": " + str_of(event, "message") + "\n";
}

}  // namespace vipa::ctl
