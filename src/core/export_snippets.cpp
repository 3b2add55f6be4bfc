#include "core/export_snippets.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/route_protocols.h"
#include "routing/daemons.h"

namespace vipa {

namespace {

struct SourceRule {
  std::string iface;  // "" = every interface (the VIPA lists none, as AIX allows)
  IpAddr src;
};

// What both daemons' snippets are made of, read once from the config.
struct Parts {
  std::vector<SourceRule> src4, src6;
  std::vector<Prefix> announce4, announce6;  // the routes vipad publishes in its table
  std::vector<Prefix> connected6;            // vi0's connected IPv6 prefixes (FRR 8.4, below)
  std::vector<std::string> ifaces;           // every listed interface, in config order
  std::vector<std::string> links4, links6;   // VIPA interfaces holding an address of the family
  std::vector<IpAddr> peers4, peers6;        // [[route]] gateways: the BGP example's neighbours
  std::vector<std::string> skipped;          // VIPAs left out, with why
};

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}
void add_unique(std::vector<IpAddr>& v, const IpAddr& a) {
  if (std::find(v.begin(), v.end(), a) == v.end()) v.push_back(a);
}

void add_sources(const VipaConfig& v, const IpAddr& src, std::vector<SourceRule>& rules) {
  if (v.interface_names.empty()) {
    rules.push_back({"", src});
    return;
  }
  for (auto& i : v.interface_names) rules.push_back({i, src});
}

// Interface names go into quoted (BIRD) and unquoted (FRR) config words: refuse the few
// characters Linux allows that either parser would read differently.
bool plain_ifname(const std::string& n) {
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != '@')
      return false;
  return true;
}

Result<Parts> parts_of(const Config& cfg) {
  Parts p;
  for (auto& v : cfg.vipas)
    for (auto& i : v.interface_names)
      if (!plain_ifname(i))
        return Error::msg(cfg.path + ": interface '" + i + "' of " + v.name +
                          ": name cannot be written into a routing-daemon configuration");
  for (auto& v : cfg.vipas) {
    // Only a VIPA that is up has its address local: zebra refuses `set src` for any other,
    // and the kernel refuses a route whose source is not local.
    if (v.state != VipaState::Up) {
      p.skipped.push_back(v.name + " (state " + to_string(v.state) + ")");
      continue;
    }
    bool subnet = v.advertise == Advertise::Subnet;
    if (v.netaddr) {
      add_sources(v, *v.netaddr, p.src4);
      int len = subnet ? v.netmask_len : 32;
      p.announce4.push_back({v.netaddr->masked(len), len});
    }
    for (auto& a : v.alias4) {
      int len = subnet ? a.len : 32;
      p.announce4.push_back({a.addr.masked(len), len});
    }
    if (v.netaddr6) {
      add_sources(v, *v.netaddr6, p.src6);
      int len = subnet ? v.prefixlen : 128;
      p.announce6.push_back({v.netaddr6->masked(len), len});
      p.connected6.push_back({v.netaddr6->masked(v.prefixlen), v.prefixlen});
    }
    for (auto& a : v.alias6) {
      int len = subnet ? a.len : 128;
      p.announce6.push_back({a.addr.masked(len), len});
      p.connected6.push_back({a.addr.masked(a.len), a.len});
    }
    for (auto& i : v.interface_names) add_unique(p.ifaces, i);
    if (v.netaddr || !v.alias4.empty()) p.links4.push_back(v.name);
    if (v.netaddr6 || !v.alias6.empty()) p.links6.push_back(v.name);
  }
  if (p.announce4.empty() && p.announce6.empty())
    return Error::msg(cfg.path + ": no VIPA in state up with an address: nothing to export");
  for (auto& n : p.links4)
    if (!plain_ifname(n))
      return Error::msg(cfg.path + ": VIPA name '" + n +
                        "' cannot be written into a routing-daemon configuration");
  for (auto& r : cfg.routes) {
    if (!r.gateway || r.gateway->is_v6_link_local()) continue;
    add_unique(r.gateway->is_v4() ? p.peers4 : p.peers6, *r.gateway);
  }
  return p;
}

