// [[source]] tables, read with their locations (config/sources.h).
#include <pwd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <tuple>
#include <vector>

#include "config/sources.h"
#include "config/values.h"

namespace vipa {

namespace {

std::optional<uint32_t> parse_uid(std::string_view s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  if (v == UINT32_MAX) return std::nullopt;  // (uid_t)-1 means "no uid"
  return v;
}

// "backup", "1000", "1000-1999".
Result<std::pair<uint32_t, uint32_t>> parse_user(const std::string& text) {
  if (auto dash = text.find('-'); dash != std::string::npos && parse_uid(text.substr(0, dash))) {
    auto a = parse_uid(text.substr(0, dash)), b = parse_uid(text.substr(dash + 1));
    if (!b || *b < *a)
      return Error::msg("'" + text + "' is not a uid range FIRST-LAST (FIRST <= LAST)");
    return std::pair{*a, *b};
  }
  if (auto u = parse_uid(text)) return std::pair{*u, *u};
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || !found)
    return Error::msg("no user named '" + text + "'" +
                      (rc != 0 && rc != ENOENT ? std::string(" (") + std::strerror(rc) + ")" : ""));
  return std::pair{static_cast<uint32_t>(found->pw_uid), static_cast<uint32_t>(found->pw_uid)};
}

void read_source(const toml::table& t, size_t index, Config& c, Locations& locs, ErrorSink& sink) {
  SourceConfig s;
  s.loc = loc_of(t);
  const std::string sec = "source." + std::to_string(index);
  int selectors = 0;
  bool has_vipa = false;
  for (auto&& [k, n] : t) {
    const std::string key(k.str());
    locs.set(loc_key(sec, key), loc_of(n));
    auto str = n.as_string();
    if (key != "unit" && key != "user" && key != "cgroup" && key != "destination" &&
        key != "vipa") {
      sink.fail(loc_of(k), "unknown key '" + key +
                               "' in [[source]] (expected unit, user, cgroup or destination, "
                               "and vipa)");
      continue;
    }
    if (!str) {
      sink.fail(loc_of(n), key + ": expected a string");
      continue;
    }
    const std::string& v = str->get();
    if (key == "vipa") {
      has_vipa = true;
      s.vipa = v;
      continue;
    }
    ++selectors;
    s.selector = v;
    if (key == "unit") {
      s.kind = SourceKind::Unit;
      if (!valid_unit_name(v))
        sink.fail(loc_of(n), "unit: '" + v +
                                 "' is not a systemd unit with a cgroup (NAME.service, .slice, "
                                 ".scope, .socket, .mount or .swap)");
    } else if (key == "cgroup") {
      s.kind = SourceKind::Cgroup;
      auto p = normalize_cgroup_path(v);
      if (!p || p->empty())
        sink.fail(loc_of(n), "cgroup: '" + v +
                                 "' is not a cgroup v2 path below the root (e.g. "
                                 "\"/system.slice/app.slice\")");
      else
        s.cgroup = *p;
    } else if (key == "user") {
      s.kind = SourceKind::User;
      auto r = parse_user(v);
      if (!r)
        sink.fail(loc_of(n), "user: " + r.error().message);
      else
        std::tie(s.uid_first, s.uid_last) = *r;
    } else {
      s.kind = SourceKind::Destination;
      auto p = parse_destination(v);
      if (!p) {
        sink.fail(loc_of(n), "destination: " + p.error().message);
      } else if (p->addr.masked(p->len) != p->addr) {
        sink.fail(loc_of(n), "destination: " + p->str() + " has host bits set (did you mean " +
                                 Prefix{p->addr.masked(p->len), p->len}.str() + "?)");
      } else {
        s.destination = *p;
      }
    }
  }
  if (selectors != 1)
    sink.fail(s.loc, selectors == 0
                         ? "[[source]] needs one of unit, user, cgroup or destination"
                         : "[[source]] takes only one of unit, user, cgroup or destination "
                           "(write one [[source]] per rule)");
  if (!has_vipa) sink.fail(s.loc, "[[source]] is missing 'vipa'");
  c.sources.push_back(std::move(s));
}

}  // namespace

void read_sources(const toml::node& n, Config& c, Locations& locs, ErrorSink& sink) {
  auto a = n.as_array();
  if (!a) {
    sink.fail(loc_of(n), "source: expected [[source]] tables");
    return;
  }
  for (auto& item : *a) {
    auto t = item.as_table();
    if (!t) {
      sink.fail(loc_of(item), "source: expected a [[source]] table");
      continue;
    }
    read_source(*t, c.sources.size(), c, locs, sink);
  }
}

}  // namespace vipa
