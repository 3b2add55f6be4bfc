// vipad: keeps the configured Virtual IP Addresses true on this host's kernel.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/log.h"

int main(int argc, char** argv) {
  vipa::Options opt;
  bool check = false, cleanup = false, version = false;
  CLI::App app{
      "vipad - Virtual IP Address daemon.\n"
      "Holds each configured VIPA on a virtual interface tied to no device, makes it the source "
      "of every route through the interfaces that use it, and keeps that true while links fail "
      "and other tools rewrite routes."};
  app.add_option("-c,--config", opt.config_path, "configuration file")->capture_default_str();
  app.add_option("-s,--socket", opt.socket_path, "control socket")->capture_default_str();
  app.add_option("--state", opt.state_path,
                 "record of original values vipad changed (default: beside the socket)");
  app.add_flag("--check", check, "validate the configuration, touch nothing, exit 0 or 2");
  app.add_flag("--cleanup", cleanup,
               "remove everything vipad created for this configuration, restore what it "
               "changed, and exit");
  app.add_flag("-v,--verbose", opt.verbose, "log debug messages");
  app.add_flag("-V,--version", version, "print the version and exit");
  app.add_option("--netlink-rcvbuf", opt.netlink_rcvbuf,
                 "receive buffer of the netlink event socket in bytes (tests use a small one to "
                 "provoke overruns)")
      ->check(CLI::Range(1024, 1 << 30))
      ->group("");
  app.add_option("--source-unit-cgroup", opt.source_unit_base,
                 "look [[source]] units up below this cgroup instead of asking systemd (tests)")
      ->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (version) {
    std::printf("vipad %s\n", VIPA_VERSION);
    return 0;
  }
  vipa::log::init(opt.verbose);
  auto cfg = vipa::load_config(opt.config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
    return 2;
  }
  if (check) {
    std::printf("%s: configuration OK (%zu VIPA(s), %zu route(s))\n", opt.config_path.c_str(),
                cfg->vipas.size(), cfg->routes.size());
    return 0;
  }
  vipa::Daemon d(opt, std::move(cfg.value()));
  return cleanup ? d.cleanup() : d.run();
}
