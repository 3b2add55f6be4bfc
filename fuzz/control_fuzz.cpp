// libFuzzer target: bytes as control-socket request lines (docs/control-protocol.md).
//
// Each line goes through ctl::answer_line, the decoder vipad's ControlServer uses, with a
// handler standing in for the daemon:
//  - the line checks (JSON object, "cmd" a string, "v" == 1, "id" echoed back);
//  - mkdev/chdev's request validation: "attrs" (AIX attribute -> string) applied with
//    apply_aix_attr() to the sample's vi0, the result judged by validate_config(), and what is
//    accepted rendered by render_dropin() (what mkdev/chdev write) and parsed back to the same
//    attributes;
//  - vipactl's formatting of whatever JSON comes back (src/ctl/aix_format.h promises it never
//    throws, whatever the fields hold).
// An uncaught exception or a broken property aborts, which libFuzzer reports as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/attrs.h"
#include "config/config.h"
#include "ctl/aix_format.h"
#include "ctl/request.h"

namespace {

using nlohmann::json;

constexpr size_t kMaxLine = 65536;  // ControlServer::kMaxLine

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "control_fuzz: %s\n", what.c_str());
  std::abort();
}

const vipa::Config& seed() {
  static const vipa::Config c = [] {
    auto r = vipa::parse_config_string(R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]
[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
)",
                                       "seed.conf");
    if (!r.ok()) fail("sample config: " + r.error().message);
    return *r;
  }();
  return c;
}

void change_attributes(const json& attrs) {
  vipa::Config next = seed();
  vipa::VipaConfig& v = next.vipas[0];
  for (auto& [k, val] : attrs.items()) {
    if (!val.is_string()) return;                                          // bad_request
    if (!vipa::apply_aix_attr(v, k, val.get<std::string>()).ok()) return;  // invalid
  }
  if (!vipa::validate_config(next).ok()) return;
  // The very file mkdev/chdev write (daemon_admin.cpp): the whole drop-in, header included.
  std::string toml = vipa::render_dropin({v}, {});
  auto back = vipa::parse_config_string(toml, "50-vipactl.toml");
  if (!back.ok()) fail("accepted change does not load back: " + back.error().message + "\n" + toml);
  if (back->vipas.size() != 1 || vipa::aix_attrs(back->vipas[0]) != vipa::aix_attrs(v))
    fail("accepted change loads back different:\n" + toml);
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
  }
  if (j.contains("destination") && j["destination"].is_string() && j.contains("prefixlen") &&
      j["prefixlen"].is_number_integer())
    (void)ctl::abbreviate_destination(j["destination"].get<std::string>(),
                                      j["prefixlen"].get<int>());
}

// The daemon's own decoder (ctl::answer_line) with a handler that does what vipad's does with
// mkdev/chdev attributes, then every formatter vipactl would run on the answer and the request.
void handle_line(const std::string& line) {
  auto handler = [](const json& req, bool) -> json {
    const std::string cmd = req["cmd"].get<std::string>();
    if ((cmd == "mkdev" || cmd == "chdev") && req.contains("attrs") && req["attrs"].is_object())
      change_attributes(req["attrs"]);
    if (req.contains("name") && req["name"].is_string())
      (void)vipa::valid_ifname(req["name"].get<std::string>());
    return {{"v", 1}, {"ok", true}, {"result", json::object()}};
  };
  vipa::ctl::LineOutcome out = vipa::ctl::answer_line(line, true, handler);
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
  size_t pos = 0;
  while (pos <= in.size()) {
    size_t nl = in.find('\n', pos);
    std::string_view line = in.substr(pos, nl == std::string_view::npos ? in.npos : nl - pos);
    if (line.size() <= kMaxLine) handle_line(std::string(line));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return 0;
}
