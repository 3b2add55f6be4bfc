// libFuzzer target: bytes as control-socket request lines (docs/control-protocol.md).
//
// Each line goes through control::answer_line, the decoder vipad's ControlServer uses, with a
// handler standing in for the daemon:
//  - the line checks (JSON object, "cmd" a string, "v" == 1, "id" echoed back);
//  - mkdev, chdev, rmdev and route requests through decide_admin() (core/admin_change.h), the
//    very function vipad's handlers call, against an in-memory host: the running config and
//    the files (vipa.conf, the drop-ins) as the daemon would leave them. The lines of one input
//    are one session, so a change builds on the ones before. Checked: a refusal changes
//    nothing; an accepted change keeps the running config valid, and the record it writes
//    loads with the main file (load_config's own reader) back to the VIPAs and routes that run;
//  - routes and route_costs through parse_page() and the pure answer builders vipad calls, on a
//    small kernel table. Checked: a refusal names the field; an accepted page is the slice
//    [offset, offset + limit) of the whole answer, with its "total", and "next" exactly when
//    rows follow; a client following "next" (next_page_offset) gets every row once;
//  - vipactl's formatting of whatever JSON comes back (src/vipactl/format/aix_format.h promises it never
//    throws, whatever the fields hold).
// An uncaught exception or a broken property aborts, which libFuzzer reports as a crash.
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/attrs.h"
#include "config/config.h"
#include "config/inet0.h"
#include "control/request.h"
#include "core/admin_change.h"
#include "core/paging.h"
#include "core/status_view.h"
#include "vipactl/format/aix_format.h"
#include "vipactl/format/aix_inet_format.h"

namespace {

using nlohmann::json;

constexpr size_t kMaxLine = 65536;  // ControlServer::kMaxLine

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "control_fuzz: %s\n", what.c_str());
  std::abort();
}

constexpr const char* kMainPath = "/etc/vipa/vipa.conf";
constexpr const char* kMainText = R"([vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]
[vipa.vi1]
netaddr6 = "2001:db8:6::1"
interface_names = ["en2"]
[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
)";

// What one input's requests change: the config vipad runs and the files it has written.
struct Host {
  std::map<std::string, std::string> dropins;  // path -> text; map order is load_config's
  vipa::Config running;
  bool diverged = false;  // a change went to the running config or the record alone
};

std::vector<vipa::ConfigText> texts(const Host& h) {
  std::vector<vipa::ConfigText> out{{kMainPath, kMainText}};
  for (auto& [path, text] : h.dropins) out.push_back({path, text});
  return out;
}

vipa::Config initial() {
  auto c = vipa::load_config_texts({{kMainPath, kMainText}});
  if (!c.ok()) fail("sample config: " + c.error().message);
  return std::move(c.value());
}

// AdminFiles as Daemon::cmd_admin reads them, from the in-memory files.
vipa::AdminFiles files_of(const Host& h) {
  std::optional<vipa::Config> main;
  if (auto m = vipa::parse_config_string(kMainText, kMainPath); m.ok()) main = std::move(*m);
  std::string inet0 = vipa::inet0_dropin_path(kMainPath);
  vipa::Result<vipa::Inet0Record> rec = vipa::Inet0Record{};
  if (auto it = h.dropins.find(inet0); it != h.dropins.end())
    rec = vipa::parse_inet0_record(it->second, inet0);
  return {vipa::dropin_path(kMainPath),      inet0,          std::move(main),
          vipa::load_config_texts(texts(h)), std::move(rec), texts(h)};
}

std::map<std::string, std::vector<std::pair<std::string, std::string>>> vipas_of(
    const vipa::Config& c) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  for (auto& v : c.vipas) {
    auto attrs = vipa::aix_attrs(v);
    attrs.emplace_back("(state)", vipa::to_string(v.state));
    out[v.name] = std::move(attrs);
  }
  return out;
}

