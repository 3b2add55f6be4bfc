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
  bool routes = false;      // -r
  bool interfaces = false;  // -i
  bool costs = false;       // -C
  bool numeric = false;     // -n (always numeric; accepted for AIX habits)
  std::string family;       // -f inet|inet6
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

// ---- AIX's network-wide commands (aix_inet_commands.cpp) ----

struct LsdevArgs {
  bool customized = false;   // -C
  std::string device_class;  // -c if
};
int run_lsdev(Session& s, const LsdevArgs& a);
int run_netstat_in(Session& s, const NetstatArgs& a);     // netstat -in
int run_netstat_costs(Session& s, const NetstatArgs& a);  // netstat -C

struct NoArgs {
  bool all = false;               // -a
  std::string option;             // -o NAME[=VALUE]
  bool now_and_recorded = false;  // -p
  bool recorded_only = false;     // -r
};
int run_no(Session& s, const NoArgs& a);

// route add|delete [-net|-host] DEST GATEWAY [-netmask M] [-hopcount N] [-if IF] [-active_dgd]
int run_route(Session& s, const std::vector<std::string>& args);
// lsattr -El inet0 and chdev -l inet0 -a route=.../delroute=...
int run_lsattr_inet0(Session& s, const LsattrArgs& a);
int run_chdev_inet0(Session& s, const ChdevArgs& a);

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
