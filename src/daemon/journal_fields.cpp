#include "daemon/journal_fields.h"

namespace vipa::log {

namespace {

struct Kind {
  std::string_view event, id;
  int priority;  // LOG_WARNING 4, LOG_NOTICE 5, LOG_INFO 6
};

// Generated once; never change an ID (journalctl -x and saved queries key on them).
constexpr Kind kKinds[] = {
    {"link_down", "eeeb886b29f8479b8af25e7da8a94a60", 4},
    {"link_up", "60b12569a96c4157a4af5bac771e4bac", 5},
    {"failover", "cfb2cbedbe9d4eab8db3e54492117645", 4},
    {"restore", "b0c181c6bd534f13a01885541bdae040", 5},
    {"gateway_dead", "89b2f5a701ea44af873932f689e2a91d", 4},
    {"gateway_alive", "ae9b347ac95d45909d9fa715117bc73e", 5},
    {"repair", "c7a8403a76c441049e035cc88d16a83f", 5},
    {"reload", "fb580d43cbfc4e359440bb391bf93e31", 6},
    {"resync", "c0c39826c50f422d9cfe7620e53374b9", 4},
};

const Kind* find(std::string_view event) {
  for (const auto& k : kKinds)
    if (k.event == event) return &k;
  return nullptr;
}

}  // namespace

std::string_view message_id(std::string_view event) {
  const Kind* k = find(event);
  return k ? k->id : std::string_view();
}

int event_priority(std::string_view event) {
  const Kind* k = find(event);
  return k ? k->priority : 5;
}

std::vector<std::string> journal_fields(int priority, const std::string& message,
                                        const EventFields* event) {
  std::vector<std::string> out = {"MESSAGE=" + message, "PRIORITY=" + std::to_string(priority),
                                  "SYSLOG_IDENTIFIER=vipad"};
  if (!event) return out;
  if (auto id = message_id(event->event); !id.empty())
    out.push_back("MESSAGE_ID=" + std::string(id));
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) out.push_back(std::string(name) + "=" + value);
  };
  add("VIPA_EVENT", event->event);
  add("VIPA", event->vipa);
  add("VIPA_INTERFACE", event->interface);
  add("VIPA_GATEWAY", event->gateway);
  return out;
}

}  // namespace vipa::log
