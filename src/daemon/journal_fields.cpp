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
    // Dynamic VIPAs (docs/dynamic-vipa.md): state changes, health, announcements, moves.
    {"dvipa", "9bc93f42fc24402bbe2168028b69bf7b", 5},
    {"dvipa_health", "1725856d9b6448909f27b03affac9790", 4},
    {"dvipa_announce", "fb69d71cf24747808f8ac14bc25ed47c", 6},
    {"dvipa_reassert", "5a96da9e1e884f46840c12bfb3b50248", 4},
    {"dvipa_problem", "57c511601a074acbb2239958084216aa", 4},
    {"dvipa_problem_cleared", "b90c25ad0c90430fb8989635a8205450", 5},
    {"dvipa_takeback", "618984c5bab1478f800609a1d4997809", 5},
    {"dvipa_withdraw", "e20e657fa7aa4f07986d5e51799c6c2d", 5},
    {"dvipa_resume", "b7e11456e2364ca8b414a4719766eaa5", 5},
    {"dvipa_drain", "e82371a7f5104d9784b0df78bfd83ca1", 5},
    {"dvipa_moving", "a055b273584f4a8a97c807e189d32d16", 5},
    {"dvipa_moving_done", "e5c28b4dd6b049f99b53297df39030f2", 6},
    {"dvipa_moving_timeout", "0245cb8bf7b14c83ba9617ab112c52a0", 4},
    {"dvipa_forward", "4d883ebb3ca84d0ea4e7eb7c4a12a6ad", 5},
    {"dvipa_forward_done", "24684bcc5ed949daa1611a1475e1e3e5", 6},
    {"dvipa_forward_cut", "0964619dfba746b8b1e099f34489a22b", 4},
    {"dvipa_not_a_peer", "0289ccbf678c4f32bf9c1a50818fa20b", 4},
};

const Kind* find(std::string_view event) {
  for (const auto& k : kKinds)
    if (k.event == event) return &k;
  return nullptr;
}

}  // namespace

std::vector<std::string_view> event_kinds() {
  std::vector<std::string_view> out;
  for (const auto& k : kKinds) out.push_back(k.event);
  return out;
}

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
  add("VIPA_DVIPA", event->dvipa);
  add("VIPA_DVIPA_OLD_STATE", event->old_state);
  add("VIPA_DVIPA_STATE", event->new_state);
  add("VIPA_PEER", event->peer);
  return out;
}

}  // namespace vipa::log