std::string iface_list(const std::vector<std::string>& ifaces) {
  if (ifaces.empty()) return "every interface";
  std::string s;
  for (auto& i : ifaces) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::string header(const char* c, const routing::DaemonInfo& daemon, const Config& cfg,
                   const Parts& p, const ExportOptions& opt) {
  std::string pre = std::string(c) + " ";
  std::string path = opt.config_path.empty() ? cfg.path : opt.config_path;
  std::string s = pre + "vipa: " + std::string(daemon.title) + " configuration for the VIPAs of " +
                  path + ",\n" + pre + "printed by `vipactl export " + std::string(daemon.name) +
                  "`. See docs/routing.md (kernel table " + std::to_string(cfg.routing.table) +
                  ", protocol " + std::to_string(kProtoVipa) + " \"vipa\").\n";
  for (auto& sk : p.skipped) s += pre + "left out: " + sk + "\n";
  return s;
}

// ---------------------------------------------------------------- FRR

template <size_t N>
std::string frr_route_map(const char* name, const char* family_kw,
                          const std::vector<SourceRule>& rules, const char* const (&protocols)[N]) {
  std::string s;
  int seq = 10;
  const SourceRule* every = nullptr;
  for (auto& r : rules) {
    if (r.iface.empty()) {
      if (!every) every = &r;
      continue;
    }
    s += "route-map " + std::string(name) + " permit " + std::to_string(seq) + "\n";
    s += " match interface " + r.iface + "\n";
    s += " set src " + r.src.str() + "\nexit\n";
    seq += 10;
  }
  // Routes through interfaces that use no VIPA pass unchanged (a route-map denies by default).
  s += "route-map " + std::string(name) + " permit 65535\n";
  if (every) s += " set src " + every->src.str() + "\n";
  s += "exit\n";
  for (const char* proto : protocols)
    s += std::string(family_kw) + " protocol " + proto + " route-map " + name + "\n";
  return s;
}

std::string frr_prefix_list(const char* kw, const char* name, const std::vector<Prefix>& ps) {
  std::string s;
  int seq = 5;
  for (auto& p : ps) {
    s += std::string(kw) + " prefix-list " + name + " seq " + std::to_string(seq) + " permit " +
         p.str() + "\n";
    seq += 5;
  }
  return s;
}

std::string frr_bgp(const Config& cfg, const Parts& p, const ExportOptions& opt) {
  std::string t = std::to_string(cfg.routing.table);
  std::string s;
  s += "! eBGP refuses to send or accept anything without a policy (FRR 8 default): only the\n";
  s += "! VIPAs go out, so the host never becomes a transit path.\n";
  if (!p.announce4.empty()) {
    s += frr_prefix_list("ip", "VIPA4", p.announce4);
    s += "route-map VIPA-ANNOUNCE permit 10\n match ip address prefix-list VIPA4\nexit\n";
  }
  if (!p.connected6.empty()) {
    s += frr_prefix_list("ipv6", "VIPA6", p.connected6);
    s += "route-map VIPA-ANNOUNCE6 permit 10\n match ipv6 address prefix-list VIPA6\nexit\n";
  }
  s += "route-map VIPA-BGP-IN permit 10\nexit\n";
  s += "router bgp " + std::to_string(opt.bgp_asn) + "\n";
  std::vector<IpAddr> all = p.peers4;
  all.insert(all.end(), p.peers6.begin(), p.peers6.end());
  if (all.empty()) s += " ! neighbor ROUTER remote-as external   (no [[route]] gateway to name)\n";
  for (auto& n : all) s += " neighbor " + n.str() + " remote-as external\n";
  auto family = [&](const char* af, const std::vector<IpAddr>& peers, const std::string& redist,
                    const char* out_map) {
    s += " address-family " + std::string(af) + " unicast\n";
    s += "  " + redist + "\n";
    for (auto& n : peers) {
      s += "  neighbor " + n.str() + " activate\n";
      s += "  neighbor " + n.str() + " route-map VIPA-BGP-IN in\n";
      s += "  neighbor " + n.str() + " route-map " + out_map + " out\n";
    }
    s += " exit-address-family\n";
  };
  if (!p.announce4.empty()) family("ipv4", p.peers4, "redistribute table " + t, "VIPA-ANNOUNCE");
  if (!p.connected6.empty())
    family("ipv6", p.peers6, "redistribute connected route-map VIPA-ANNOUNCE6", "VIPA-ANNOUNCE6");
  s += "exit\n";
  return s;
}

std::string frr_announce_table(const Config& cfg, const Parts& p, const ExportOptions& opt) {
  std::string t = std::to_string(cfg.routing.table);
  std::string s;
  s += "!\n! 2. Announce the VIPAs vipad publishes in kernel table " + t +
       " (withdrawn while a VIPA is down\n";
  s += "!    or none of its interfaces can carry traffic).\n";
  if (!p.announce4.empty()) {
    s += "!    zebra also installs the imported routes in the main table (proto zebra, dev\n";
    s += "!    vi0): harmless, the local table answers for the VIPA first.\n";
    s += "ip import-table " + t + "\n";
  }
  if (!p.connected6.empty()) {
    s += "!    FRR 8.4 has no `ipv6 import-table`: IPv6 VIPAs go out as vi0's connected prefix,\n";
    s += "!    announced while the VIPA is up.\n";
  }
  if (opt.protocol == AnnounceProtocol::Bgp) return s + frr_bgp(cfg, p, opt);
  if (!p.connected6.empty()) {
    s += frr_prefix_list("ipv6", "VIPA6", p.connected6);
    s += "route-map VIPA-ANNOUNCE6 permit 10\n match ipv6 address prefix-list VIPA6\nexit\n";
  }
  s += "!    An external route: FRR 8.4 recomputes those on a fixed one-second timer after a\n";
  s += "!    topology change (`--announce interface` avoids it). A host should not carry\n";
  s += "!    transit traffic: consider `max-metric router-lsa administrative` (the lab does).\n";
  if (!p.announce4.empty()) s += "router ospf\n redistribute table " + t + "\nexit\n";
  if (!p.connected6.empty())
    s += "router ospf6\n redistribute connected route-map VIPA-ANNOUNCE6\nexit\n";
  return s;
}

std::string frr_announce_interfaces(const Parts& p, const ExportOptions& opt, uint32_t table) {
  std::string s;
  s += "!\n! 2. Announce: each VIPA interface is a passive OSPF interface, so its connected\n";
  s += "!    prefix (its netmask, whatever `advertise` says) is an intra-area route, which FRR\n";
  s += "!    recomputes at once. Withdrawn when the VIPA goes down or away; a host whose listed\n";
  s += "!    interfaces are all dead has no adjacency left to be reached through anyway.\n";
  s += "!    A host should not carry transit traffic: consider `max-metric router-lsa\n";
  s += "!    administrative` in router ospf (the lab does).\n";
  if (!p.links4.empty()) {
    s += "!    Not announced here, but imported: vipad re-applies `ip import-table` after a VIPA\n";
    s += "!    flap (an FRR 8.4 workaround), and this keeps your configuration as it was.\n";
    s += "ip import-table " + std::to_string(table) + "\n";
  }
  for (auto& n : p.links4)
    s += "interface " + n + "\n ip ospf area " + opt.ospf_area + "\n ip ospf passive\nexit\n";
  for (auto& n : p.links6)
    s += "interface " + n + "\n ipv6 ospf6 area " + opt.ospf_area + "\n ipv6 ospf6 passive\nexit\n";
  return s;
}

}  // namespace

