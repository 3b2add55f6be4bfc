#include "common/ipaddr.h"

#include <arpa/inet.h>

#include <cstring>

namespace vipa {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  // inet_pton stops at a NUL: "10.0.0.1\0junk" from a config or a socket must not pass.
  if (text.empty() || text.size() > INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::string s(text);
  IpAddr a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

IpAddr IpAddr::v4(uint32_t host_order) {
  IpAddr a;
  a.family = AF_INET;
  uint32_t n = htonl(host_order);
  std::memcpy(a.bytes.data(), &n, 4);
  return a;
}

IpAddr IpAddr::from_bytes(uint8_t family, const void* data) {
  IpAddr a;
  a.family = family;
  std::memcpy(a.bytes.data(), data, family == AF_INET ? 4 : 16);
  return a;
}

std::string IpAddr::str() const {
  if (family == 0) return "";
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(family, bytes.data(), buf, sizeof buf)) return "?";
  return buf;
}

bool IpAddr::is_v4() const {
  return family == AF_INET;
}
bool IpAddr::is_v6() const {
  return family == AF_INET6;
}

uint32_t IpAddr::v4_host_order() const {
  uint32_t n;
  std::memcpy(&n, bytes.data(), 4);
  return ntohl(n);
}

bool IpAddr::is_v6_link_local() const {
  return is_v6() && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

bool IpAddr::is_multicast() const {
  if (is_v4()) return (bytes[0] & 0xf0) == 0xe0;
  return is_v6() && bytes[0] == 0xff;
}

bool IpAddr::is_loopback() const {
  if (is_v4()) return bytes[0] == 127;
  if (!is_v6()) return false;
  for (int i = 0; i < 15; ++i)
    if (bytes[i]) return false;
  return bytes[15] == 1;
}

bool IpAddr::is_unspecified() const {
  for (size_t i = 0; i < size(); ++i)
    if (bytes[i]) return false;
  return true;
}

IpAddr IpAddr::masked(int plen) const {
  IpAddr r = *this;
  int total = bits();
  for (int i = 0; i < total / 8; ++i) {
    int keep = plen - i * 8;
    if (keep >= 8) continue;
    r.bytes[i] = keep <= 0 ? 0 : static_cast<uint8_t>(r.bytes[i] & (0xff << (8 - keep)));
  }
  return r;
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto a = IpAddr::parse(text.substr(0, slash));
  if (!a) return std::nullopt;
  Prefix p{*a, a->bits()};
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    int len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + (c - '0');
    }
    if (len > a->bits()) return std::nullopt;
    p.len = len;
  }
  return p;
}

std::string Prefix::str() const {
  return addr.str() + "/" + std::to_string(len);
}

bool Prefix::contains(const IpAddr& a) const {
  return a.family == addr.family && a.masked(len) == addr.masked(len);
}

std::optional<int> netmask_to_prefixlen(std::string_view mask) {
  auto a = IpAddr::parse(mask);
  if (!a || !a->is_v4()) return std::nullopt;
  uint32_t m = a->v4_host_order();
  int len = 0;
  while (len < 32 && (m & (0x80000000u >> len))) ++len;
  uint32_t expect = len == 0 ? 0 : (0xffffffffu << (32 - len));
  if (m != expect) return std::nullopt;
  return len;
}

std::string prefixlen_to_netmask(int len) {
  uint32_t m = len <= 0 ? 0 : (0xffffffffu << (32 - len));
  return IpAddr::v4(m).str();
}

}  // namespace vipa
