// vipactl dvipa [NAME] [--json] | dvipa withdraw|resume|takeback|drain|connections NAME,
// netstat vipadyn.
#include "vipactl/dvipa_commands.h"

#include <iostream>

#include "dvipa/format.h"

namespace vipa::vipactl {

int run_dvipa(Session& s, const DvipaArgs& a) {
  const auto& w = a.words;
  if (w.size() > 2) return fail(kExitUsage, "dvipa: too many arguments (see vipactl dvipa --help)");
  bool action = !w.empty() &&
                (w[0] == "withdraw" || w[0] == "resume" || w[0] == "takeback" || w[0] == "drain");
  if (action && w.size() != 2)
    return fail(kExitUsage, "dvipa " + w[0] + ": needs the DVIPA's name");
  if (!w.empty() && w[0] == "connections") {
    if (w.size() != 2) return fail(kExitUsage, "dvipa connections: needs the DVIPA's name");
    Answer ans = s.call("dvipa_connections", {{"name", w[1]}});
    if (!ans.ok()) return ans.exit_code;
    std::cout << (a.json ? ans.result.dump(2) + "\n" : dvipa::format_connections(ans.result));
    return kExitOk;
  }
  if (!action && w.size() == 2)
    return fail(kExitUsage,
                "dvipa: '" + w[0] + "' is not withdraw, resume, takeback, drain or connections");
  if (action) {
    Answer ans = s.call("dvipa_" + w[0], {{"name", w[1]}});
    if (!ans.ok()) return ans.exit_code;
    nlohmann::json one = {{"dvipas", nlohmann::json::array({ans.result})}};
    std::cout << (a.json ? ans.result.dump(2) + "\n" : dvipa::format_dvipas(one));
    return kExitOk;
  }
  nlohmann::json args = nlohmann::json::object();
  if (!w.empty()) args["name"] = w[0];
  Answer ans = s.call("dvipa", args);
  if (!ans.ok()) return ans.exit_code;
  std::cout << (a.json ? ans.result.dump(2) + "\n" : dvipa::format_dvipas(ans.result));
  return kExitOk;
}

int run_vipadyn(Session& s, bool json) {
  Answer ans = s.call("netstat_vipadyn");
  if (!ans.ok()) return ans.exit_code;
  std::cout << (json ? ans.result.dump(2) + "\n" : dvipa::format_vipadyn(ans.result));
  return kExitOk;
}

}  // namespace vipa::vipactl
