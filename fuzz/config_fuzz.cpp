// libFuzzer target: vipa.conf text -> parse_config_string().
// Properties beyond "no crash, no exception, no sanitizer report":
//  - every refusal names its place as "FILE:LINE:COLUMN: " (vipad's contract for stderr);
//  - every accepted VIPA renders (render_vipa_toml, what vipactl's drop-in holds) to TOML that
//    parses back to the same AIX attributes, so a recorded change loads at the next start.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/attrs.h"
#include "config/config.h"

namespace {

[[noreturn]] void fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "config_fuzz: %s\n--- input ---\n%.*s\n", what.c_str(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

bool has_location(const std::string& msg, const std::string& file) {
  // "FILE:LINE:COLUMN: message"
  if (msg.rfind(file + ":", 0) != 0) return false;
  size_t p = file.size() + 1;
  size_t line_end = msg.find(':', p);
  if (line_end == std::string::npos || line_end == p) return false;
  size_t col_end = msg.find(':', line_end + 1);
  return col_end != std::string::npos && col_end > line_end + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = vipa::parse_config_string(text, "fuzz.conf");
  if (!c.ok()) {
    if (!has_location(c.error().message, "fuzz.conf"))
      fail("error without FILE:LINE:COLUMN: " + c.error().message, text);
    return 0;
  }
  for (const vipa::VipaConfig& v : c->vipas) {
    std::string toml = vipa::render_vipa_toml(v);
    auto again = vipa::parse_config_string(toml, "rendered.conf");
    if (!again.ok())
      fail("rendered VIPA does not parse: " + again.error().message + "\n" + toml, text);
    if (again->vipas.size() != 1) fail("rendered VIPA parses to another count\n" + toml, text);
    if (vipa::aix_attrs(again->vipas[0]) != vipa::aix_attrs(v))
      fail("rendered VIPA parses to other attributes\n" + toml, text);
  }
  return 0;
}
