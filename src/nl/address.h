// RTM_*ADDR: decoding addresses and encoding address requests.
#pragma once

#include <linux/netlink.h>

#include <optional>

#include "core/model.h"

namespace vipa::nl {

std::optional<Address> decode_address(const nlmsghdr* nlh);
nlmsghdr* encode_address(char* buf, uint16_t type, const Address& a);  // RTM_NEWADDR/DELADDR

}  // namespace vipa::nl
