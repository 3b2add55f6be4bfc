// TOML text for the drop-in vipad writes on vipactl's behalf. Every field is written, so
// the table means the same whatever the defaults become.
#include <cctype>
#include <cstdio>

#include "config/config.h"
#include "config/values.h"

namespace vipa {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Interface names may hold characters that TOML's bare keys do not allow ("eth0.100").
std::string key(std::string_view name) {
  bool bare = !name.empty();
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) bare = false;
  return bare ? std::string(name) : quote(name);
}

std::string array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quote(items[i]);
  return out + "]";
}

}  // namespace

std::string render_vipa_toml(const VipaConfig& v) {
  std::string out = "[vipa." + key(v.name) + "]\n";
  auto line = [&](const char* k, const std::string& value) {
    out += std::string(k) + " = " + value + "\n";
  };
  if (v.netaddr) line("netaddr", quote(v.netaddr->str()));
  line("netmask", quote(prefixlen_to_netmask(v.netmask_len)));
  line("interface_names", array(v.interface_names));
  line("state", quote(to_string(v.state)));
  std::vector<std::string> a4, a6;
  for (auto& p : v.alias4) a4.push_back(format_alias4(p));
  for (auto& p : v.alias6) a6.push_back(p.str());
  line("alias4", array(a4));
  if (v.netaddr6) line("netaddr6", quote(v.netaddr6->str()));
  line("prefixlen", std::to_string(v.prefixlen));
  line("alias6", array(a6));
  line("kind", quote(to_string(v.kind)));
  line("advertise", quote(to_string(v.advertise)));
  if (!v.notify.empty()) line("notify", quote(v.notify));
  if (v.adopt) line("adopt", "true");
  return out;
}

std::string render_dropin(const std::vector<VipaConfig>& vipas,
                          const std::vector<std::string>& deleted_names) {
  std::string out =
      "# Written by vipad for vipactl mkdev/chdev/rmdev. Edit with vipactl, or delete this "
      "file to drop those changes.\n";
  for (auto& v : vipas) out += "\n" + render_vipa_toml(v);
  for (auto& name : deleted_names) out += "\n[vipa." + key(name) + "]\ndeleted = true\n";
  return out;
}

}  // namespace vipa
