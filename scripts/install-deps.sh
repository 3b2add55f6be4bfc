#!/usr/bin/env bash
# Installs everything vipa needs to build, test and run its lab, from Debian 12's packages.
# Idempotent; skips apt entirely when every package is already there.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  libmnl-dev libsystemd-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  iproute2 iputils-ping socat procps psmisc curl jq python3 systemd
  # vipad's nondisruptive moves apply their table with nft (tests/integration/test_dvipa_moves_*)
  nftables
  frr bird2 telnet inetutils-telnetd
  radvd
  keepalived
  dpkg-dev debhelper fakeroot lintian
  libbpf-dev bpftool linux-libc-dev
  # promtool, for the alerting rules' checks (tests/integration/test_monitoring.sh)
  prometheus
  # the package under a real systemd: a Debian 12 root booted in a container
  # (tests/integration/test_real_boot.sh)
  mmdebstrap systemd-container
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# FRR, BIRD and Prometheus packages start their system-wide daemons on install; the lab runs
# its own copies inside namespaces, and the tests need only promtool, so the machine's own must
# not run.
for svc in frr bird prometheus; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
