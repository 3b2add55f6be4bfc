// Reading vipa.conf's tables into a Config with a location for every value. Longer than the
// usual 400 lines: one reader per table ([vipa.NAME], [[route]], [dgd], [routing], [daemon])
// over one typed accessor class, kept together so that every table reports errors alike.
#include "config/toml_reader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <tuple>

#include "config/sources.h"
#include "config/values.h"

namespace vipa {

void ErrorSink::fail(const SourceLoc& at, const std::string& message) {
  auto pos = [this](const SourceLoc& l) { return std::tuple(rank(l.file), l.line, l.column); };
  if (failed_ && pos(at_) <= pos(at)) return;
  failed_ = true;
  at_ = at;
  message_ = message;
}

size_t ErrorSink::rank(const std::string& file) const {
  auto it = std::find(files_.begin(), files_.end(), file);
  return static_cast<size_t>(it - files_.begin());
}

namespace {

SourceLoc loc_of_region(const toml::source_region& r) {
  return SourceLoc{r.path ? *r.path : std::string(), static_cast<int>(r.begin.line),
                   static_cast<int>(r.begin.column)};
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

// Entries of a table in the order they appear in the file (toml++ sorts them by name).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [k, n] : t) out.emplace_back(&k, &n);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    auto pa = a.second->source().begin, pb = b.second->source().begin;
    return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
  });
  return out;
}

// One table being read: typed accessors that report "KEY: expected ..." at the value.
class Fields {
 public:
  Fields(ErrorSink& sink, Locations& locs, std::string section, std::string label)
      : sink_(sink), locs_(locs), section_(std::move(section)), label_(std::move(label)) {}

  void fail(const toml::node& n, std::string_view key, const std::string& message) {
    sink_.fail(loc_of(n), std::string(key) + ": " + message);
  }
  void fail_at(const SourceLoc& at, std::string_view key, const std::string& message) {
    sink_.fail(at, std::string(key) + ": " + message);
  }
  void unknown(const toml::key& k) {
    sink_.fail(loc_of(k), "unknown key '" + std::string(k.str()) + "' in " + label_);
  }
  void remember(std::string_view key, const toml::node& n) {
    locs_.set(loc_key(section_, key), loc_of(n));
  }
  void remember(std::string_view key, size_t item, const SourceLoc& at) {
    locs_.set(loc_key(section_, key, item), at);
  }

  const std::string* str(const toml::node& n, std::string_view key) {
    if (auto s = n.as_string()) return &s->get();
    fail(n, key, std::string("expected a string, got ") + type_name(n));
    return nullptr;
  }
  std::optional<bool> boolean(const toml::node& n, std::string_view key) {
    if (auto b = n.as_boolean()) return b->get();
    fail(n, key, std::string("expected true or false, got ") + type_name(n));
    return std::nullopt;
  }
  std::optional<int64_t> integer(const toml::node& n, std::string_view key, int64_t min,
                                 int64_t max) {
    auto i = n.as_integer();
    if (!i) {
      fail(n, key, std::string("expected an integer, got ") + type_name(n));
      return std::nullopt;
    }
    int64_t v = i->get();
    if (v < min || v > max) {
      fail(n, key,
           std::to_string(v) + " is out of range (" + std::to_string(min) + ".." +
               std::to_string(max) + ")");
      return std::nullopt;
    }
    return v;
  }
  void u32(const toml::node& n, std::string_view key, uint32_t min, uint32_t& out) {
    if (auto v = integer(n, key, min, std::numeric_limits<uint32_t>::max()))
      out = static_cast<uint32_t>(*v);
  }

  // An array of strings, each with its own location; with `split`, a single string in the
  // AIX list form ("en1,en5") is accepted as well.
  using Splitter = std::vector<std::string> (*)(std::string_view);
  std::optional<std::vector<std::pair<std::string, SourceLoc>>> str_list(const toml::node& n,
                                                                         std::string_view key,
                                                                         Splitter split) {
    std::vector<std::pair<std::string, SourceLoc>> out;
    if (auto s = n.as_string(); s && split) {
      for (auto& item : split(s->get())) out.emplace_back(item, loc_of(n));
      return out;
    }
    auto a = n.as_array();
    if (!a) {
      fail(n, key,
           std::string(split ? "expected a string or an array of strings, got "
                             : "expected an array of strings, got ") +
               type_name(n));
      return std::nullopt;
    }
    for (auto& item : *a) {
      auto s = item.as_string();
      if (!s) {
        fail(item, key, std::string("expected a string, got ") + type_name(item));
        return std::nullopt;
      }
      out.emplace_back(s->get(), loc_of(item));
    }
    return out;
  }

