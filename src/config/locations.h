// Where each value of a parsed config came from. The reader fills it; the whole-config
// checks use it so that a duplicate address points at the second address itself, not only
// at its table. Configs built by vipactl have none, and errors then fall back to the table.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "config/config.h"

namespace vipa {

class Locations {
 public:
  void set(const std::string& key, SourceLoc loc) { map_[key] = std::move(loc); }
  // The location of `key`, else `fallback`.
  const SourceLoc& get(const std::string& key, const SourceLoc& fallback) const {
    auto it = map_.find(key);
    return it == map_.end() ? fallback : it->second;
  }

 private:
  std::unordered_map<std::string, SourceLoc> map_;
};

// Keys: "vipa.vi0.netaddr", "vipa.vi0.alias4.1", "route.2.gateway", "dgd.ping_time_ms".
inline std::string loc_key(std::string_view section, std::string_view field) {
  return std::string(section) + "." + std::string(field);
}
inline std::string loc_key(std::string_view section, std::string_view field, size_t item) {
  return loc_key(section, field) + "." + std::to_string(item);
}
inline std::string vipa_section(const std::string& name) {
  return "vipa." + name;
}
inline std::string route_section(size_t index) {
  return "route." + std::to_string(index);
}

// "FILE:LINE:COLUMN: message"; without a line (a config vipactl built in memory), less.
inline Error located_error(const SourceLoc& at, const std::string& message) {
  if (at.line == 0) return Error::msg(at.file.empty() ? message : at.file + ": " + message);
  return Error::msg(at.str() + ": " + message);
}

inline std::string dvipa_section(const std::string& name) {
  return "dvipa." + name;
}

// [dvipa.*] and the [routing] keys they use (dvipa_validate.cpp).
Status validate_dvipas(const Config& c, const Locations* locs);

// validate_config() with the reader's locations; `locs` may be null.
Status validate_config_at(const Config& c, const Locations* locs);

}  // namespace vipa
