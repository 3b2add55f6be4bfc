#include "config/inet0.h"

#include <algorithm>
#include <cerrno>

#include "common/read_file.h"
#include "config/toml_reader.h"
#include "config/values.h"

namespace vipa {

bool Inet0Record::empty() const {
  return routes.empty() && deleted.empty() && !ping_time_ms && !packets_lost && !retry_time_ms &&
         !passive_dgd;
}

std::string inet0_dropin_path(const std::string& config_path) {
  return config_path + ".d/50-vipactl-inet0.toml";
}

bool same_route(const RouteConfig& a, const RouteConfig& b) {
  return a.destination == b.destination && a.gateway == b.gateway && a.interface == b.interface;
}

void apply_inet0(Config& c, const Inet0Record& r) {
  for (auto& d : r.deleted)
    c.routes.erase(std::remove_if(c.routes.begin(), c.routes.end(),
                                  [&](const RouteConfig& x) { return same_route(x, d); }),
                   c.routes.end());
  for (auto& add : r.routes) {
    auto it = std::find_if(c.routes.begin(), c.routes.end(),
                           [&](const RouteConfig& x) { return same_route(x, add); });
    if (it != c.routes.end())
      *it = add;
    else
      c.routes.push_back(add);
  }
  if (r.ping_time_ms) c.dgd.ping_time_ms = *r.ping_time_ms;
  if (r.packets_lost) c.dgd.packets_lost = *r.packets_lost;
  if (r.retry_time_ms) c.dgd.retry_time_ms = *r.retry_time_ms;
  if (r.passive_dgd) c.dgd.passive_dgd = *r.passive_dgd;
}

namespace {

std::string quoted(const std::string& s) {
  // Addresses and interface names only (valid_ifname refuses quotes and whitespace).
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string destination_text(const RouteConfig& r) {
  if (!r.destination) return "default";
  if (r.destination->len == 0) return r.destination->addr.is_v6() ? "default6" : "default";
  return r.destination->addr.str() + "/" + std::to_string(r.destination->len);
}

std::string route_keys(const RouteConfig& r) {
  std::string out = "destination = " + quoted(destination_text(r)) + "\n";
  if (r.gateway) out += "gateway = " + quoted(r.gateway->str()) + "\n";
  if (!r.interface.empty()) out += "interface = " + quoted(r.interface) + "\n";
  return out;
}

}  // namespace

std::string render_inet0(const Inet0Record& r) {
  std::string out =
      "# Written by vipad for vipactl route, chdev -l inet0 and no -p/-r. Edit with vipactl, or "
      "delete this file to drop those changes.\n";
  if (r.ping_time_ms || r.packets_lost || r.retry_time_ms || r.passive_dgd) {
    out += "\n[dgd]\n";
    if (r.ping_time_ms) out += "ping_time_ms = " + std::to_string(*r.ping_time_ms) + "\n";
    if (r.packets_lost) out += "packets_lost = " + std::to_string(*r.packets_lost) + "\n";
    if (r.retry_time_ms) out += "retry_time_ms = " + std::to_string(*r.retry_time_ms) + "\n";
    if (r.passive_dgd)
      out += std::string("passive_dgd = ") + (*r.passive_dgd ? "true" : "false") + "\n";
  }
  for (auto& d : r.deleted) out += "\n[[route]]\ndeleted = true\n" + route_keys(d);
  for (auto& x : r.routes) {
    out += "\n[[route]]\n" + route_keys(x);
    out += "metric = " + std::to_string(x.metric) + "\n";
    if (x.active_dgd) out += "active_dgd = true\n";
    if (x.multipath) out += "multipath = true\n";
    if (!x.track.empty()) {
      out += "track = [";
      for (size_t i = 0; i < x.track.size(); ++i) out += (i ? ", " : "") + quoted(x.track[i].str());
      out += "]\n";
    }
  }
  return out;
}

Result<Inet0Record> read_inet0_record(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    if (text.error().errnum == ENOENT) return Inet0Record{};
    return text.error();
  }
  return parse_inet0_record(*text, path);
}

Result<Inet0Record> parse_inet0_record(std::string_view text, const std::string& name) {
  Inet0Record rec;
  auto doc = parse_toml(text, name);
  if (!doc) return doc.error();
  ErrorSink sink({name});
  Locations locs;
  read_inet0_tables(*doc, rec, locs, sink);
  if (sink.failed()) return sink.error();
  return rec;
}

void record_route_add(Inet0Record& r, const RouteConfig& route) {
  r.deleted.erase(std::remove_if(r.deleted.begin(), r.deleted.end(),
                                 [&](const RouteConfig& x) { return same_route(x, route); }),
                  r.deleted.end());
  auto it = std::find_if(r.routes.begin(), r.routes.end(),
                         [&](const RouteConfig& x) { return same_route(x, route); });
  if (it != r.routes.end())
    *it = route;
  else
    r.routes.push_back(route);
}

void record_route_delete(Inet0Record& r, const RouteConfig& route, bool in_main_file) {
  r.routes.erase(std::remove_if(r.routes.begin(), r.routes.end(),
                                [&](const RouteConfig& x) { return same_route(x, route); }),
                 r.routes.end());
  bool known = std::any_of(r.deleted.begin(), r.deleted.end(),
                           [&](const RouteConfig& x) { return same_route(x, route); });
  if (in_main_file && !known) {
    RouteConfig t;
    t.destination = route.destination;
    t.family = route.family;
    t.gateway = route.gateway;
    t.interface = route.interface;
    r.deleted.push_back(t);
  }
}

}  // namespace vipa
