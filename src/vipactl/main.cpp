// vipactl: administer vipad's Virtual IP Addresses the AIX way (lsattr, ifconfig, netstat,
// mkdev, chdev, rmdev) and the Linux way (status, show, monitor, reload). See docs/vipactl.md.
#include "vipactl/cli.h"

int main(int argc, char** argv) {
  return vipa::vipactl::run_cli(argc, argv);
}
