// [dvipa.NAME]: a Dynamic VIPA, one address several hosts may hold, owned by the host the
// routing protocol prefers (docs/dynamic-vipa.md). Like z/OS's VIPABACKUP with a rank on every
// stack ("z/OS Communications Server: IP Configuration Guide", Dynamic VIPA).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ipaddr.h"

namespace vipa {

struct SourceLoc;

enum class Takeback { Immediate, Whenidle, Manual };
enum class HealthKind { None, Exec, Tcp, Http };

const char* to_string(Takeback t);
const char* to_string(HealthKind k);

struct HealthConfig {
  HealthKind kind = HealthKind::None;
  std::vector<std::string> exec;  // argv; exec[0] an absolute path
  IpAddr addr;                    // tcp and http
  uint16_t port = 0;
  std::string http_host;  // the Host header ("127.0.0.1:8080")
  std::string http_path = "/";
  std::string target;  // as written, for messages
  uint32_t interval_ms = 1000;
  uint32_t timeout_ms = 500;
  uint32_t rise = 3;
  uint32_t fall = 2;
};

// A host a DVIPA may move to or from without breaking connections (docs/dynamic-vipa.md,
// "Moving and forwarding"): its name in the routing protocol's view and its tunnel address.
struct DvipaPeer {
  std::string id;       // OSPF router ID or BGP AS, as `vipactl dvipa` shows the announcers
  std::string address;  // IPv4, the VXLAN endpoint; the peer that is this host is found by it
};

struct DvipaConfig {
  std::string name;  // the table key; the kernel link is "vd-" + name
  IpAddr address;    // announced as /32 or /128
  uint32_t rank = 0;
  Takeback takeback = Takeback::Immediate;
  bool delay_join = true;
  std::vector<std::string> interface_names;  // empty = the static VIPAs' interfaces
  uint32_t hold_down_ms = 5000;
  uint32_t idle_ms = 2000;
  std::string notify;
  HealthConfig health;
  std::vector<DvipaPeer> peers;          // nondisruptive moves among these hosts
  uint32_t moving_timeout_ms = 600'000;  // an old owner keeps its connections this long
  int line = 0, column = 0;              // where the table starts (file: Config::path)
};

// 1..12 characters, letters, digits, '_' and '-': "vd-" + name is a valid interface name.
bool valid_dvipa_name(const std::string& name);
inline std::string dvipa_link_name(const std::string& name) {
  return "vd-" + name;
}

}  // namespace vipa
