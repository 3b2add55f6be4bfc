// RTM_*LINK: decoding links and encoding the few link requests vipad makes.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <string>

#include "core/model.h"

namespace vipa::nl {

std::optional<Link> decode_link(const nlmsghdr* nlh);

// Encoders write one request into buf (at least 1024 bytes) and return its header.
// New virtual link: kind "dummy" or "ifb", tagged with the vipad alias, NOARP.
nlmsghdr* encode_create_link(char* buf, const std::string& name, const std::string& kind, bool up,
                             const std::string& alias);
nlmsghdr* encode_set_link(char* buf, int ifindex, bool up, const std::string& alias);
// IPv6 address generation off (no link-local address, so no fe80::/64 route for vi0: IBM's sample
// wants no interface route for the virtual interface). The kernel refuses this attribute in the
// creating request (the link has no IPv6 state yet), so it is set on the new link while down.
nlmsghdr* encode_addr_gen_mode_none(char* buf, int ifindex);
nlmsghdr* encode_delete_link(char* buf, int ifindex);
nlmsghdr* encode_get_link(char* buf, const std::string& name);

}  // namespace vipa::nl
