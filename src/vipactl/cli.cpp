#include "vipactl/cli.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <utility>
#include <vector>

#include "config/attrs.h"
#include "routing/daemons.h"
#include "vipactl/commands.h"
#include "vipactl/dvipa_commands.h"
#include "vipactl/export.h"
#include "vipactl/source_commands.h"

namespace vipa::vipactl {

namespace {

struct Args {
  std::string socket = kDefaultSocket;
  LsattrArgs lsattr;
  IfconfigArgs ifconfig;
  NetstatArgs netstat;
  MkdevArgs mkdev;
  ChdevArgs chdev;
  RmdevArgs rmdev;
  LsdevArgs lsdev;
  NoArgs no;
  ViewArgs status, show, monitor;
  ExportArgs exp;
  SourceArgs source;
  DvipaArgs dvipa;
  std::string netstat_what;  // "vipadyn"
  bool netstat_json = false;
};

using Runner = std::function<int(Session&)>;

void add_aix_commands(CLI::App& app, Args& a, std::vector<std::pair<CLI::App*, Runner>>& cmds) {
  auto* lsattr = app.add_subcommand(
      "lsattr", "Show a VIPA's attributes as AIX's lsattr does: lsattr -El vi0 [-a ATTR]");
  lsattr->add_flag("-E", a.lsattr.effective, "Show the effective (current) values");
  lsattr->add_flag("-R", a.lsattr.legal, "List the legal values of the attribute given with -a");
  lsattr->add_option("-l", a.lsattr.name, "The VIPA (e.g. vi0)")->required();
  lsattr->add_option("-a", a.lsattr.attr, "Only this attribute: " + vipa_attr_names());
  cmds.emplace_back(lsattr, [&a](Session& s) { return run_lsattr(s, a.lsattr); });

  auto* ifconfig = app.add_subcommand(
      "ifconfig", "Show a VIPA as AIX's ifconfig does: ifconfig vi0 | ifconfig -a");
  ifconfig->add_flag("-a", a.ifconfig.all, "Every VIPA in the kernel");
  ifconfig->add_option("interface", a.ifconfig.name, "The VIPA (e.g. vi0)");
  cmds.emplace_back(ifconfig, [&a](Session& s) { return run_ifconfig(s, a.ifconfig); });

  auto* netstat =
      app.add_subcommand("netstat", "Show the kernel routing tables as AIX's netstat -rn does");
  netstat->add_flag("-r", a.netstat.routes, "The routing tables");
  netstat->add_flag("-i", a.netstat.interfaces,
                    "The interfaces: Mtu, Network, Address, packet and error counters");
  netstat->add_flag("-C", a.netstat.costs,
                    "The routing tables with each route's cost and dead gateway state");
  netstat->add_flag("-n", a.netstat.numeric, "Numeric addresses (always; accepted for AIX habit)");
  netstat->add_option("-f", a.netstat.family, "Only one address family")
      ->check(CLI::IsMember({"inet", "inet6"}));
  netstat
      ->add_option("what", a.netstat_what, "vipadyn: the Dynamic VIPAs, as z/OS's NETSTAT VIPADYN")
      ->check(CLI::IsMember({"vipadyn"}));
  netstat->add_flag("--json", a.netstat_json, "netstat vipadyn: vipad's answer as JSON");
  cmds.emplace_back(netstat, [&a](Session& s) {
    return a.netstat_what == "vipadyn" ? run_vipadyn(s, a.netstat_json) : run_netstat(s, a.netstat);
  });

  auto* mkdev =
      app.add_subcommand("mkdev",
                         "Create a VIPA: mkdev -c if -s VI -t vi -w vi0 -a netaddr=10.68.6.1 "
                         "-a netmask=255.255.255.0 -a interface_names=en1,en5");
  mkdev->add_option("-c", a.mkdev.device_class, "Device class (if)");
  mkdev->add_option("-s", a.mkdev.subclass, "Device subclass (VI)");
  mkdev->add_option("-t", a.mkdev.type, "Device type (vi)");
  auto* mk_w = mkdev->add_option("-w", a.mkdev.name, "Name of the new VIPA (e.g. vi0)");
  auto* mk_l = mkdev->add_option("-l", a.mkdev.defined,
                                 "Make a Defined VIPA (after rmdev -l) Available again, as on AIX");
  mk_w->excludes(mk_l);
  mk_l->excludes(mk_w);
  mkdev->add_option("-a", a.mkdev.attrs, "ATTRIBUTE=VALUE; repeat for each attribute (with -w)");
  cmds.emplace_back(mkdev, [&a](Session& s) { return run_mkdev(s, a.mkdev); });

  auto* chdev = app.add_subcommand(
      "chdev", "Change a VIPA's attributes: chdev -l vi0 -a ATTRIBUTE=VALUE ... [-P|-T]");
  chdev->add_option("-l", a.chdev.name, "The VIPA (e.g. vi0)")->required();
  chdev->add_option("-a", a.chdev.attrs, "ATTRIBUTE=VALUE; repeat for each attribute")->required();
  auto* record = chdev->add_flag("-P", a.chdev.record_only,
                                 "Record only; applied when vipad next starts or reloads");
  auto* running =
      chdev->add_flag("-T", a.chdev.running_only, "Change the running system only; not recorded");
  record->excludes(running);
  cmds.emplace_back(chdev, [&a](Session& s) { return run_chdev(s, a.chdev); });

  auto* rmdev = app.add_subcommand(
      "rmdev", "Take a VIPA down (rmdev -l vi0) or remove it and its record (rmdev -d -l vi0)");
  rmdev->add_option("-l", a.rmdev.name, "The VIPA (e.g. vi0)")->required();
  rmdev->add_flag("-d", a.rmdev.remove, "Delete the VIPA and its record, not just define it");
  cmds.emplace_back(rmdev, [&a](Session& s) { return run_rmdev(s, a.rmdev); });
}

// lsdev, no, route: AIX's commands for the whole TCP/IP stack (its inet0 device).
void add_inet_commands(CLI::App& app, Args& a, std::vector<std::pair<CLI::App*, Runner>>& cmds) {
  auto* lsdev =
      app.add_subcommand("lsdev", "List the network interfaces as AIX's lsdev -Cc if does");
  lsdev->add_flag("-C", a.lsdev.customized, "The customized (configured) devices");
  lsdev->add_option("-c", a.lsdev.device_class, "Device class (if)");
  cmds.emplace_back(lsdev, [&a](Session& s) { return run_lsdev(s, a.lsdev); });

  auto* no = app.add_subcommand(
      "no",
      "Show or set the dead gateway tunables as AIX's no does: no -a | no [-p|-r] -o "
      "dgd_ping_time[=SECONDS]");
  no->add_flag("-a", a.no.all, "Every tunable vipad has");
  no->add_option("-o", a.no.option,
                 "TUNABLE or TUNABLE=VALUE (dgd_ping_time, dgd_packets_lost, "
                 "dgd_retry_time, passive_dgd)");
  no->add_flag("-p", a.no.now_and_recorded, "Change now and record for the next start");
  no->add_flag("-r", a.no.recorded_only, "Record for the next start only (or show the record)");
  cmds.emplace_back(no, [&a](Session& s) { return run_no(s, a.no); });

  auto* route = app.add_subcommand(
      "route",
      "Add or delete a route, now and recorded: route add|delete [-net|-host] DEST GATEWAY "
      "[-netmask MASK] [-hopcount N] [-if IF] [-active_dgd] (give --socket before 'route')");
  // AIX's flags are single-dash words (-net, -hopcount) that CLI11 would read as bundles of
  // one-letter flags: run_cli() hands route's arguments to run_route() before CLI11 sees them.
  route->allow_extras();
  cmds.emplace_back(route, [](Session&) { return kExitUsage; });
}

void add_linux_commands(CLI::App& app, Args& a, std::vector<std::pair<CLI::App*, Runner>>& cmds) {
  auto* status = app.add_subcommand(
      "status",
      "Every VIPA: addresses, interfaces (carrier, carrying traffic), routes owned, "
      "last failover");
  status->add_flag("--json", a.status.json, "vipad's status result as JSON");
  cmds.emplace_back(status, [&a](Session& s) { return run_status(s, a.status); });

  auto* show = app.add_subcommand("show", "One VIPA, as in status");
  show->add_option("name", a.show.name, "The VIPA (e.g. vi0)")->required();
  show->add_flag("--json", a.show.json, "The VIPA object as JSON");
  cmds.emplace_back(show, [&a](Session& s) { return run_show(s, a.show); });

  auto* monitor = app.add_subcommand(
      "monitor",
      "Print vipad's events as they happen (link down/up, failover, restore, repair, "
      "reload) until interrupted");
  monitor->add_flag("--json", a.monitor.json, "One JSON event object per line");
  cmds.emplace_back(monitor, [&a](Session& s) { return run_monitor(s, a.monitor); });

  auto* reload = app.add_subcommand("reload", "Make vipad re-read its configuration");
  cmds.emplace_back(reload, [](Session& s) { return run_reload(s); });

  auto* version = app.add_subcommand("version", "Print vipactl's and vipad's versions");
  cmds.emplace_back(version, [](Session& s) { return run_version(s); });

  auto* dvipa = app.add_subcommand(
      "dvipa",
      "Dynamic VIPAs: dvipa [NAME] [--json] (state, rank, health, owner, announcers); "
      "dvipa withdraw|resume|takeback|drain NAME; dvipa connections NAME (the connections "
      "established here and where moved flows go, as z/OS NETSTAT VCRT)");
  dvipa->add_option("args", a.dvipa.words,
                    "NAME, or withdraw|resume|takeback|drain|connections NAME");
  dvipa->add_flag("--json", a.dvipa.json, "vipad's answer as JSON");
  cmds.emplace_back(dvipa, [&a](Session& s) { return run_dvipa(s, a.dvipa); });

  auto* exp = app.add_subcommand(
      "export", "Print the FRR or BIRD configuration that announces the VIPAs of a config file");
  std::vector<std::string> routing_daemons;
  std::string daemons_help;  // "frr or bird"
  for (auto* d : routing::daemons()) {
    routing_daemons.emplace_back(d->name);
    daemons_help += (daemons_help.empty() ? "" : " or ") + std::string(d->name);
  }
  exp->add_option("daemon", a.exp.daemon, daemons_help)
      ->required()
      ->check(CLI::IsMember(routing_daemons));
  exp->add_option("--config", a.exp.config, "The vipa.conf to read")->capture_default_str();
  exp->add_option("--protocol", a.exp.protocol, "Announce with ospf or bgp")
      ->check(CLI::IsMember({"ospf", "bgp"}))
      ->capture_default_str();
  exp->add_option("--announce", a.exp.announce,
                  "OSPF: redistribute vipad's table (table) or make the VIPA interface a passive "
                  "OSPF interface (interface: intra-area, faster failover)")
      ->check(CLI::IsMember({"table", "interface"}))
      ->capture_default_str();
  exp->add_option("--area", a.exp.area, "OSPF area")->check(CLI::ValidIPV4)->capture_default_str();
  exp->add_option("--asn", a.exp.asn, "BGP: this host's AS number")->capture_default_str();
  cmds.emplace_back(exp, [&a](Session&) { return run_export(a.exp); });
}

}  // namespace

int run_cli(int argc, char** argv) {
  Args a;
  CLI::App app{
      "vipactl: administer vipad's Virtual IP Addresses (VIPA) with AIX's commands or Linux-style "
      "ones. Exit status: 0 done, 1 vipad not running or failed, 2 bad arguments or request "
      "refused."};
  app.name("vipactl");
  app.set_version_flag("--version", std::string("vipactl ") + VIPA_VERSION);
  app.require_subcommand(1);
  // Lets --socket follow the subcommand too ("vipactl status --socket /tmp/s").
  app.fallthrough();
  app.add_option("--socket", a.socket, "vipad's control socket")
      ->envname("VIPA_SOCKET")
      ->capture_default_str();

  std::vector<std::pair<CLI::App*, Runner>> cmds;
  add_aix_commands(app, a, cmds);
  add_inet_commands(app, a, cmds);
  add_linux_commands(app, a, cmds);
  add_source_commands(app, a.source, cmds);

  // The commands, one a line, from the table above: the shell completion asks for them, so it
  // cannot fall behind. Not in --help (they are for scripts).
  if (argc == 2 && std::string(argv[1]) == "--list-commands") {
    for (auto& [sub, run] : cmds)
      if (sub->get_parent() == &app) std::cout << sub->get_name() << "\n";  // not `source test`
    return 0;
  }
  // The VIPA attributes (config/attrs.h's table), one a line, for the same completion.
  if (argc == 2 && std::string(argv[1]) == "--list-attributes") {
    for (auto& attr : vipa_attrs()) std::cout << attr.key << "\n";
    return 0;
  }

  // `[--socket PATH] route ARGS...`: everything after "route" is AIX's syntax.
  const char* env_socket = std::getenv("VIPA_SOCKET");
  std::string route_socket = env_socket ? env_socket : kDefaultSocket;
  for (int i = 1; i < argc; ++i) {
    std::string w = argv[i];
    if (w == "--socket" && i + 1 < argc) {
      route_socket = argv[++i];
      continue;
    }
    if (w.rfind("--socket=", 0) == 0) {
      route_socket = w.substr(9);
      continue;
    }
    if (w != "route") break;
    std::vector<std::string> rest(argv + i + 1, argv + argc);
    if (rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h")) break;
    Session session(route_socket);
    return run_route(session, rest);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    if (auto rest = app.remaining(); !rest.empty() && app.get_subcommands().empty()) {
      std::cerr << "vipactl: unknown command '" << rest.front()
                << "'\nRun 'vipactl --help' for the commands.\n";
      return kExitUsage;
    }
    // Name the subcommand whose arguments were wrong and point at its own help.
    auto selected = app.get_subcommands();
    std::string command = selected.empty() ? "" : selected.front()->get_name();
    std::string prefix = command.empty() ? "" : command + ": ";
    std::string help = command.empty() ? "vipactl --help" : "vipactl " + command + " --help";
    std::cerr << "vipactl: " << prefix << e.what() << "\nRun '" << help << "' for usage.\n";
    return kExitUsage;
  }
  Session session(a.socket);
  for (auto& [sub, run] : cmds) {
    if (sub->parsed()) return run(session);
  }
  return kExitUsage;  // unreachable: require_subcommand(1)
}

}  // namespace vipa::vipactl
