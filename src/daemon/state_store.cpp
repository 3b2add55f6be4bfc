#include "daemon/state_store.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"
#include "common/bytes_text.h"

namespace vipa {

using nlohmann::json;

namespace {

json key_to_json(const RouteKey& k) {
  return {{"family", k.family}, {"table", k.table},
          {"dst", k.dst.str()}, {"dst_len", k.dst_len},
          {"tos", k.tos},       {"priority", k.priority},
          {"oif", k.oif},       {"gateway", k.gateway.str()}};
}

std::optional<RouteKey> key_from_json(const json& j) {
  RouteKey k;
  k.family = j.at("family").get<uint8_t>();
  k.table = j.at("table").get<uint32_t>();
  auto dst = IpAddr::parse(j.at("dst").get<std::string>());
  if (!dst) return std::nullopt;
  k.dst = *dst;
  k.dst_len = j.at("dst_len").get<uint8_t>();
  k.tos = j.at("tos").get<uint8_t>();
  k.priority = j.at("priority").get<uint32_t>();
  k.oif = j.at("oif").get<int>();
  auto gw = j.at("gateway").get<std::string>();
  if (!gw.empty()) {
    auto g = IpAddr::parse(gw);
    if (!g) return std::nullopt;
    k.gateway = *g;
  }
  return k;
}

}  // namespace

Status StateStore::load(Observed& obs) {
  std::ifstream in(path_);
  if (!in) return Ok{};
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    json j = json::parse(ss.str());
    if (!j.is_object()) return Error::msg(path_ + ": unreadable state record");
    if (j.contains("sysctls"))
      for (auto& [p, v] : j.at("sysctls").items()) {
        // Paths hold interface names, which are bytes: written escaped (common/bytes_text.h).
        auto path = unescape_bytes(p);
        if (!path) return Error::msg(path_ + ": unreadable sysctl path " + p);
        auto value = unescape_bytes(v.get<std::string>());
        if (!value) return Error::msg(path_ + ": unreadable value of " + p);
        obs.sysctl_originals[*path] = *value;
      }
    if (!j.contains("prefsrc")) return Ok{};
    for (auto& e : j.at("prefsrc")) {
      auto k = key_from_json(e.at("route"));
      auto src = e.at("original").get<std::string>();
      auto a = IpAddr::parse(src);
      if (k) obs.prefsrc_originals[*k] = a ? *a : IpAddr{};
    }
  } catch (const json::exception& e) {
    return Error::msg(path_ + ": unreadable state record (" + e.what() + ")");
  }
  return Ok{};
}

Status StateStore::save(const Observed& obs) {
  json j;
  j["version"] = 1;
  j["comment"] = "Values vipad changed and restores on --cleanup or detach. Do not edit.";
  j["sysctls"] = json::object();
  for (auto& [p, v] : obs.sysctl_originals) j["sysctls"][escape_bytes(p)] = escape_bytes(v);
  j["prefsrc"] = json::array();
  for (auto& [k, a] : obs.prefsrc_originals)
    j["prefsrc"].push_back({{"route", key_to_json(k)}, {"original", a.str()}});
  return write_file_atomic(path_, j.dump(2) + "\n", 0600);
}

Status StateStore::remove() {
  if (unlink(path_.c_str()) < 0 && errno != ENOENT) return Error::sys(errno, "unlink " + path_);
  return Ok{};
}

}  // namespace vipa
