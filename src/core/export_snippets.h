// Routing-daemon configuration that goes with a vipa.conf: the snippets `vipactl export frr`
// and `vipactl export bird` print (docs/routing.md). Pure text generation from a Config.
//
// vipad publishes each usable VIPA in its own kernel table (Config.routing.table, protocol
// vipa); the snippets make the daemon (1) import that table and announce it, and (2) give the
// routes it installs through listed interfaces the VIPA as preferred source, since vipad
// leaves routing-daemon routes alone.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace vipa {

// Names the snippets define and routing_refresh re-applies after the kernel flushed the
// daemon's routes together with a VIPA address: keep both sides in step through these.
inline constexpr const char* kFrrSrcRouteMap4 = "VIPA-SRC";
inline constexpr const char* kFrrSrcRouteMap6 = "VIPA-SRC6";
// The FRR protocols whose routes get the source route-maps, one `ip protocol P route-map`
// each: FRR 8.4 reinstalls nothing when an `ip protocol any` route-map is re-applied, so the
// refresh needs protocol-specific ones.
inline constexpr const char* kFrrSrcProtocols4[] = {"static", "ospf", "isis",
                                                    "bgp",    "rip",  "babel"};
inline constexpr const char* kFrrSrcProtocols6[] = {"static", "ospf6", "isis",
                                                    "bgp",    "ripng", "babel"};
inline constexpr const char* kBirdKernel4 = "kernel4";  // BIRD's kernel protocol, main table
inline constexpr const char* kBirdKernel6 = "kernel6";

// FRR 8.4's `ip import-table` takes 1..252.
inline constexpr uint32_t kFrrMaxImportTable = 252;

enum class AnnounceProtocol { Ospf, Bgp };

// How OSPF learns the VIPA. Table: import vipad's kernel table and redistribute it (an external
// route: the host route or subnet `advertise` asks for, withdrawn by vipad; but FRR 8.4 and BIRD
// recompute external routes on a one-second timer, so failover of incoming traffic takes a
// second). Interface: the VIPA interface is a passive OSPF interface (an intra-area route,
// recomputed at once; announces the interface's connected prefix; withdrawn when it goes down
// or away). BGP always uses the table.
enum class AnnounceVia { Table, Interface };

struct ExportOptions {
  AnnounceProtocol protocol = AnnounceProtocol::Ospf;
  AnnounceVia via = AnnounceVia::Table;
  std::string ospf_area = "0.0.0.0";
  uint32_t bgp_asn = 65086;  // private ASN; the operator's own goes here
  std::string config_path;   // named in the header comment
};

// Errors: no VIPA in state up with an address (nothing to announce), a table FRR cannot
// import, or AnnounceVia::Interface with BGP.
Result<std::string> export_frr(const Config& cfg, const ExportOptions& opt);
Result<std::string> export_bird(const Config& cfg, const ExportOptions& opt);

}  // namespace vipa