Result<std::string> export_frr(const Config& cfg, const ExportOptions& opt) {
  auto parts = parts_of(cfg);
  if (!parts) return parts.error();
  const Parts& p = *parts;
  if (opt.via == AnnounceVia::Interface && opt.protocol != AnnounceProtocol::Ospf)
    return Error::msg("announcing through the VIPA interface works with OSPF only");
  if (!p.announce4.empty() && cfg.routing.table > kFrrMaxImportTable)
    return Error::msg(cfg.path + ": [routing] table " + std::to_string(cfg.routing.table) +
                      " cannot be imported by FRR (`ip import-table` takes 1.." +
                      std::to_string(kFrrMaxImportTable) + ")");
  std::string s = header("!", routing::kFrr, cfg, p, opt);
  s += "! Tested with FRR 8.4.4 (Debian 12). Load it once vipad runs: zebra refuses `set src`\n";
  s += "! for an address the host does not hold yet (e.g. `vtysh -f FILE`, or frr.conf with\n";
  s += "! frr.service ordered after vipad.service).\n!\n";
  s += "! 1. Routes FRR installs through " + iface_list(p.ifaces) +
       " leave with the VIPA as source.\n";
  s += "!    vipad ([routing] daemon = \"frr\") re-applies these route-maps when the kernel\n";
  s += "!    flushed FRR's routes together with a VIPA address that went away and came back.\n";
  s += "!    One line per protocol, not `any`: FRR 8.4 reinstalls nothing when an `any`\n";
  s += "!    route-map is applied again. A protocol with a route-map of your own: add the\n";
  s += "!    `set src` entries to it instead (vipad re-applies VIPA-SRC to these protocols).\n";
  if (!p.src4.empty()) s += frr_route_map(kFrrSrcRouteMap4, "ip", p.src4, kFrrSrcProtocols4);
  if (!p.src6.empty()) s += frr_route_map(kFrrSrcRouteMap6, "ipv6", p.src6, kFrrSrcProtocols6);
  if (opt.via == AnnounceVia::Interface)
    s += frr_announce_interfaces(p, opt, cfg.routing.table);
  else
    s += frr_announce_table(cfg, p, opt);
  return s;
}

