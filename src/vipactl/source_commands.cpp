#include "vipactl/source_commands.h"

#include <iomanip>
#include <iostream>
#include <sstream>

namespace vipa::vipactl {

using nlohmann::json;

namespace {

std::string cell(const json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

std::string attached_to(const json& r) {
  if (!r.contains("attached") || !r["attached"].is_object()) return "-";
  const json& a = r["attached"];
  if (a.value("mechanism", "") == "cgroup bpf") {
    std::string cg = a.contains("cgroup") ? cell(a["cgroup"]) : "?";
    size_t n = a.contains("links") && a["links"].is_array() ? a["links"].size() : 0;
    return "cgroup " + cg + " (" + std::to_string(n) + " BPF links)";
  }
  std::string s = "table " + cell(a.value("table", json(nullptr)));
  if (a.contains("rules") && a["rules"].is_array() && !a["rules"].empty())
    s += ", ip rule " + cell(a["rules"][0]);
  return s;
}

int run_source(Session& s, const SourceArgs& a) {
  Answer ans = s.call("source");
  if (!ans.ok()) return ans.exit_code;
  if (a.json) {
    std::cout << ans.result.dump(2) << "\n";
    return kExitOk;
  }
  const json& rules = ans.result.contains("rules") ? ans.result["rules"] : json::array();
  if (!rules.is_array() || rules.empty()) {
    std::cout << "no [[source]] rules\n";
    return kExitOk;
  }
  std::ostringstream out;
  out << std::left << std::setw(5) << "RULE" << std::setw(12) << "KIND" << std::setw(24)
      << "SELECTOR" << std::setw(6) << "VIPA" << std::setw(10) << "STATE" << std::setw(10)
      << "CONNECTS" << std::setw(10) << "DATAGRAMS"
      << "SOURCE / ATTACHED TO\n";
  for (auto& r : rules) {
    if (!r.is_object()) continue;
    std::string addrs;
    if (r.contains("addresses") && r["addresses"].is_array())
      for (auto& x : r["addresses"]) addrs += (addrs.empty() ? "" : " ") + cell(x);
    out << std::setw(5) << cell(r.value("index", json(nullptr))) << std::setw(12)
        << string_field(r, "kind", "?") << std::setw(24) << string_field(r, "selector", "?")
        << std::setw(6) << string_field(r, "vipa", "?") << std::setw(10)
        << string_field(r, "state", "?") << std::setw(10)
        << cell(r.value("connects", json(nullptr))) << std::setw(10)
        << cell(r.value("datagrams", json(nullptr))) << (addrs.empty() ? "-" : addrs) << " / "
        << attached_to(r) << "\n";
    if (std::string why = string_field(r, "reason", ""); !why.empty())
      out << "     " << why << "\n";
  }
  if (std::string bpf = string_field(ans.result, "bpf", ""); bpf != "loaded" && bpf != "not needed")
    out << "note: " << bpf << "\n";
  std::cout << out.str();
  return kExitOk;
}

int run_source_test(Session& s, const SourceArgs& a) {
  if (a.unit.empty() && a.user.empty() && a.pid < 0)
    return fail(kExitUsage, "source test: give --unit, --user or --pid");
  json args = {{"destination", a.destination}};
  if (!a.unit.empty()) args["unit"] = a.unit;
  if (!a.user.empty()) args["user"] = a.user;
  if (a.pid >= 0) args["pid"] = static_cast<uint64_t>(a.pid);
  Answer ans = s.call("source_test", args);
  if (!ans.ok()) return ans.exit_code;
  if (a.json) {
    std::cout << ans.result.dump(2) << "\n";
    return kExitOk;
  }
  std::string src = string_field(ans.result, "source", "");
  std::cout << "a new connection to " << string_field(ans.result, "destination", "?") << " from "
            << (src.empty() ? "the interface's own address" : src);
  if (std::string loc = string_field(ans.result, "location", ""); !loc.empty())
    std::cout << " (rule at " << loc << ")";
  std::cout << "\n  " << string_field(ans.result, "mechanism", "?") << ": "
            << string_field(ans.result, "why", "") << "\n"
            << "  (a program's own bind() to an address always wins)\n";
  return kExitOk;
}

}  // namespace

void add_source_commands(CLI::App& app, SourceArgs& a,
                         std::vector<std::pair<CLI::App*, SourceRunner>>& cmds) {
  auto* source = app.add_subcommand(
      "source",
      "The [[source]] rules (z/OS SRCIP): which VIPA each unit, cgroup, user or destination "
      "uses as source, what each is attached to and how many connections it served");
  source->add_flag("--json", a.json, "vipad's answer as JSON");
  auto* test =
      source->add_subcommand("test", "Which source a new connection to DEST would get, and why");
  test->add_option("--unit", a.unit, "As a process of this systemd unit");
  test->add_option("--user", a.user, "As this user (a name or uid)");
  test->add_option("--pid", a.pid, "As this process (its cgroup and uid)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 31));
  test->add_option("destination", a.destination, "The destination address")
      ->required()
      ->check(CLI::ValidIPV4 | CLI::Validator(
                                   [](std::string& v) {
                                     return v.find(':') != std::string::npos
                                                ? std::string()
                                                : std::string("not an IP address");
                                   },
                                   "IPV6"));
  test->add_flag("--json", a.json, "vipad's answer as JSON");
  cmds.emplace_back(test, [&a](Session& s) { return run_source_test(s, a); });
  cmds.emplace_back(source, [&a](Session& s) { return run_source(s, a); });
}

}  // namespace vipa::vipactl
