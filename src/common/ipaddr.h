// IPv4/IPv6 addresses and prefixes as plain values, parsed and printed without syscalls.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vipa {

struct IpAddr {
  uint8_t family = 0;  // AF_INET or AF_INET6; 0 = unset
  std::array<uint8_t, 16> bytes{};

  static std::optional<IpAddr> parse(std::string_view text);  // "10.68.6.1", "2001:db8::1"
  static IpAddr v4(uint32_t host_order);
  static IpAddr from_bytes(uint8_t family, const void* data);  // 4 or 16 bytes
  std::string str() const;
  bool is_v4() const;
  bool is_v6() const;
  bool empty() const { return family == 0; }
  int bits() const { return is_v4() ? 32 : 128; }
  size_t size() const { return is_v4() ? 4 : 16; }
  uint32_t v4_host_order() const;
  bool is_v6_link_local() const;
  bool is_multicast() const;
  bool is_loopback() const;
  bool is_unspecified() const;
  // The first `plen` bits kept, the rest zero.
  IpAddr masked(int plen) const;

  auto operator<=>(const IpAddr&) const = default;
};

struct Prefix {
  IpAddr addr;
  int len = 0;

  // "10.68.1.0/24", "default" is not accepted here (the config handles it); a bare address
  // means a host prefix.
  static std::optional<Prefix> parse(std::string_view text);
  std::string str() const;
  bool contains(const IpAddr& a) const;
  bool is_default() const { return len == 0; }
  auto operator<=>(const Prefix&) const = default;
};

// "255.255.255.0" -> 24; nullopt when the mask is not contiguous or not IPv4.
std::optional<int> netmask_to_prefixlen(std::string_view mask);
std::string prefixlen_to_netmask(int len);  // 24 -> "255.255.255.0"

}  // namespace vipa
