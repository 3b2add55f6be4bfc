// Whole-config rules for [[source]] (config/sources.h).
#include <sys/socket.h>

#include <cctype>
#include <map>

#include "config/sources.h"

namespace vipa {

const char* to_string(SourceKind k) {
  switch (k) {
    case SourceKind::Unit:
      return "unit";
    case SourceKind::Cgroup:
      return "cgroup";
    case SourceKind::User:
      return "user";
    case SourceKind::Destination:
      return "destination";
  }
  return "?";
}

bool valid_unit_name(std::string_view name) {
  static constexpr std::string_view kSuffixes[] = {".service", ".slice", ".socket",
                                                   ".scope",   ".mount", ".swap"};
  if (name.size() > 255) return false;
  bool suffix = false;
  for (auto s : kSuffixes)
    if (name.size() > s.size() && name.substr(name.size() - s.size()) == s) suffix = true;
  if (!suffix) return false;
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@'))
      return false;
  return true;
}

std::optional<std::string> normalize_cgroup_path(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "." || part == "..") return std::nullopt;
    if (!part.empty()) {
      for (unsigned char c : part)
        if (c < 0x20 || c == 0x7f) return std::nullopt;
      out += (out.empty() ? "" : "/") + std::string(part);
    } else if (i != 0 && j != path.size()) {
      return std::nullopt;  // "a//b"
    }
    i = j + 1;
  }
  return out;
}

std::optional<SourceVipa> resolve_source_vipa(const Config& c, const std::string& ref) {
  for (auto& v : c.vipas) {
    if (v.name != ref) continue;
    SourceVipa s{&v, v.netaddr.value_or(IpAddr{}), v.netaddr6.value_or(IpAddr{})};
    return s;
  }
  auto a = IpAddr::parse(ref);
  if (!a) return std::nullopt;
  for (auto& v : c.vipas) {
    bool mine = (v.netaddr && *v.netaddr == *a) || (v.netaddr6 && *v.netaddr6 == *a);
    for (auto& p : v.alias4) mine |= p.addr == *a;
    for (auto& p : v.alias6) mine |= p.addr == *a;
    if (!mine) continue;
    SourceVipa s{&v, {}, {}};
    (a->is_v4() ? s.v4 : s.v6) = *a;
    return s;
  }
  return std::nullopt;
}

Status check_sources(const Config& c, const Locations* locs) {
  auto at = [&](size_t i, const char* key) -> const SourceLoc& {
    const SourceLoc& table = c.sources[i].loc;
    return locs ? locs->get(loc_key("source." + std::to_string(i), key), table) : table;
  };
  // The BPF rule map and the counters hold at most this many (srcsel_abi.h).
  if (c.sources.size() > 256)
    return located_error(c.sources[256].loc, "[[source]]: at most 256 rules");
  std::map<std::string, size_t> cgroups, units;
  std::map<Prefix, size_t> dests;
  for (size_t i = 0; i < c.sources.size(); ++i) {
    const SourceConfig& s = c.sources[i];
    const char* key = to_string(s.kind);
    auto v = resolve_source_vipa(c, s.vipa);
    if (!v)
      return located_error(at(i, "vipa"), "vipa: '" + s.vipa +
                                              "' is neither a [vipa.NAME] nor one of their "
                                              "addresses");
    auto previous = [&](size_t j) { return c.sources[j].loc.str(); };
    switch (s.kind) {
      case SourceKind::Unit:
        if (auto [it, fresh] = units.emplace(s.selector, i); !fresh)
          return located_error(
              at(i, key),
              "unit: " + s.selector + " already has a [[source]] rule at " + previous(it->second));
        break;
      case SourceKind::Cgroup:
        if (auto [it, fresh] = cgroups.emplace(s.cgroup, i); !fresh)
          return located_error(
              at(i, key),
              "cgroup: /" + s.cgroup + " already has a [[source]] rule at " + previous(it->second));
        break;
      case SourceKind::User:
        // A narrower range is more specific and wins; two ranges of one width that share a
        // uid would leave the choice to chance.
        for (size_t j = 0; j < i; ++j) {
          const SourceConfig& o = c.sources[j];
          if (o.kind != SourceKind::User) continue;
          bool overlap = s.uid_first <= o.uid_last && o.uid_first <= s.uid_last;
          if (overlap && s.uid_last - s.uid_first == o.uid_last - o.uid_first)
            return located_error(at(i, key), "user: " + s.selector + " overlaps " + o.selector +
                                                 " (as specific) at " + previous(j));
        }
        break;
      case SourceKind::Destination: {
        const Prefix& d = *s.destination;
        if ((d.addr.is_v4() ? v->v4 : v->v6).empty())
          return located_error(at(i, "vipa"), "vipa: " + s.vipa + " has no " +
                                                  (d.addr.is_v4() ? "IPv4" : "IPv6") +
                                                  " address for " + s.selector);
        if (auto [it, fresh] = dests.emplace(d, i); !fresh)
          return located_error(at(i, key), "destination: " + s.selector +
                                               " already has a [[source]] rule at " +
                                               previous(it->second));
        break;
      }
    }
  }
  return Ok{};
}

}  // namespace vipa