 private:
  ErrorSink& sink_;
  Locations& locs_;
  std::string section_;
  std::string label_;
};

template <typename T>
bool take(Fields& f, const toml::node& n, std::string_view key, Result<T> r, T& out) {
  if (!r) {
    f.fail(n, key, r.error().message);
    return false;
  }
  out = std::move(r.value());
  return true;
}

void read_prefix_list(Fields& f, const toml::node& n, std::string_view key,
                      Result<Prefix> (*parse)(std::string_view), std::vector<Prefix>& out) {
  auto items = f.str_list(n, key, split_blanks);
  if (!items) return;
  for (auto& [text, at] : *items) {
    auto p = parse(text);
    if (!p) {
      f.fail_at(at, key, p.error().message);
      continue;
    }
    f.remember(key, out.size(), at);
    out.push_back(*p);
  }
}

void read_vipa(const VipaSource& src, Config& c, Locations& locs, ErrorSink& sink) {
  VipaConfig v;
  v.name = src.name;
  v.loc = loc_of(*src.table);
  Fields f(sink, locs, vipa_section(src.name), "[vipa." + src.name + "]");
  for (auto [kp, np] : in_file_order(*src.table)) {
    const std::string_view k = kp->str();
    const toml::node& n = *np;
    f.remember(k, n);
    if (k == "netaddr") {
      if (auto s = f.str(n, k)) {
        IpAddr a;
        if (take(f, n, k, parse_ipv4_value(*s), a)) v.netaddr = a;
      }
    } else if (k == "netmask") {
      if (auto s = f.str(n, k)) take(f, n, k, parse_netmask_value(*s), v.netmask_len);
    } else if (k == "interface_names") {
      if (auto items = f.str_list(n, k, split_list)) {
        for (auto& [name, at] : *items) {
          f.remember(k, v.interface_names.size(), at);
          v.interface_names.push_back(name);
        }
      }
    } else if (k == "state") {
      if (auto s = f.str(n, k)) take(f, n, k, parse_state(*s), v.state);
    } else if (k == "alias4") {
      read_prefix_list(f, n, k, parse_alias4_entry, v.alias4);
    } else if (k == "netaddr6") {
      if (auto s = f.str(n, k)) {
        IpAddr a;
        if (take(f, n, k, parse_ipv6_value(*s), a)) v.netaddr6 = a;
      }
    } else if (k == "prefixlen") {
      if (auto i = f.integer(n, k, 1, 128)) v.prefixlen = static_cast<int>(*i);
    } else if (k == "alias6") {
      read_prefix_list(f, n, k, parse_alias6_entry, v.alias6);
    } else if (k == "kind") {
      if (auto s = f.str(n, k)) take(f, n, k, parse_kind(*s), v.kind);
    } else if (k == "advertise") {
      if (auto s = f.str(n, k)) take(f, n, k, parse_advertise(*s), v.advertise);
    } else if (k == "notify") {
      if (auto s = f.str(n, k)) v.notify = *s;
    } else if (k == "adopt") {
      if (auto b = f.boolean(n, k)) v.adopt = *b;
    } else {
      f.unknown(*kp);
    }
  }
  c.vipas.push_back(std::move(v));
}

// The keys that name a route, read alike in a [[route]] and in a drop-in's tombstone for one.
bool read_route_identity(Fields& f, std::string_view k, const toml::node& n, RouteConfig& r) {
  if (k == "destination") {
    if (auto s = f.str(n, k)) {
      Prefix p;
      if (take(f, n, k, parse_destination(*s), p)) {
        r.destination = p;
        r.family = p.addr.family;
      }
    }
  } else if (k == "gateway") {
    if (auto s = f.str(n, k)) {
      IpAddr a;
      if (take(f, n, k, parse_ip_value(*s), a)) r.gateway = a;
    }
  } else if (k == "interface") {
    if (auto s = f.str(n, k)) r.interface = *s;
  } else {
    return false;
  }
  return true;
}

