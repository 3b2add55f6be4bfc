// RTM_*RULE: the policy rules that carry user and destination [[source]] rules. Only rules
// tagged with protocol vipa (FRA_PROTOCOL, Linux 4.17+) are vipad's; others are never touched.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <vector>

#include "nl/socket.h"
#include "srcsel/source_rules.h"

namespace vipa::srcsel {

// nullopt for a rule that is not vipad's (or not a plain "lookup TABLE" rule).
std::optional<FibRule> decode_fib_rule(const nlmsghdr* nlh);
// type RTM_NEWRULE or RTM_DELRULE; `buf` holds at least 256 bytes.
nlmsghdr* encode_fib_rule(char* buf, uint16_t type, const FibRule& r);

struct FibRuleChange {
  std::vector<FibRule> added, removed;
  std::vector<std::string> errors;
};

// Makes vipad's rules in the kernel exactly `want`: dumps them, deletes the extra ones, adds
// the missing ones.
FibRuleChange sync_fib_rules(nl::Socket& sock, const std::vector<FibRule>& want);

}  // namespace vipa::srcsel
