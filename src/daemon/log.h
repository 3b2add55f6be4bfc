// One line per event on stderr; with journald's "<N>" priority prefixes when stderr is the
// journal (JOURNAL_STREAM set), and identical lines rate-limited so a fight with another
// network manager cannot flood the log.
#pragma once

#include <string>

#include "daemon/journal_fields.h"

namespace vipa::log {

enum class Level { Err = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

void init(bool verbose);
void write(Level level, const std::string& msg);
inline void err(const std::string& m) {
  write(Level::Err, m);
}
inline void warn(const std::string& m) {
  write(Level::Warning, m);
}
inline void notice(const std::string& m) {
  write(Level::Notice, m);
}
inline void info(const std::string& m) {
  write(Level::Info, m);
}
inline void debug(const std::string& m) {
  write(Level::Debug, m);
}

// One of vipad's events (failover, gateway_dead, ...): under systemd an entry with the
// VIPA_* fields and the event's MESSAGE_ID and priority; on stderr the same line as write().
void event(const std::string& msg, const EventFields& fields);

}  // namespace vipa::log
