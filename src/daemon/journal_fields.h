// vipad's events as journal entries: which fields, which MESSAGE_ID, which priority. Pure, so
// the mapping is unit-tested; log.cpp sends the result with sd_journal_sendv() when stderr is
// the journal. `journalctl -u vipad VIPA_EVENT=failover` then finds every failover, and
// `journalctl -x` explains each kind from packaging/vipa.catalog (docs/service.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vipa::log {

struct EventFields {
  std::string event;      // VIPA_EVENT: failover, gateway_dead, ... ("" = not an event)
  std::string vipa;       // VIPA
  std::string interface;  // VIPA_INTERFACE
  std::string gateway;    // VIPA_GATEWAY
  // Dynamic VIPA events (VIPA_EVENT=dvipa*):
  std::string dvipa;      // VIPA_DVIPA: the DVIPA's name, e.g. web
  std::string old_state;  // VIPA_DVIPA_OLD_STATE: joining, standby, active, ...
  std::string new_state;  // VIPA_DVIPA_STATE
  std::string peer;       // VIPA_PEER: the host a move forwards to (its routing-protocol id)
};

// Every event kind that has a MESSAGE_ID, in a fixed order (the catalog test walks it).
std::vector<std::string_view> event_kinds();

// The MESSAGE_ID (32 hex digits) of an event kind, "" for an unknown kind. The same IDs head
// the entries of the message catalog.
std::string_view message_id(std::string_view event);

// The syslog priority an event is logged at: a lost path is a warning, its return a notice.
int event_priority(std::string_view event);

// Every field of one entry, "NAME=value": MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, and for an
// event MESSAGE_ID and the VIPA_* fields that are not empty.
std::vector<std::string> journal_fields(int priority, const std::string& message,
                                        const EventFields* event);

}  // namespace vipa::log