// ---------------------------------------------------------------- BIRD

namespace {

std::string bird_learn(const char* fam, const std::string& table) {
  std::string f(fam);
  std::string s;
  s += f + " table vipa" + (f == "ipv4" ? "4" : "6") + "_table;\n";
  std::string n = f == "ipv4" ? "vipa4" : "vipa6";
  s += "protocol kernel " + n + " {\n";
  s += "  kernel table " + table + ";\n";
  s += "  learn;  # the routes are vipad's, not BIRD's: take them in\n";
  s += "  " + f + " { table " + n + "_table; import all; export none; };\n}\n";
  s += "protocol pipe " + n + "_pipe {\n  table master" + (f == "ipv4" ? "4" : "6") +
       ";\n  peer table " + n + "_table;\n  import all;\n  export none;\n}\n";
  return s;
}

std::string bird_kernel(const char* name, const char* fam, const char* learned,
                        const std::vector<SourceRule>& rules) {
  std::string s;
  s += "protocol kernel " + std::string(name) + " {\n  " + fam + " {\n    import none;\n";
  s += "    export filter {\n";
  s += "      if proto = \"" + std::string(learned) +
       "\" then reject;  # vipad's, in the kernel already\n";
  for (auto& r : rules)
    if (r.iface.empty()) s += "      krt_prefsrc = " + r.src.str() + ";\n";
  for (auto& r : rules)
    if (!r.iface.empty())
      s += "      if ifname = \"" + r.iface + "\" then krt_prefsrc = " + r.src.str() + ";\n";
  s += "      accept;\n    };\n  };\n}\n";
  return s;
}

std::string bird_ifaces(const Parts& p) {
  if (p.ifaces.empty()) return "\"*\"";
  std::string s;
  for (auto& i : p.ifaces) s += (s.empty() ? "\"" : ", \"") + i + "\"";
  return s;
}

}  // namespace

