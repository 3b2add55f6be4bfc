// Parsers for single config values, shared by the TOML reader and vipactl's AIX attributes
// so that "netaddr = ..." in a file and "chdev -a netaddr=..." give the same messages.
// Messages carry no location or attribute name: callers prefix them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/ipaddr.h"
#include "common/result.h"
#include "config/config.h"

namespace vipa {

Result<IpAddr> parse_ipv4_value(std::string_view text);  // rejects IPv6 with a hint
Result<IpAddr> parse_ipv6_value(std::string_view text);
Result<IpAddr> parse_ip_value(std::string_view text);    // either family
Result<int> parse_netmask_value(std::string_view text);  // dotted, contiguous

// AIX alias4 entry "10.68.6.2,255.255.255.0"; "10.68.6.2/24" and a bare address (/32) too.
Result<Prefix> parse_alias4_entry(std::string_view text);
// AIX alias6 entry "2001:db8::2/64"; a bare address means /128.
Result<Prefix> parse_alias6_entry(std::string_view text);

// AIX list forms: interface names "en1,en5" (commas and/or blanks); alias lists are
// separated by blanks only, since an alias4 entry holds a comma itself.
std::vector<std::string> split_list(std::string_view text);
std::vector<std::string> split_blanks(std::string_view text);

Result<VipaState> parse_state(std::string_view text);
Result<LinkKind> parse_kind(std::string_view text);
Result<Advertise> parse_advertise(std::string_view text);

// "default", "default6", "0.0.0.0/0", "::/0", "10.68.1.0/24", "10.68.9.9" (host route).
Result<Prefix> parse_destination(std::string_view text);

std::string format_alias4(const Prefix& p);  // "10.68.6.2,255.255.255.0"

}  // namespace vipa
