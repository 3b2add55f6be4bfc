// Whether a DVIPA's connections are idle (takeback = "whenidle"), from the kernel's socket
// table: NETLINK_SOCK_DIAG inet_diag dumps of ESTABLISHED TCP sockets with tcp_info. A
// connection counts as busy only if it received data or an ACK within the DVIPA's idle_ms
// (tcp_info's last_data_recv / last_ack_recv), so half-open leftovers of an earlier move,
// which stay ESTABLISHED for a long time without hearing anything, do not hold the DVIPA.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "common/ipaddr.h"
#include "common/result.h"

namespace vipa {

// Local address -> idle_ms in; local address -> busy connections out (every key present).
// IPv4 connections on IPv6 sockets (::ffff:a.b.c.d) count for the IPv4 address.
Result<std::map<IpAddr, int>> busy_connections(const std::map<IpAddr, uint32_t>& idle_ms);

// One ESTABLISHED TCP connection, as `vipactl dvipa connections` lists it.
struct DiagConnection {
  IpAddr local, remote;
  uint16_t local_port = 0, remote_port = 0;
  std::optional<uint32_t> quiet_ms;  // since it last heard data or an ACK (tcp_info)
};
// The ESTABLISHED TCP connections whose local address is one of `local`.
Result<std::vector<DiagConnection>> established_connections(const std::set<IpAddr>& local);

}  // namespace vipa
