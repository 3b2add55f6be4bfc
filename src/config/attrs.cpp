#include "config/attrs.h"

#include "config/values.h"

namespace vipa {
namespace {

Status with_name(std::string_view attr, const Error& e) {
  return Error::msg(std::string(attr) + ": " + e.message);
}

Status set_prefixes(std::vector<Prefix>& out, std::string_view attr, std::string_view value,
                    Result<Prefix> (*parse)(std::string_view)) {
  std::vector<Prefix> list;
  for (auto& item : split_blanks(value)) {
    auto p = parse(item);
    if (!p) return with_name(attr, p.error());
    list.push_back(*p);
  }
  out = std::move(list);
  return Ok{};
}

template <typename T>
Status set(T& out, std::string_view attr, Result<T> r) {
  if (!r) return with_name(attr, r.error());
  out = std::move(r.value());
  return Ok{};
}

Result<int> parse_prefixlen(std::string_view text) {
  int len = 0;
  if (text.empty() || text.size() > 3)
    return Error::msg("'" + std::string(text) + "' is not a number");
  for (char c : text) {
    if (c < '0' || c > '9') return Error::msg("'" + std::string(text) + "' is not a number");
    len = len * 10 + (c - '0');
  }
  if (len < 1 || len > 128) return Error::msg(std::string(text) + " is out of range (1..128)");
  return len;
}

}  // namespace

Status apply_aix_attr(VipaConfig& v, std::string_view attr, std::string_view value) {
  if (attr == "netaddr") {
    if (value.empty()) {
      v.netaddr.reset();
      return Ok{};
    }
    IpAddr a;
    if (auto s = set(a, attr, parse_ipv4_value(value)); !s) return s;
    v.netaddr = a;
    return Ok{};
  }
  if (attr == "netmask") {
    if (value.empty()) {
      v.netmask_len = 32;
      return Ok{};
    }
    return set(v.netmask_len, attr, parse_netmask_value(value));
  }
  if (attr == "interface_names") {
    auto names = split_list(value);
    for (auto& n : names)
      if (!valid_ifname(n))
        return Error::msg("interface_names: '" + n + "' is not a valid interface name");
    v.interface_names = std::move(names);
    return Ok{};
  }
  if (attr == "state") return set(v.state, attr, parse_state(value));
  if (attr == "alias4") return set_prefixes(v.alias4, attr, value, parse_alias4_entry);
  if (attr == "netaddr6") {
    if (value.empty()) {
      v.netaddr6.reset();
      return Ok{};
    }
    IpAddr a;
    if (auto s = set(a, attr, parse_ipv6_value(value)); !s) return s;
    v.netaddr6 = a;
    return Ok{};
  }
  if (attr == "prefixlen") {
    if (value.empty()) {
      v.prefixlen = 64;
      return Ok{};
    }
    return set(v.prefixlen, attr, parse_prefixlen(value));
  }
  if (attr == "alias6") return set_prefixes(v.alias6, attr, value, parse_alias6_entry);
  return Error::msg("unknown attribute '" + std::string(attr) +
                    "' (known: netaddr, state, netmask, netaddr6, alias6, prefixlen, alias4, "
                    "interface_names)");
}

std::vector<std::pair<std::string, std::string>> aix_attrs(const VipaConfig& v) {
  auto join = [](const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
  };
  std::vector<std::string> a4, a6;
  for (auto& p : v.alias4) a4.push_back(format_alias4(p));
  for (auto& p : v.alias6) a6.push_back(p.str());
  return {
      {"netaddr", v.netaddr ? v.netaddr->str() : ""},
      {"state", to_string(v.state)},
      {"netmask", v.netaddr ? prefixlen_to_netmask(v.netmask_len) : ""},
      {"netaddr6", v.netaddr6 ? v.netaddr6->str() : ""},
      {"alias6", join(a6, " ")},
      {"prefixlen", v.netaddr6 ? std::to_string(v.prefixlen) : ""},
      {"alias4", join(a4, " ")},
      {"interface_names", join(v.interface_names, ",")},
  };
}

}  // namespace vipa
