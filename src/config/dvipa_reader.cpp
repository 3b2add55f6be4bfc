// [dvipa.NAME] and [dvipa.NAME.health]: shapes and single values. Whole-config rules
// (duplicates, interfaces, the routing daemon) are in dvipa_validate.cpp.
#include <algorithm>
#include <limits>

#include "config/dvipa_peers.h"
#include "config/toml_reader.h"
#include "config/values.h"

namespace vipa {

const char* to_string(Takeback t) {
  switch (t) {
    case Takeback::Immediate:
      return "immediate";
    case Takeback::Whenidle:
      return "whenidle";
    case Takeback::Manual:
      return "manual";
  }
  return "?";
}

const char* to_string(HealthKind k) {
  switch (k) {
    case HealthKind::None:
      return "none";
    case HealthKind::Exec:
      return "exec";
    case HealthKind::Tcp:
      return "tcp";
    case HealthKind::Http:
      return "http";
  }
  return "?";
}

bool valid_dvipa_name(const std::string& name) {
  if (name.empty() || name.size() > 12) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

namespace {

// Reports "KEY: message" at a value and remembers where each value is.
struct Reader {
  ErrorSink& sink;
  Locations& locs;
  std::string section;

  void fail(const toml::node& n, std::string_view key, const std::string& m) {
    sink.fail(loc_of(n), std::string(key) + ": " + m);
  }
  const std::string* str(const toml::node& n, std::string_view key) {
    if (auto s = n.as_string()) return &s->get();
    fail(n, key, "expected a string");
    return nullptr;
  }
  bool u32(const toml::node& n, std::string_view key, int64_t min, int64_t max, uint32_t& out) {
    auto i = n.as_integer();
    if (!i) {
      fail(n, key, "expected an integer");
      return false;
    }
    if (i->get() < min || i->get() > max) {
      fail(n, key,
           std::to_string(i->get()) + " is out of range (" + std::to_string(min) + ".." +
               std::to_string(max) + ")");
      return false;
    }
    out = static_cast<uint32_t>(i->get());
    return true;
  }
  void remember(std::string_view key, const toml::node& n) {
    locs.set(loc_key(section, key), loc_of(n));
  }
};

// "HOST:PORT" with an IP literal ("[::1]:80" for IPv6).
bool parse_target(std::string_view text, HealthConfig& h) {
  auto hp = parse_host_port(text);
  if (!hp) return false;
  h.addr = hp->addr;
  h.port = hp->port;
  return true;
}

// "http://HOST[:PORT][/PATH]", HOST an IP literal; no TLS.
bool parse_http(std::string_view url, HealthConfig& h) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  h.http_path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  for (unsigned char c : h.http_path)
    if (c <= 0x20 || c >= 0x7f) return false;
  std::string with_port(authority);
  bool bracket = !authority.empty() && authority.front() == '[';
  auto close = authority.rfind(']');
  bool has_port = bracket ? (close != std::string_view::npos && close + 1 < authority.size())
                          : authority.find(':') != std::string_view::npos;
  if (!has_port) with_port += ":80";
  if (!parse_target(with_port, h)) return false;
  h.http_host = std::string(authority);
  return true;
}

void read_health(const toml::table& t, DvipaConfig& d, Reader& r) {
  HealthConfig& h = d.health;
  bool timeout_set = false;
  int kinds = 0;
  for (auto&& [kp, np] : t) {
    const std::string_view k = kp.str();
    const toml::node& n = np;
    r.remember(std::string("health.") + std::string(k), n);
    if (k == "exec") {
      ++kinds;
      h.kind = HealthKind::Exec;
      auto a = n.as_array();
      if (!a || a->empty()) {
        r.fail(n, k, "expected a non-empty array of strings (argv, no shell)");
        continue;
      }
      for (auto& item : *a) {
        auto s = item.as_string();
        if (!s) {
          r.fail(item, k, "expected a string");
          break;
        }
        h.exec.push_back(s->get());
      }
      if (!h.exec.empty() && (h.exec[0].empty() || h.exec[0][0] != '/'))
        r.fail(n, k,
               "'" + h.exec[0] + "' is not an absolute path (the command runs without a shell)");
      h.target = h.exec.empty() ? "" : h.exec[0];
    } else if (k == "tcp") {
      ++kinds;
      h.kind = HealthKind::Tcp;
      if (auto s = r.str(n, k)) {
        h.target = *s;
        if (!parse_target(*s, h))
          r.fail(n, k, "'" + *s + "' is not ADDRESS:PORT (e.g. 127.0.0.1:80 or [::1]:80)");
      }
    } else if (k == "http") {
      ++kinds;
      h.kind = HealthKind::Http;
      if (auto s = r.str(n, k)) {
        h.target = *s;
        if (!parse_http(*s, h))
          r.fail(n, k,
                 "'" + *s + "' is not http://ADDRESS[:PORT]/PATH with an IP address (no https)");
      }
    } else if (k == "interval_ms") {
      r.u32(n, k, 10, 3'600'000, h.interval_ms);
    } else if (k == "timeout_ms") {
      timeout_set = r.u32(n, k, 1, 3'600'000, h.timeout_ms);
    } else if (k == "rise") {
      r.u32(n, k, 1, 100, h.rise);
    } else if (k == "fall") {
      r.u32(n, k, 1, 100, h.fall);
    } else {
      r.sink.fail(loc_of(kp), "unknown key '" + std::string(k) + "' in [" + r.section +
                                  ".health] (expected exec, tcp, http, interval_ms, timeout_ms, "
                                  "rise or fall)");
    }
  }
  if (kinds == 0)
    r.sink.fail(loc_of(t), "[" + r.section + ".health] needs one of exec, tcp or http");
  if (kinds > 1)
    r.sink.fail(loc_of(t), "[" + r.section + ".health] takes only one of exec, tcp or http");
  if (!timeout_set) h.timeout_ms = std::min<uint32_t>(500, h.interval_ms);
  if (h.timeout_ms > h.interval_ms) {
    auto* n = t.get("timeout_ms");
    r.sink.fail(n ? loc_of(*n) : loc_of(t), "timeout_ms: " + std::to_string(h.timeout_ms) +
                                                " is longer than interval_ms (" +
                                                std::to_string(h.interval_ms) + ")");
  }
}

void read_dvipa(const std::string& name, const toml::table& t, Config& c, Locations& locs,
                ErrorSink& sink) {
  DvipaConfig d;
  d.name = name;
  SourceLoc at = loc_of(t);
  d.line = at.line;
  d.column = at.column;
  Reader r{sink, locs, dvipa_section(name)};
  if (!valid_dvipa_name(name))
    sink.fail(at,
              "[dvipa." + name +
                  "]: the name must be 1..12 letters, digits, '_' or '-' (its link is vd-NAME)");
  bool has_address = false, has_rank = false;
  for (auto&& [kp, np] : t) {
    const std::string_view k = kp.str();
    const toml::node& n = np;
    r.remember(k, n);
    if (k == "address") {
      has_address = true;
      if (auto s = r.str(n, k)) {
        auto a = parse_ip_value(*s);
        if (!a)
          r.fail(n, k, a.error().message);
        else
          d.address = *a;
      }
    } else if (k == "rank") {
      has_rank = true;
      r.u32(n, k, 1, 254, d.rank);
    } else if (k == "takeback") {
      if (auto s = r.str(n, k)) {
        if (*s == "immediate")
          d.takeback = Takeback::Immediate;
        else if (*s == "whenidle")
          d.takeback = Takeback::Whenidle;
        else if (*s == "manual")
          d.takeback = Takeback::Manual;
        else
          r.fail(n, k, "'" + *s + "' is not one of immediate, whenidle, manual");
      }
    } else if (k == "delay_join") {
      if (auto b = n.as_boolean())
        d.delay_join = b->get();
      else
        r.fail(n, k, "expected true or false");
    } else if (k == "interface_names") {
      if (auto s = n.as_string()) {
        d.interface_names = split_list(s->get());
      } else if (auto a = n.as_array()) {
        for (auto& item : *a) {
          if (auto s = item.as_string()) {
            locs.set(loc_key(r.section, k, d.interface_names.size()), loc_of(item));
            d.interface_names.push_back(s->get());
          } else {
            r.fail(item, k, "expected a string");
          }
        }
      } else {
        r.fail(n, k, "expected an array of interface names");
      }
    } else if (k == "hold_down_ms") {
      r.u32(n, k, 0, 600'000, d.hold_down_ms);
    } else if (k == "idle_ms") {
      r.u32(n, k, 10, 3'600'000, d.idle_ms);
    } else if (k == "notify") {
      if (auto s = r.str(n, k)) d.notify = *s;
    } else if (k == "peers") {
      read_dvipa_peers(n, d, sink);
    } else if (k == "moving_timeout_ms") {
      r.u32(n, k, 1000, 86'400'000, d.moving_timeout_ms);
    } else if (k == "health") {
      if (auto h = n.as_table())
        read_health(*h, d, r);
      else
        r.fail(n, k, "expected a [dvipa." + name + ".health] table");
    } else {
      sink.fail(loc_of(kp), "unknown key '" + std::string(k) + "' in [dvipa." + name + "]");
    }
  }
  if (!has_address) sink.fail(at, "[dvipa." + name + "] is missing 'address'");
  if (!has_rank) sink.fail(at, "[dvipa." + name + "] is missing 'rank' (1..254)");
  if (has_address && !d.peers.empty() && !d.address.is_v4())
    sink.fail(at, "[dvipa." + name + "]: peers: moves are forwarded for IPv4 DVIPAs only");
  c.dvipas.push_back(std::move(d));
}

}  // namespace

void read_dvipas(const toml::node& n, Config& c, Locations& locs, ErrorSink& sink) {
  auto t = n.as_table();
  if (!t) {
    sink.fail(loc_of(n), "dvipa: expected [dvipa.NAME] tables");
    return;
  }
  std::vector<std::pair<std::string, const toml::table*>> tables;
  for (auto&& [kp, np] : *t) {
    auto dt = np.as_table();
    if (!dt) {
      sink.fail(loc_of(np), std::string(kp.str()) +
                                ": expected a [dvipa.NAME] table (e.g. [dvipa.web]), got a value");
      continue;
    }
    tables.emplace_back(std::string(kp.str()), dt);
  }
  // File order (toml++ sorts keys by name).
  std::stable_sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) {
    auto pa = a.second->source().begin, pb = b.second->source().begin;
    return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
  });
  for (auto& [name, dt] : tables) read_dvipa(name, *dt, c, locs, sink);
}

}  // namespace vipa
