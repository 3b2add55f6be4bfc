#include "vipactl/export.h"

#include <iostream>

#include "config/config.h"
#include "core/export_snippets.h"
#include "routing/daemons.h"
#include "vipactl/session.h"

namespace vipa::vipactl {

int run_export(const ExportArgs& a) {
  auto cfg = load_config(a.config);
  if (!cfg) return fail(kExitUsage, cfg.error().message);
  ExportOptions opt;
  opt.protocol = a.protocol == "bgp" ? AnnounceProtocol::Bgp : AnnounceProtocol::Ospf;
  opt.via = a.announce == "interface" ? AnnounceVia::Interface : AnnounceVia::Table;
  opt.ospf_area = a.area;
  opt.bgp_asn = a.asn;
  opt.config_path = a.config;
  const routing::DaemonInfo* d = routing::find_daemon(a.daemon);
  if (!d) return fail(kExitUsage, "export: unknown routing daemon '" + a.daemon + "'");
  auto text = d->export_static(*cfg, opt);
  std::string dv = d->export_dvipa(*cfg);
  if (!text && dv.empty()) return fail(kExitUsage, text.error().message);
  // A config with Dynamic VIPAs only has no static part to print.
  std::cout << (text ? *text : "") << dv << std::flush;
  return std::cout ? kExitOk : kExitFailure;
}

}  // namespace vipa::vipactl
