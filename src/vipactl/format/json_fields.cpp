#include "vipactl/format/json_fields.h"

#include <limits>

namespace vipa::ctl {

using nlohmann::json;

namespace {

const json* field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

}  // namespace

std::string str_of(const json& j, const char* key) {
  const json* f = field(j, key);
  if (!f) return "";
  if (f->is_string()) return f->get<std::string>();
  if (f->is_number_unsigned()) return std::to_string(f->get<uint64_t>());
  if (f->is_number_integer()) return std::to_string(f->get<int64_t>());
  return "";
}

std::optional<int64_t> int_of(const json& j, const char* key) {
  const json* f = field(j, key);
  if (!f || !f->is_number_integer()) return std::nullopt;
  if (f->is_number_unsigned() &&
      f->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return f->get<int64_t>();
}

bool bool_of(const json& j, const char* key) {
  const json* f = field(j, key);
  return f && f->is_boolean() && f->get<bool>();
}

const json& array_of(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const json* f = field(j, key);
  return f && f->is_array() ? *f : kEmpty;
}

}  // namespace vipa::ctl