void read_route(const toml::table& t, size_t index, Config& c, Locations& locs, ErrorSink& sink) {
  RouteConfig r;
  r.loc = loc_of(t);
  Fields f(sink, locs, route_section(index), "[[route]]");
  bool has_destination = false;
  for (auto [kp, np] : in_file_order(t)) {
    const std::string_view k = kp->str();
    const toml::node& n = *np;
    f.remember(k, n);
    has_destination |= k == "destination";
    if (read_route_identity(f, k, n, r)) continue;
    if (k == "metric") {
      f.u32(n, k, 0, r.metric);
    } else if (k == "active_dgd") {
      if (auto b = f.boolean(n, k)) r.active_dgd = *b;
    } else if (k == "multipath") {
      if (auto b = f.boolean(n, k)) r.multipath = *b;
    } else if (k == "onlink") {
      if (auto b = f.boolean(n, k)) r.onlink = *b;
    } else if (k == "track") {
      if (auto items = f.str_list(n, k, split_list)) {
        for (auto& [text, at] : *items) {
          auto a = parse_ip_value(text);
          if (!a) {
            f.fail_at(at, k, a.error().message);
            continue;
          }
          f.remember(k, r.track.size(), at);
          r.track.push_back(*a);
        }
      }
    } else {
      f.unknown(*kp);
    }
  }
  if (!has_destination) sink.fail(r.loc, "[[route]] is missing 'destination'");
  c.routes.push_back(std::move(r));
}

void read_routes(const toml::node& n, Config& c, Locations& locs, ErrorSink& sink) {
  auto a = n.as_array();
  if (!a) {
    sink.fail(loc_of(n), std::string("route: expected [[route]] tables, got ") + type_name(n));
    return;
  }
  for (auto& item : *a) {
    auto t = item.as_table();
    if (!t) {
      sink.fail(loc_of(item),
                std::string("route: expected a [[route]] table, got ") + type_name(item));
      continue;
    }
    read_route(*t, c.routes.size(), c, locs, sink);
  }
}

const toml::table* section_table(const toml::node& n, std::string_view name, ErrorSink& sink) {
  auto t = n.as_table();
  if (!t)
    sink.fail(loc_of(n), std::string(name) + ": expected a [" + std::string(name) +
                             "] table, got " + type_name(n));
  return t;
}

// A section of plain settings ([dgd], [routing], [daemon]) as one table: each key with how its
// value is read into the section's struct. Keys are read in file order; any other key is
// refused with its location.
template <class T>
struct Setting {
  std::string_view key;
  void (*read)(Fields& f, const toml::node& n, std::string_view k, T& out);
};

template <class T>
void read_settings(const toml::table& t, T& out, std::span<const Setting<T>> table, Fields&& f) {
  for (auto [kp, np] : in_file_order(t)) {
    const std::string_view k = kp->str();
    f.remember(k, *np);
    auto it =
        std::find_if(table.begin(), table.end(), [&](const Setting<T>& x) { return x.key == k; });
    if (it != table.end())
      it->read(f, *np, k, out);
    else
      f.unknown(*kp);
  }
}

// The readers a setting's row names: a u32 with its minimum, a string, a boolean.
template <class T, uint32_t T::*M, uint32_t Min>
void u32_of(Fields& f, const toml::node& n, std::string_view k, T& out) {
  f.u32(n, k, Min, out.*M);
}
template <class T, std::string T::*M>
void str_of(Fields& f, const toml::node& n, std::string_view k, T& out) {
  if (auto s = f.str(n, k)) out.*M = *s;
}
template <class T, bool T::*M>
void bool_of(Fields& f, const toml::node& n, std::string_view k, T& out) {
  if (auto b = f.boolean(n, k)) out.*M = *b;
}

