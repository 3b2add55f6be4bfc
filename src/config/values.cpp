#include "config/values.h"

#include <sys/socket.h>

namespace vipa {
namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

}  // namespace

Result<IpAddr> parse_ip_value(std::string_view text) {
  auto a = IpAddr::parse(text);
  if (!a) return Error::msg(quoted(text) + " is not a valid IP address");
  return *a;
}

Result<IpAddr> parse_ipv4_value(std::string_view text) {
  auto a = IpAddr::parse(text);
  if (!a) return Error::msg(quoted(text) + " is not a valid IPv4 address");
  if (!a->is_v4()) return Error::msg(quoted(text) + " is an IPv6 address; use netaddr6");
  return *a;
}

Result<IpAddr> parse_ipv6_value(std::string_view text) {
  auto a = IpAddr::parse(text);
  if (!a) return Error::msg(quoted(text) + " is not a valid IPv6 address");
  if (!a->is_v6()) return Error::msg(quoted(text) + " is an IPv4 address; use netaddr");
  return *a;
}

Result<int> parse_netmask_value(std::string_view text) {
  auto a = IpAddr::parse(text);
  if (!a || !a->is_v4()) return Error::msg(quoted(text) + " is not a dotted IPv4 netmask");
  auto len = netmask_to_prefixlen(text);
  if (!len) return Error::msg(std::string(text) + " is not contiguous");
  return *len;
}

Result<Prefix> parse_alias4_entry(std::string_view text) {
  auto comma = text.find(',');
  if (comma != std::string_view::npos) {
    auto addr = IpAddr::parse(text.substr(0, comma));
    if (!addr || !addr->is_v4())
      return Error::msg(quoted(text) + " is not an IPv4 'address,netmask' pair");
    auto len = parse_netmask_value(text.substr(comma + 1));
    if (!len) return len.error();
    return Prefix{*addr, *len};
  }
  auto p = Prefix::parse(text);
  if (!p || !p->addr.is_v4())
    return Error::msg(quoted(text) + " is not an IPv4 'address,netmask' pair");
  return *p;
}

Result<Prefix> parse_alias6_entry(std::string_view text) {
  auto p = Prefix::parse(text);
  if (!p || !p->addr.is_v6()) return Error::msg(quoted(text) + " is not an IPv6 'address/length'");
  return *p;
}

namespace {

std::vector<std::string> split_on(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (separators.find(c) != std::string_view::npos) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  return split_on(text, ", \t");
}
std::vector<std::string> split_blanks(std::string_view text) {
  return split_on(text, " \t");
}

Result<VipaState> parse_state(std::string_view text) {
  if (text == "up") return VipaState::Up;
  if (text == "down") return VipaState::Down;
  if (text == "detach") return VipaState::Detach;
  return Error::msg(quoted(text) + " is not one of up, down, detach");
}

Result<LinkKind> parse_kind(std::string_view text) {
  if (text == "auto") return LinkKind::Auto;
  if (text == "dummy") return LinkKind::Dummy;
  if (text == "ifb") return LinkKind::Ifb;
  return Error::msg(quoted(text) + " is not one of auto, dummy, ifb");
}

Result<Advertise> parse_advertise(std::string_view text) {
  if (text == "host") return Advertise::Host;
  if (text == "subnet") return Advertise::Subnet;
  return Error::msg(quoted(text) + " is not one of host, subnet");
}

Result<Prefix> parse_destination(std::string_view text) {
  if (text == "default") return Prefix{IpAddr::v4(0), 0};
  if (text == "default6") {
    IpAddr any;
    any.family = AF_INET6;
    return Prefix{any, 0};
  }
  auto p = Prefix::parse(text);
  if (!p)
    return Error::msg(quoted(text) + " is not a prefix (e.g. 10.68.1.0/24) or default/default6");
  return *p;
}

std::string format_alias4(const Prefix& p) {
  return p.addr.str() + "," + prefixlen_to_netmask(p.len);
}

}  // namespace vipa
