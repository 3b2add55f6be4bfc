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

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

const std::vector<VipaAttr> kAttrs = {
    {"netaddr", "Internet Address", "IPv4 address in dotted decimal (e.g. 10.68.6.1)\n", "unset",
     [](VipaConfig& v, std::string_view value) {
       IpAddr a;
       if (auto s = set(a, "netaddr", parse_ipv4_value(value)); !s) return s;
       v.netaddr = a;
       return Status(Ok{});
     },
     [](VipaConfig& v) { v.netaddr.reset(); },
     [](const VipaConfig& v) { return v.netaddr ? v.netaddr->str() : std::string(); }},
    {"state", "Current Interface Status", "up\ndown\ndetach\n", "refused (give up, down or detach)",
     [](VipaConfig& v, std::string_view value) {
       return set(v.state, "state", parse_state(value));
     },
     nullptr, [](const VipaConfig& v) { return std::string(to_string(v.state)); }},
    {"netmask", "Subnet Mask", "contiguous IPv4 netmask in dotted decimal (e.g. 255.255.255.0)\n",
     "255.255.255.255",
     [](VipaConfig& v, std::string_view value) {
       return set(v.netmask_len, "netmask", parse_netmask_value(value));
     },
     [](VipaConfig& v) { v.netmask_len = 32; },
     [](const VipaConfig& v) {
       return v.netaddr ? prefixlen_to_netmask(v.netmask_len) : std::string();
     }},
    {"netaddr6", "IPv6 Internet Address", "IPv6 address (e.g. 2001:db8::1)\n", "unset",
     [](VipaConfig& v, std::string_view value) {
       IpAddr a;
       if (auto s = set(a, "netaddr6", parse_ipv6_value(value)); !s) return s;
       v.netaddr6 = a;
       return Status(Ok{});
     },
     [](VipaConfig& v) { v.netaddr6.reset(); },
     [](const VipaConfig& v) { return v.netaddr6 ? v.netaddr6->str() : std::string(); }},
    {"alias6", "IPv6 Alias including Prefix Length",
     "ADDRESS/PREFIXLEN, several separated by spaces (e.g. 2001:db8::2/64)\n", "none",
     [](VipaConfig& v, std::string_view value) {
       return set_prefixes(v.alias6, "alias6", value, parse_alias6_entry);
     },
     nullptr,
     [](const VipaConfig& v) {
       std::vector<std::string> a6;
       for (auto& p : v.alias6) a6.push_back(p.str());
       return join(a6, " ");
     }},
    // AIX leaves prefixlen empty while no IPv6 address is configured.
    {"prefixlen", "Prefix Length for IPv6 Internet Address", "1...128 (+1)\n", "64",
     [](VipaConfig& v, std::string_view value) {
       return set(v.prefixlen, "prefixlen", parse_prefixlen(value));
     },
     [](VipaConfig& v) { v.prefixlen = 64; },
     [](const VipaConfig& v) { return v.netaddr6 ? std::to_string(v.prefixlen) : std::string(); }},
    {"alias4", "IPv4 Alias including Subnet Mask",
     "ADDRESS,NETMASK, several separated by spaces (e.g. 10.68.6.2,255.255.255.0)\n", "none",
     [](VipaConfig& v, std::string_view value) {
       return set_prefixes(v.alias4, "alias4", value, parse_alias4_entry);
     },
     nullptr,
     [](const VipaConfig& v) {
       std::vector<std::string> a4;
       for (auto& p : v.alias4) a4.push_back(format_alias4(p));
       return join(a4, " ");
     }},
    {"interface_names", "Interfaces using the Virtual Address",
     "interface names separated by commas (e.g. en1,en5); empty = every interface\n",
     "every interface",
     [](VipaConfig& v, std::string_view value) {
       auto names = split_list(value);
       for (auto& n : names)
         if (!valid_ifname(n))
           return Status(Error::msg("interface_names: '" + n + "' is not a valid interface name"));
       v.interface_names = std::move(names);
       return Status(Ok{});
     },
     nullptr, [](const VipaConfig& v) { return join(v.interface_names, ","); }},
};

}  // namespace

const std::vector<VipaAttr>& vipa_attrs() {
  return kAttrs;
}

const VipaAttr* find_vipa_attr(std::string_view key) {
  for (auto& a : kAttrs)
    if (a.key == key) return &a;
  return nullptr;
}

std::string vipa_attr_names() {
  std::string out;
  for (auto& a : kAttrs) out += (out.empty() ? "" : ", ") + std::string(a.key);
  return out;
}

Status apply_aix_attr(VipaConfig& v, std::string_view attr, std::string_view value) {
  const VipaAttr* a = find_vipa_attr(attr);
  if (!a)
    return Error::msg("unknown attribute '" + std::string(attr) + "' (known: " + vipa_attr_names() +
                      ")");
  if (value.empty() && a->clear) {
    a->clear(v);
    return Ok{};
  }
  return a->parse(v, value);
}

std::vector<std::pair<std::string, std::string>> aix_attrs(const VipaConfig& v) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& a : kAttrs) out.emplace_back(std::string(a.key), a.render(v));
  return out;
}

}  // namespace vipa
