// status, show, monitor, reload, version: the Linux administrator's view, text or JSON.
#include <signal.h>

#include <iostream>

#include "vipactl/commands.h"
#include "vipactl/format/aix_format.h"

namespace vipa::vipactl {

using nlohmann::json;

namespace {

volatile sig_atomic_t g_stop = 0;

void on_stop_signal(int) {
  g_stop = 1;
}

}  // namespace

int run_status(Session& s, const ViewArgs& a) {
  Answer ans = s.call("status");
  if (!ans.ok()) return ans.exit_code;
  std::cout << (a.json ? ans.result.dump(2) + "\n" : ctl::format_status(ans.result));
  return kExitOk;
}

int run_show(Session& s, const ViewArgs& a) {
  Answer ans = s.call("show", {{"name", a.name}});
  if (!ans.ok()) return ans.exit_code;
  std::cout << (a.json ? ans.result.dump(2) + "\n" : ctl::format_vipa(ans.result));
  return kExitOk;
}

int run_monitor(Session& s, const ViewArgs& a) {
  // SIGINT/SIGTERM stay blocked except inside ppoll(), so an interrupt can neither be lost
  // between two reads nor cut a line in half: the stream ends cleanly with exit 0.
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigset_t stop_signals, wait_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
  sigdelset(&wait_mask, SIGINT);
  sigdelset(&wait_mask, SIGTERM);

  Answer ans = s.call("monitor");
  if (!ans.ok()) return ans.exit_code;
  ControlConnection* conn = s.connection();
  while (!g_stop) {
    auto line = conn->read_line(-1, &wait_mask);
    if (!line) {
      if (g_stop) break;
      return fail(kExitFailure, line.error().message);
    }
    json event = json::parse(*line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) {
      std::cerr << "vipactl: ignoring a malformed event line: " << line->substr(0, 200) << "\n";
      continue;
    }
    std::cout << (a.json ? event.dump() + "\n" : ctl::format_event(event)) << std::flush;
  }
  return kExitOk;
}

int run_reload(Session& s) {
  Answer ans = s.call("reload");
  if (!ans.ok()) return ans.exit_code;
  std::cout << "configuration reloaded\n";
  return kExitOk;
}

int run_version(Session& s) {
  std::cout << "vipactl " << VIPA_VERSION << "\n" << std::flush;
  Answer ans = s.call("version");
  if (!ans.ok()) return ans.exit_code;
  std::string protocol = ans.result.contains("protocol") ? ans.result["protocol"].dump() : "?";
  std::cout << "vipad " << string_field(ans.result, "version", "?") << " (protocol " << protocol
            << ")\n";
  return kExitOk;
}

}  // namespace vipa::vipactl