std::vector<std::string> routes_of(const vipa::Config& c) {
  std::vector<std::string> out;
  for (auto& r : c.routes) out.push_back(vipa::route_config_json(r).dump());
  std::sort(out.begin(), out.end());
  return out;
}

json admin(Host& h, const json& req) {
  vipa::Observed obs;
  vipa::Intent intent;
  std::map<std::string, json> last_failover;
  vipa::StatusInput now{h.running, obs, intent, last_failover};
  now.config_path = kMainPath;
  vipa::AdminChange c = vipa::decide_admin(req, now, files_of(h));
  if (!c.answer.is_object() || !c.answer.contains("ok") || !c.answer["ok"].is_boolean())
    fail("admin answer without a boolean \"ok\": " + c.answer.dump());
  if (!c.answer["ok"].get<bool>()) {
    if (c.write || c.running) fail("a refusal changes something: " + c.answer.dump());
    return c.answer;
  }
  if (c.running) {
    if (vipa::Status v = vipa::validate_config(*c.running); !v.ok())
      fail("accepted change runs an invalid config: " + v.error().message);
    h.running = std::move(*c.running);
  }
  if (c.write) {
    if (c.write->path != vipa::dropin_path(kMainPath) &&
        c.write->path != vipa::inet0_dropin_path(kMainPath))
      fail("accepted change writes " + c.write->path);
    h.dropins[c.write->path] = c.write->text;
  }
  if (!c.write || !c.running) h.diverged = true;
  if (c.write) {
    auto back = vipa::load_config_texts(texts(h));
    if (!back.ok())
      fail("accepted change's record does not load: " + back.error().message + "\n" +
           c.write->text);
    if (!h.diverged &&
        (vipas_of(*back) != vipas_of(h.running) || routes_of(*back) != routes_of(h.running)))
      fail("accepted change's record loads back different from what runs:\n" + c.write->text);
  }
  return c.answer;
}

void format_everything(const json& j) {
  namespace ctl = vipa::ctl;
  (void)ctl::format_lsattr(j);
  for (auto name : ctl::aix_attribute_names()) (void)ctl::format_lsattr(j, name);
  (void)ctl::format_ifconfig(j);
  for (auto f : {ctl::RouteFamily::kAll, ctl::RouteFamily::kInet, ctl::RouteFamily::kInet6})
    (void)ctl::format_netstat(j, f);
  (void)ctl::format_status(j);
  (void)ctl::format_vipa(j);
  (void)ctl::format_event(j);
  if (j.contains("result")) {
    const json& r = j["result"];
    (void)ctl::format_status(r);
    (void)ctl::format_vipa(r);
    (void)ctl::format_netstat(r, ctl::RouteFamily::kAll);
    (void)ctl::format_netstat_costs(r, ctl::RouteFamily::kAll);
  }
  if (j.contains("destination") && j["destination"].is_string() && j.contains("prefixlen") &&
      j["prefixlen"].is_number_integer())
    (void)ctl::abbreviate_destination(j["destination"].get<std::string>(),
                                      j["prefixlen"].get<int>());
}

// A small kernel table: en1 with an address, vipad's default route, and others' routes.
const vipa::Observed& kernel() {
  static const vipa::Observed o = [] {
    vipa::Observed k;
    k.links[2] = {2, "en1", "veth", IFF_UP | IFF_LOWER_UP};
    k.addrs.push_back({AF_INET, 2, *vipa::IpAddr::parse("10.68.1.1"), 24});
    for (int i = 0; i < 6; ++i) {
      vipa::Route r;
      r.family = AF_INET;
      r.table = i == 5 ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
      r.type = i == 5 ? RTN_LOCAL : RTN_UNICAST;
      r.dst = *vipa::IpAddr::parse(i == 0 ? "0.0.0.0" : "10.68." + std::to_string(100 + i) + ".0");
      r.dst_len = i == 0 ? 0 : 24;
      r.protocol = i == 0 ? vipa::kProtoVipa : RTPROT_STATIC;
      r.priority = i == 0 ? 10 : 0;
      r.oif = 2;
      r.gateway = *vipa::IpAddr::parse("10.68.1.2");
      k.routes[r.key()] = r;
    }
    return k;
  }();
  return o;
}

