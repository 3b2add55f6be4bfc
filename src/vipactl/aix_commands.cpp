// lsattr, ifconfig, netstat, mkdev, chdev, rmdev with AIX's flags and AIX's replies.
#include <iostream>
#include <sstream>

#include "config/attrs.h"
#include "vipactl/commands.h"
#include "vipactl/format/aix_format.h"

namespace vipa::vipactl {

using nlohmann::json;

namespace {

int usage(const std::string& command, const std::string& message) {
  return fail(kExitUsage, command + ": " + message + " (see 'vipactl " + command + " --help')");
}

std::string known_attributes() {
  return vipa_attr_names();
}

bool is_present(const json& vipa) {
  auto it = vipa.find("present");
  return it == vipa.end() || !it->is_boolean() || it->get<bool>();
}

}  // namespace

bool parse_attr_assignments(const std::vector<std::string>& args, const std::string& command,
                            json* attrs) {
  *attrs = json::object();
  std::string last;
  for (const auto& arg : args) {
    std::istringstream words(arg);
    std::string word;
    bool any = false;
    while (words >> word) {
      any = true;
      auto eq = word.find('=');
      if (eq == std::string::npos) {
        if (last.empty()) {
          usage(command, "-a " + word + ": expected ATTRIBUTE=VALUE");
          return false;
        }
        (*attrs)[last] = (*attrs)[last].get<std::string>() + " " + word;
        continue;
      }
      std::string name = word.substr(0, eq);
      if (!ctl::is_aix_attribute(name)) {
        usage(command, "-a " + word + ": unknown attribute '" + name +
                           "' (known: " + known_attributes() + ")");
        return false;
      }
      if (attrs->contains(name)) {
        usage(command, "attribute " + name + " given twice");
        return false;
      }
      (*attrs)[name] = word.substr(eq + 1);
      last = name;
    }
    if (!any) {
      usage(command, "-a needs ATTRIBUTE=VALUE");
      return false;
    }
  }
  if (attrs->empty()) {
    usage(command, "no attribute given (-a ATTRIBUTE=VALUE)");
    return false;
  }
  return true;
}

int run_lsattr(Session& s, const LsattrArgs& a) {
  if (a.name == "inet0" && a.effective) return run_lsattr_inet0(s, a);
  if (a.effective == a.legal) return usage("lsattr", "give exactly one of -E and -R");
  if (!a.attr.empty() && !ctl::is_aix_attribute(a.attr)) {
    return usage("lsattr",
                 "unknown attribute '" + a.attr + "' (known: " + known_attributes() + ")");
  }
  if (a.legal) {
    if (a.attr.empty()) return usage("lsattr", "-R needs -a ATTRIBUTE");
    // Ask anyway: lsattr -R on a device that does not exist is an error on AIX too.
    Answer ans = s.call("show", {{"name", a.name}});
    if (!ans.ok()) return ans.exit_code;
    std::cout << ctl::format_lsattr_legal(a.attr);
    return kExitOk;
  }
  Answer ans = s.call("show", {{"name", a.name}});
  if (!ans.ok()) return ans.exit_code;
  std::cout << ctl::format_lsattr(ans.result, a.attr);
  return kExitOk;
}

int run_ifconfig(Session& s, const IfconfigArgs& a) {
  if (a.all == !a.name.empty()) return usage("ifconfig", "give an interface name or -a");
  if (a.all) {
    Answer ans = s.call("status");
    if (!ans.ok()) return ans.exit_code;
    // AIX's ifconfig -a leaves out detached interfaces; vipactl lists VIPAs only.
    if (auto vipas = ans.result.find("vipas"); vipas != ans.result.end() && vipas->is_array()) {
      for (const auto& v : *vipas) {
        if (is_present(v)) std::cout << ctl::format_ifconfig(v);
      }
    }
    return kExitOk;
  }
  Answer ans = s.call("show", {{"name", a.name}});
  if (!ans.ok()) return ans.exit_code;
  if (!is_present(ans.result)) {
    return fail(kExitFailure, "ifconfig: " + a.name + " is not in the kernel (state " +
                                  string_field(ans.result, "state", "?") + ")");
  }
  std::cout << ctl::format_ifconfig(ans.result);
  return kExitOk;
}

int run_netstat(Session& s, const NetstatArgs& a) {
  if (a.routes + a.interfaces + a.costs > 1) return usage("netstat", "give one of -r, -i and -C");
  if (a.interfaces) return run_netstat_in(s, a);
  if (a.costs) return run_netstat_costs(s, a);
  if (!a.routes) return usage("netstat", "give -r (routes), -i (interfaces) or -C (route costs)");
  json args = json::object();
  auto family = ctl::RouteFamily::kAll;
  if (!a.family.empty()) {
    args["family"] = a.family;
    family = a.family == "inet" ? ctl::RouteFamily::kInet : ctl::RouteFamily::kInet6;
  }
  // The table comes in pages ("next" names the offset of the following one).
  Answer all = s.call_all_pages("routes", std::move(args));
  if (!all.ok()) return all.exit_code;
  std::cout << ctl::format_netstat(all.result, family);
  return kExitOk;
}

int run_mkdev(Session& s, const MkdevArgs& a) {
  // The AIX spelling is "-c if -s VI -t vi"; anything else is some other device.
  if (!a.device_class.empty() && a.device_class != "if") {
    return usage("mkdev", "-c " + a.device_class + ": only class 'if' is supported");
  }
  if (!a.subclass.empty() && a.subclass != "VI") {
    return usage("mkdev", "-s " + a.subclass + ": only subclass 'VI' is supported");
  }
  if (!a.type.empty() && a.type != "vi") {
    return usage("mkdev", "-t " + a.type + ": only type 'vi' is supported");
  }
  std::string name = a.name.empty() ? a.defined : a.name;
  if (name.empty())
    return usage("mkdev", "-w NAME (a new VIPA) or -l NAME (a Defined one) is required");
  if (!a.name.empty() && a.attrs.empty()) return usage("mkdev", "-a is required with -w");
  json attrs = json::object();
  if (!a.attrs.empty() && !parse_attr_assignments(a.attrs, "mkdev", &attrs)) return kExitUsage;
  Answer ans = s.call("mkdev", {{"name", name}, {"attrs", attrs}});
  if (!ans.ok()) return ans.exit_code;
  std::cout << string_field(ans.result, "name", name) << " Available\n";
  return kExitOk;
}

int run_chdev(Session& s, const ChdevArgs& a) {
  if (a.name == "inet0") return run_chdev_inet0(s, a);
  json attrs;
  if (!parse_attr_assignments(a.attrs, "chdev", &attrs)) return kExitUsage;
  std::string mode = a.record_only ? "record" : a.running_only ? "running" : "both";
  Answer ans = s.call("chdev", {{"name", a.name}, {"attrs", attrs}, {"mode", mode}});
  if (!ans.ok()) return ans.exit_code;
  std::cout << a.name << " changed\n";
  return kExitOk;
}

int run_rmdev(Session& s, const RmdevArgs& a) {
  Answer ans = s.call("rmdev", {{"name", a.name}, {"delete", a.remove}});
  if (!ans.ok()) return ans.exit_code;
  std::cout << a.name << (a.remove ? " deleted\n" : " Defined\n");
  return kExitOk;
}

}  // namespace vipa::vipactl
