#include "routing/adapter.h"

#include "routing/daemons.h"
#include "routing/frr.h"

namespace vipa::routing {

std::unique_ptr<Adapter> make_adapter(const RoutingConfig& rc) {
  if (auto* d = find_daemon(rc.daemon); d && d->id == DaemonId::Frr) {
    if (rc.announce == "bgp") return std::make_unique<FrrBgp>(rc);
    return std::make_unique<FrrOspf>(rc);
  }
  return nullptr;
}

std::vector<std::string> split_json_values(const std::string& text) {
  std::vector<std::string> out;
  int depth = 0;
  bool in_string = false, escape = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escape)
        escape = false;
      else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (depth > 0 && c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth++ == 0) start = i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0) out.push_back(text.substr(start, i - start + 1));
    }
  }
  return out;
}

}  // namespace vipa::routing
