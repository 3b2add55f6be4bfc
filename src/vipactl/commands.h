// vipactl's subcommands: each checks its arguments completely before anything is sent (a
// usage error exits 2 and vipad never hears of it), then asks vipad and prints the answer.
// Every function returns the process exit status.
#pragma once

#include <string>
#include <vector>

#include "vipactl/session.h"

namespace vipa::vipactl {

// ---- AIX commands (aix_commands.cpp) ----

struct LsattrArgs {
  bool effective = false;  // -E
  bool legal = false;      // -R
  std::string name;        // -l
  std::string attr;        // -a
};
int run_lsattr(Session& s, const LsattrArgs& a);

struct IfconfigArgs {
  bool all = false;  // -a
  std::string name;
};
int run_ifconfig(Session& s, const IfconfigArgs& a);

struct NetstatArgs {
  bool routes = false;   // -r
  bool numeric = false;  // -n (always numeric; accepted for AIX habits)
  std::string family;    // -f inet|inet6
};
int run_netstat(Session& s, const NetstatArgs& a);

struct MkdevArgs {
  std::string device_class;  // -c if
  std::string subclass;      // -s VI
  std::string type;          // -t vi
  std::string name;          // -w vi0
  std::string defined;       // -l vi0: make a Defined (rmdev'ed) VIPA Available again
  std::vector<std::string> attrs;
};
int run_mkdev(Session& s, const MkdevArgs& a);

struct ChdevArgs {
  std::string name;
  std::vector<std::string> attrs;
  bool record_only = false;   // -P
  bool running_only = false;  // -T
};
int run_chdev(Session& s, const ChdevArgs& a);

struct RmdevArgs {
  std::string name;
  bool remove = false;  // -d
};
int run_rmdev(Session& s, const RmdevArgs& a);

// "-a" values -> the request's attrs object. AIX also takes several pairs in one -a
// ("-a 'netaddr=10.68.6.1 netmask=255.255.255.0'"); a word without '=' continues the previous
// value, which keeps alias4's space-separated list intact. On error prints and returns false.
bool parse_attr_assignments(const std::vector<std::string>& args, const std::string& command,
                            nlohmann::json* attrs);

// ---- Linux commands (linux_commands.cpp) ----

struct ViewArgs {
  bool json = false;
  std::string name;  // show only
};
int run_status(Session& s, const ViewArgs& a);
int run_show(Session& s, const ViewArgs& a);
int run_monitor(Session& s, const ViewArgs& a);
int run_reload(Session& s);
int run_version(Session& s);

}  // namespace vipa::vipactl
