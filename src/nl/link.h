// RTM_*LINK: decoding links and encoding the few link requests vipad makes.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <string>

#include "core/model.h"

namespace vipa::nl {

std::optional<Link> decode_link(const nlmsghdr* nlh);

// Encoders write one request into buf (at least 1024 bytes) and return its header.
// New virtual link: kind "dummy" or "ifb", tagged with the vipad alias, IPv6 address
// generation off (no link-local address: no fe80::/64 route for vi0, as the seed wants
// no interface route for the virtual interface), NOARP.
nlmsghdr* encode_create_link(char* buf, const std::string& name, const std::string& kind, bool up,
                             const std::string& alias);
nlmsghdr* encode_set_link(char* buf, int ifindex, bool up, const std::string& alias);
nlmsghdr* encode_delete_link(char* buf, int ifindex);
nlmsghdr* encode_get_link(char* buf, const std::string& name);

}  // namespace vipa::nl
