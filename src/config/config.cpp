#include "config/config.h"

#include <cctype>

#include "common/read_file.h"
#include "config/locations.h"
#include "config/toml_reader.h"

namespace vipa {

std::string SourceLoc::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const char* to_string(VipaState s) {
  switch (s) {
    case VipaState::Up:
      return "up";
    case VipaState::Down:
      return "down";
    case VipaState::Detach:
      return "detach";
  }
  return "?";
}

const char* to_string(LinkKind k) {
  switch (k) {
    case LinkKind::Auto:
      return "auto";
    case LinkKind::Dummy:
      return "dummy";
    case LinkKind::Ifb:
      return "ifb";
  }
  return "?";
}

const char* to_string(Advertise a) {
  switch (a) {
    case Advertise::Host:
      return "host";
    case Advertise::Subnet:
      return "subnet";
  }
  return "?";
}

bool valid_ifname(std::string_view name) {
  // IFNAMSIZ is 16 with the terminating NUL; see dev_valid_name() in net/core/dev.c.
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  for (unsigned char c : name)
    if (c == '/' || c == ':' || c == '\0' || std::isspace(c) || c < 0x20 || c == 0x7f) return false;
  return true;
}

std::set<IpAddr> vipa_addresses(const Config& c) {
  std::set<IpAddr> out;
  for (auto& v : c.vipas) {
    if (v.netaddr) out.insert(*v.netaddr);
    if (v.netaddr6) out.insert(*v.netaddr6);
    for (auto& a : v.alias4) out.insert(a.addr);
    for (auto& a : v.alias6) out.insert(a.addr);
  }
  return out;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto addr = IpAddr::parse(host);
  if (!addr || (text.front() == '[') != addr->is_v6()) return std::nullopt;
  if (port.empty() || port.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < 1 || value > 65535) return std::nullopt;
  return HostPort{*addr, static_cast<uint16_t>(value)};
}

Result<Config> parse_config_string(std::string_view text, const std::string& name) {
  auto doc = parse_toml(text, name);
  if (!doc) return doc.error();
  ErrorSink sink({name});
  std::vector<VipaSource> vipas;
  collect_vipas(*doc, false, vipas, sink);
  Config c;
  c.path = name;
  Locations locs;
  read_config(*doc, vipas, c, locs, sink);
  if (sink.failed()) return sink.error();
  if (auto s = validate_config_at(c, &locs); !s) return s.error();
  return c;
}

Result<Config> parse_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_config_string(*text, path);
}

}  // namespace vipa