constexpr Setting<DgdConfig> kDgdSettings[] = {
    {"ping_time_ms", u32_of<DgdConfig, &DgdConfig::ping_time_ms, 10>},
    {"packets_lost", u32_of<DgdConfig, &DgdConfig::packets_lost, 1>},
    {"retry_time_ms", u32_of<DgdConfig, &DgdConfig::retry_time_ms, 10>},
    {"passive_dgd", bool_of<DgdConfig, &DgdConfig::passive_dgd>},
};

void daemon_args_of(Fields& f, const toml::node& n, std::string_view k, RoutingConfig& r) {
  if (auto items = f.str_list(n, k, nullptr)) {
    r.daemon_args.clear();
    for (auto& [text, at] : *items) r.daemon_args.push_back(text);
  }
}

constexpr Setting<RoutingConfig> kRoutingSettings[] = {
    {"daemon", str_of<RoutingConfig, &RoutingConfig::daemon>},
    {"table", u32_of<RoutingConfig, &RoutingConfig::table, 1>},
    {"vtysh", str_of<RoutingConfig, &RoutingConfig::vtysh>},
    {"birdc", str_of<RoutingConfig, &RoutingConfig::birdc>},
    {"announce", str_of<RoutingConfig, &RoutingConfig::announce>},
    {"ospf_area", str_of<RoutingConfig, &RoutingConfig::ospf_area>},
    {"bgp_asn", u32_of<RoutingConfig, &RoutingConfig::bgp_asn, 0>},
    {"view_interval_ms", u32_of<RoutingConfig, &RoutingConfig::view_interval_ms, 50>},
    {"daemon_args", daemon_args_of},
};

constexpr Setting<DaemonConfig> kDaemonSettings[] = {
    {"metrics", str_of<DaemonConfig, &DaemonConfig::metrics>},
};

void read_dgd(const toml::table& t, DgdConfig& d, Locations& locs, ErrorSink& sink) {
  read_settings<DgdConfig>(t, d, kDgdSettings, Fields(sink, locs, "dgd", "[dgd]"));
}

void read_routing(const toml::table& t, RoutingConfig& r, Locations& locs, ErrorSink& sink) {
  read_settings<RoutingConfig>(t, r, kRoutingSettings, Fields(sink, locs, "routing", "[routing]"));
}

void read_daemon(const toml::table& t, DaemonConfig& d, Locations& locs, ErrorSink& sink) {
  read_settings<DaemonConfig>(t, d, kDaemonSettings, Fields(sink, locs, "daemon", "[daemon]"));
}

}  // namespace

SourceLoc loc_of(const toml::node& n) {
  return loc_of_region(n.source());
}
SourceLoc loc_of(const toml::key& k) {
  return loc_of_region(k.source());
}

void collect_vipas(const toml::table& root, bool dropin, std::vector<VipaSource>& vipas,
                   ErrorSink& sink) {
  for (auto [kp, np] : in_file_order(root)) {
    if (kp->str() != "vipa") {
      if (dropin && kp->str() != "route" && kp->str() != "dgd")  // read_inet0_tables
        sink.fail(loc_of(*kp),
                  "only [vipa.NAME], [[route]] and [dgd] tables are allowed in a drop-in, not '" +
                      std::string(kp->str()) + "'");
      continue;
    }
    auto vt = section_table(*np, "vipa", sink);
    if (!vt) continue;
    for (auto [namep, tp] : in_file_order(*vt)) {
      std::string name(namep->str());
      auto t = tp->as_table();
      if (!t) {
        // The usual cause: settings written under [vipa] without the interface name.
        sink.fail(loc_of(*tp),
                  name + ": expected a [vipa.NAME] table (e.g. [vipa.vi0]), got " + type_name(*tp));
        continue;
      }
      auto same = std::find_if(vipas.begin(), vipas.end(),
                               [&](const VipaSource& s) { return s.name == name; });
      if (dropin && t->contains("deleted")) {
        const toml::node& d = *t->get("deleted");
        if (!d.is_boolean() || !d.as_boolean()->get()) {
          sink.fail(loc_of(d), "deleted: must be true (to remove the VIPA) or absent");
        } else if (t->size() != 1) {
          sink.fail(loc_of(*t), "[vipa." + name + "] with deleted = true must hold no other key");
        } else if (same != vipas.end()) {
          vipas.erase(same);
        }
        continue;
      }
      if (same != vipas.end())
        same->table = t;
      else
        vipas.push_back(VipaSource{name, t});
    }
  }
}

