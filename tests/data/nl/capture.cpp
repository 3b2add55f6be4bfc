// Records rtnetlink events as raw message files, for golden tests and fuzz corpora.
// Run inside a throwaway network namespace (see capture.sh); every message the kernel
// multicasts for links, addresses and routes is written to DIR/NNN.bin, byte for byte, which
// `ip monitor file DIR/NNN.bin` prints as the line used to annotate the tests.
//   g++ -std=c++20 -o capture capture.cpp -lmnl && ./capture DIR
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: capture DIR\n");
    return 2;
  }
  mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) return 1;
  for (unsigned g : {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
                     RTNLGRP_IPV6_ROUTE})
    mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof g);
  std::fprintf(stdout, "ready\n");
  std::fflush(stdout);
  char buf[1 << 16];
  int n = 0;
  for (;;) {
    int len = static_cast<int>(mnl_socket_recvfrom(nl, buf, sizeof buf));
    if (len <= 0) break;
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); mnl_nlmsg_ok(h, len);
         h = mnl_nlmsg_next(h, &len)) {
      char name[64];
      std::snprintf(name, sizeof name, "%03d.bin", n++);
      FILE* f = std::fopen((std::string(argv[1]) + "/" + name).c_str(), "wb");
      if (!f) return 1;
      std::fwrite(h, 1, h->nlmsg_len, f);
      std::fclose(f);
    }
  }
  return 0;
}
