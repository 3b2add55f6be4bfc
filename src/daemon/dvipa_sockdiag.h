// Whether a DVIPA's connections are idle (takeback = "whenidle"), from the kernel's socket
// table: NETLINK_SOCK_DIAG inet_diag dumps of ESTABLISHED TCP sockets with tcp_info. A
// connection counts as busy only if it received data or an ACK within the DVIPA's idle_ms
// (tcp_info's last_data_recv / last_ack_recv), so half-open leftovers of an earlier move,
// which stay ESTABLISHED for a long time without hearing anything, do not hold the DVIPA.
#pragma once

#include <cstdint>
#include <map>

#include "common/ipaddr.h"
#include "common/result.h"

namespace vipa {

// Local address -> idle_ms in; local address -> busy connections out (every key present).
// IPv4 connections on IPv6 sockets (::ffff:a.b.c.d) count for the IPv4 address.
Result<std::map<IpAddr, int>> busy_connections(const std::map<IpAddr, uint32_t>& idle_ms);

}  // namespace vipa