void read_config(const toml::table& root, const std::vector<VipaSource>& vipas, Config& c,
                 Locations& locs, ErrorSink& sink) {
  for (auto& v : vipas) read_vipa(v, c, locs, sink);
  for (auto [kp, np] : in_file_order(root)) {
    const std::string_view k = kp->str();
    if (k == "vipa") continue;  // collect_vipas
    if (k == "route") {
      read_routes(*np, c, locs, sink);
    } else if (k == "dgd") {
      if (auto t = section_table(*np, k, sink)) read_dgd(*t, c.dgd, locs, sink);
    } else if (k == "routing") {
      if (auto t = section_table(*np, k, sink)) read_routing(*t, c.routing, locs, sink);
    } else if (k == "daemon") {
      if (auto t = section_table(*np, k, sink)) read_daemon(*t, c.daemon, locs, sink);
    } else if (k == "source") {
      read_sources(*np, c, locs, sink);
    } else if (k == "dvipa") {
      read_dvipas(*np, c, locs, sink);
    } else {
      sink.fail(loc_of(*kp), "unknown key '" + std::string(k) +
                                 "' (expected vipa, route, dgd, routing, daemon, source or dvipa)");
    }
  }
}

void read_inet0_tables(const toml::table& root, Inet0Record& rec, Locations& locs,
                       ErrorSink& sink) {
  if (auto n = root.get("dgd")) {
    if (auto t = section_table(*n, "dgd", sink)) {
      DgdConfig d;
      read_dgd(*t, d, locs, sink);
      if (t->contains("ping_time_ms")) rec.ping_time_ms = d.ping_time_ms;
      if (t->contains("packets_lost")) rec.packets_lost = d.packets_lost;
      if (t->contains("retry_time_ms")) rec.retry_time_ms = d.retry_time_ms;
      if (t->contains("passive_dgd")) rec.passive_dgd = d.passive_dgd;
    }
  }
  auto n = root.get("route");
  if (!n) return;
  // Per-field locations are keyed by route index, which a drop-in's routes do not have yet:
  // their errors point at their [[route]] table instead.
  Locations route_locs;
  Config scratch;
  auto a = n->as_array();
  if (!a) return read_routes(*n, scratch, route_locs, sink);  // reports the shape
  for (auto& item : *a) {
    auto t = item.as_table();
    if (!t) {
      sink.fail(loc_of(item),
                std::string("route: expected a [[route]] table, got ") + type_name(item));
      continue;
    }
    if (!t->contains("deleted")) {
      Config one;
      read_route(*t, 0, one, route_locs, sink);
      for (auto& r : one.routes) rec.routes.push_back(std::move(r));
      continue;
    }
    // A tombstone names the route it removes: destination, gateway, interface, nothing else.
    RouteConfig r;
    r.loc = loc_of(*t);
    Fields f(sink, route_locs, "route", "[[route]] with deleted = true");
    for (auto [kp, np] : in_file_order(*t)) {
      const std::string_view k = kp->str();
      const toml::node& v = *np;
      if (k == "deleted") {
        if (!v.is_boolean() || !v.as_boolean()->get())
          sink.fail(loc_of(v), "deleted: must be true (to remove the route) or absent");
      } else if (!read_route_identity(f, k, v, r)) {
        f.unknown(*kp);
      }
    }
    if (!r.destination) sink.fail(r.loc, "[[route]] with deleted = true is missing 'destination'");
    rec.deleted.push_back(std::move(r));
  }
}

Result<toml::table> parse_toml(std::string_view text, const std::string& name) {
  try {
    return toml::parse(text, std::string(name));
  } catch (const toml::parse_error& e) {
    return located_error(loc_of_region(e.source()), std::string(e.description()));
  } catch (const std::exception& e) {
    return Error::msg(name + ": " + e.what());
  }
}

}  // namespace vipa