// `routes` and `route_costs` as vipad answers them, with the paging properties checked.
json paged(const Host& host, const json& req, const std::string& cmd) {
  std::string fam =
      req.contains("family") && req["family"].is_string() ? req["family"].get<std::string>() : "";
  const std::set<std::string> dead = {vipa::gateway_key(*vipa::IpAddr::parse("10.68.1.2"), 2)};
  auto build = [&](const vipa::Page& p) {
    return cmd == "routes" ? vipa::routes_json(host.running, kernel(), fam, p)
                           : vipa::route_costs_json(host.running, kernel(), dead, fam, p);
  };
  auto page = vipa::parse_page(req, cmd);
  if (!page.ok()) {
    const std::string& m = page.error().message;
    if (m.find("\"offset\"") == std::string::npos && m.find("\"limit\"") == std::string::npos)
      fail("a refused page names no field: " + m);
    return vipa::control::error_answer("bad_request", m);
  }
  if (page->limit == 0 || page->limit > vipa::control::kRoutesPerAnswer) fail("limit out of range");
  json whole = build(vipa::Page{0, SIZE_MAX});
  json answer = build(*page);
  const json& rows = answer["routes"];
  size_t total = whole["total"].get<size_t>();
  if (answer["total"] != whole["total"] || whole["routes"].size() != total)
    fail("total is not the number of rows");
  if (rows.size() > page->limit) fail("a page longer than its limit");
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i] != whole["routes"][page->offset + i]) fail("a page is not a slice of the whole");
  bool more = page->offset < total && total - page->offset > rows.size();
  if (more != answer.contains("next") ||
      (more && answer["next"].get<size_t>() != page->offset + rows.size()))
    fail("\"next\" is wrong");
  // A client following "next" from offset 0 with this limit gets every row once.
  size_t got = 0;
  for (size_t offset = 0;;) {
    json p = build(vipa::Page{offset, page->limit});
    got += p["routes"].size();
    auto next = vipa::next_page_offset(p, offset);
    if (!next.ok()) fail("next_page_offset: " + next.error().message);
    if (!next->has_value()) break;
    offset = **next;
  }
  if (got != total) fail("following \"next\" missed rows");
  return {{"v", 1}, {"ok", true}, {"result", answer}};
}

// The daemon's own decoder (control::answer_line) with a handler that answers the changing
// commands as vipad does, then every formatter vipactl would run on the answer and the request.
void handle_line(Host& host, const std::string& line) {
  auto handler = [&host](const json& req, bool) -> json {
    const std::string cmd = req["cmd"].get<std::string>();
    if (vipa::is_admin_command(cmd)) return admin(host, req);
    if (cmd == "routes" || cmd == "route_costs") return paged(host, req, cmd);
    if (req.contains("name") && req["name"].is_string())
      (void)vipa::valid_ifname(req["name"].get<std::string>());
    return {{"v", 1}, {"ok", true}, {"result", json::object()}};
  };
  vipa::control::LineOutcome out = vipa::control::answer_line(line, true, handler);
  if (out.empty) return;
  if (!out.answer.is_object() || !out.answer.contains("ok")) fail("answer without \"ok\"");
  (void)out.answer.dump(-1, ' ', false, json::error_handler_t::replace);
  format_everything(out.answer);
  json req = json::parse(line, nullptr, false);
  if (!req.is_discarded()) format_everything(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const vipa::Config start = initial();
  Host host{{}, start, false};
  size_t pos = 0;
  while (pos <= in.size()) {
    size_t nl = in.find('\n', pos);
    std::string_view line = in.substr(pos, nl == std::string_view::npos ? in.npos : nl - pos);
    if (line.size() <= kMaxLine) handle_line(host, std::string(line));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return 0;
}
