// vipa.conf: the administrator's desired state, in TOML with AIX's attribute names.
// parse_config() validates every field before anything touches the kernel; every error
// carries "FILE:LINE:COLUMN: message".
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/ipaddr.h"
#include "common/result.h"
#include "config/dvipa_config.h"

namespace vipa {

struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
  std::string str() const;  // "FILE:LINE:COLUMN"
};

enum class VipaState { Up, Down, Detach };
enum class LinkKind { Auto, Dummy, Ifb };
enum class Advertise { Host, Subnet };

const char* to_string(VipaState s);
const char* to_string(LinkKind k);
const char* to_string(Advertise a);

struct VipaConfig {
  std::string name;                          // table key, e.g. "vi0"; a valid Linux ifname
  std::optional<IpAddr> netaddr;             // IPv4 VIPA
  int netmask_len = 32;                      // from "netmask" (dotted, must be contiguous)
  std::vector<Prefix> alias4;                // "address,netmask" entries (Prefix.addr = address)
  std::optional<IpAddr> netaddr6;            // IPv6 VIPA
  int prefixlen = 64;                        // with netaddr6 (1..128)
  std::vector<Prefix> alias6;                // "addr/len"
  std::vector<std::string> interface_names;  // empty = every non-loopback interface
  VipaState state = VipaState::Up;
  LinkKind kind = LinkKind::Auto;
  Advertise advertise = Advertise::Host;
  std::string notify;  // hook executable (absolute path), "" = none
  // Take over a dummy/ifb link of this name that vipad did not create (untagged): without it
  // such a link is left alone and reported (docs/security.md, "What vipad owns").
  bool adopt = false;
  SourceLoc loc;  // where the table starts
};

struct RouteConfig {
  std::optional<Prefix> destination;  // nullopt never after parsing; "default" = len 0
  int family = 0;                     // AF_INET or AF_INET6 (from destination/gateway)
  std::optional<IpAddr> gateway;      // nullopt = device route (needs interface)
  std::string interface;              // optional; required for IPv6 link-local gateways
  uint32_t metric = 0;                // AIX's cost; kernel priority
  bool active_dgd = false;            // probe the gateway (dead gateway detection)
  bool multipath = false;             // ECMP over all live gateways of this destination
  bool onlink = false;                // the gateway is on `interface` outside its prefixes (/32)
  std::vector<IpAddr> track;          // ICMP targets beyond the gateway
  SourceLoc loc;
};

struct DgdConfig {
  uint32_t ping_time_ms = 100;   // probe interval (AIX dgd_ping_time, seconds there)
  uint32_t packets_lost = 3;     // consecutive misses => dead (AIX dgd_packets_lost)
  uint32_t retry_time_ms = 100;  // re-test interval of a dead gateway (AIX dgd_retry_time)
  bool passive_dgd = false;      // neighbour entry FAILED counts as a miss
};

struct RoutingConfig {
  std::string daemon = "none";           // "frr" | "bird" | "none"
  uint32_t table = 86;                   // kernel table the VIPA host routes are published in
  std::string vtysh = "vtysh";           // FRR: command used to re-apply route-maps
  std::string birdc = "birdc";           // BIRD: `birdc reload out` of the kernel protocol
  std::vector<std::string> daemon_args;  // extra args (e.g. socket paths) for vtysh/birdc
  // Dynamic VIPAs (docs/dynamic-vipa.md): how they are announced, and how often vipad reads
  // the protocol's view.
  std::string announce = "ospf";  // "ospf" | "bgp"
  std::string ospf_area = "0.0.0.0";
  uint32_t bgp_asn = 0;  // 0: `router bgp` without a number (FRR's one instance)
  uint32_t view_interval_ms = 500;
};

struct DaemonConfig {
  std::string metrics;  // "127.0.0.1:9469" or "" (off)
};

// [[source]]: which VIPA a program's connections come from (z/OS SRCIP); docs/source-selection.md.
enum class SourceKind { Unit, Cgroup, User, Destination };
struct SourceConfig {
  SourceKind kind = SourceKind::Cgroup;
  std::string selector;                  // as written: the unit, cgroup path, user or destination
  std::string cgroup;                    // Cgroup: the path below the v2 root, no outer '/'
  uint32_t uid_first = 0, uid_last = 0;  // User: the range (one uid: first == last)
  std::optional<Prefix> destination;     // Destination
  std::string vipa;                      // a [vipa.NAME] or one of its addresses, as written
  SourceLoc loc;
};

struct Config {
  std::string path;
  std::vector<VipaConfig> vipas;    // in file order
  std::vector<RouteConfig> routes;  // in file order
  DgdConfig dgd;
  RoutingConfig routing;
  DaemonConfig daemon;
  std::vector<SourceConfig> sources;  // [[source]], in file order
  std::vector<DvipaConfig> dvipas;    // [dvipa.NAME], in file order
};

// Parse and fully validate. `name` is used in error locations.
Result<Config> parse_config_string(std::string_view text, const std::string& name);
Result<Config> parse_config_file(const std::string& path);

// Checks that need the whole config at once (duplicates across VIPAs etc.). Called by the
// parsers; exposed for vipactl's mkdev/chdev, which validate a changed config the same way.
Status validate_config(const Config& c);

// Linux interface name rules: 1..15 bytes, no '/', no whitespace, not "." or "..".
// Like the kernel's dev_valid_name(), ':' is refused too (it marks old-style aliases).
bool valid_ifname(std::string_view name);

// Every address the static VIPAs hold: netaddr, netaddr6 and the aliases.
std::set<IpAddr> vipa_addresses(const Config& c);

// The main file, then every PATH.d/*.toml in name order (a missing directory is fine).
// A drop-in holds only [vipa.NAME] tables: each replaces the table of that name entirely
// (or adds it); a table holding only `deleted = true` removes that VIPA. Validation runs on
// the merged result; error locations name the file the value came from.
Result<Config> load_config(const std::string& path);
// The same over texts already read: the main file first, then the drop-ins in name order.
struct ConfigText {
  std::string name;  // the file's path, used in error locations
  std::string text;
};
Result<Config> load_config_texts(const std::vector<ConfigText>& files);
// The files load_config() reads, in its order: the main file, then PATH.d/*.toml sorted.
Result<std::vector<ConfigText>> read_config_texts(const std::string& path);

// PATH.d/50-vipactl.toml: where vipactl's mkdev/chdev/rmdev are recorded. vipad owns it so
// that the administrator's main file (and its comments) is never rewritten.
std::string dropin_path(const std::string& config_path);

// A [vipa.NAME] table that parses back to the same VipaConfig (loc aside).
std::string render_vipa_toml(const VipaConfig& v);
// The whole drop-in: a header comment, the tables, then `deleted = true` tables.
std::string render_dropin(const std::vector<VipaConfig>& vipas,
                          const std::vector<std::string>& deleted_names);

// "[daemon] metrics": "127.0.0.1:9469" or "[::1]:9469" (IP literals only, port 1..65535).
struct HostPort {
  IpAddr addr;
  uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace vipa