Result<std::string> export_bird(const Config& cfg, const ExportOptions& opt) {
  auto parts = parts_of(cfg);
  if (!parts) return parts.error();
  const Parts& p = *parts;
  bool table = opt.via == AnnounceVia::Table;
  if (!table && opt.protocol != AnnounceProtocol::Ospf)
    return Error::msg("announcing through the VIPA interface works with OSPF only");
  std::string t = std::to_string(cfg.routing.table);
  bool v4 = !p.announce4.empty() || !p.src4.empty();
  bool v6 = !p.announce6.empty() || !p.src6.empty();
  std::string s = header("#", routing::kBird, cfg, p, opt);
  s += "# Tested with BIRD 2.0.12 (Debian 12). BIRD allows one kernel protocol per table: these\n";
  s += "# replace yours for the main table.\n#\n";
  if (table) {
    s += "# 0. Learn the VIPAs vipad publishes in kernel table " + t +
         " (withdrawn while a VIPA is down or\n";
    s += "#    none of its interfaces can carry traffic), through a table of their own.\n";
    if (v4) s += bird_learn("ipv4", t);
    if (v6) s += bird_learn("ipv6", t);
  }
  s += "# 1. BIRD's routes through " + iface_list(p.ifaces) +
       " leave with the VIPA as source. Keep the names:\n";
  s += "#    vipad ([routing] daemon = \"bird\") runs `birdc reload out " +
       std::string(kBirdKernel4) + "` to reinstall the routes the\n";
  s += "#    kernel flushed together with a VIPA address that went away and came back.\n";
  if (v4) s += bird_kernel(kBirdKernel4, "ipv4", "vipa4", p.src4);
  if (v6) s += bird_kernel(kBirdKernel6, "ipv6", "vipa6", p.src6);
  std::string export_clause = "export none";
  if (table) {
    s += "# 2. Announce: use this filter as the export filter of your own protocol, or start\n";
    s += "#    from the one below.\n";
    s += "filter vipa_announce {\n  if proto = \"vipa4\" || proto = \"vipa6\" then accept;\n";
    s += "  reject;\n}\n";
    export_clause = "export filter vipa_announce";
  } else {
    s += "# 2. Announce: each VIPA interface is a stub interface of the area, so its connected\n";
    s += "#    prefix is an intra-area route (withdrawn when the VIPA goes down or away).\n";
  }
  if (opt.protocol == AnnounceProtocol::Ospf) {
    auto ospf = [&](const char* ver, const char* name, const char* fam,
                    const std::vector<std::string>& links) {
      s += "protocol ospf " + std::string(ver) + " " + name + " {\n";
      s += "  stub router yes;  # a host: announce the VIPAs, never carry transit traffic\n";
      s += "  " + std::string(fam) + " { import all; " + export_clause + "; };\n";
      s += "  area " + opt.ospf_area + " {\n";
      s += "    interface " + bird_ifaces(p) +
           " { type ptp; bfd yes; };  # bfd: needs a protocol bfd\n";
      if (!table)
        for (auto& n : links) s += "    interface \"" + n + "\" { stub yes; };\n";
      s += "  };\n}\n";
    };
    if (v4) ospf("v2", "ospf4", "ipv4", p.links4);
    if (v6) ospf("v3", "ospf6", "ipv6", p.links6);
  } else {
    auto bgp = [&](const IpAddr& n, const char* fam, int i) {
      s += "protocol bgp vipa_bgp" + std::to_string(i) + " {\n";
      s += "  local as " + std::to_string(opt.bgp_asn) + ";\n";
      s += "  neighbor " + n.str() + " external;\n";
      s += "  " + std::string(fam) + " { import all; export filter vipa_announce; };\n}\n";
    };
    int i = 1;
    if (v4)
      for (auto& n : p.peers4) bgp(n, "ipv4", i++);
    if (v6)
      for (auto& n : p.peers6) bgp(n, "ipv6", i++);
    if (i == 1) s += "# protocol bgp { local as ASN; neighbor ROUTER external; ... }: no gateway\n";
  }
  return s;
}

}  // namespace vipa
