#!/usr/bin/env bash
# The Debian package under a real systemd as PID 1: a Debian 12 root made by mmdebstrap from
# Debian's packages (cached as a tarball in the build directory), booted with
# `systemd-nspawn -b --private-network`. The container's network namespace is its own; the test
# moves one end of a veth pair into it, the other end into a router namespace of its own
# (never the machine's). Then:
# - the built .deb installs with apt-get; `systemctl start vipad` reaches active (Type=notify)
#   and vi0 holds the VIPA;
# - `systemctl reload` applies a change, and refuses a broken file while vipad stays up;
# - the process runs as the unit's User= with the unit's CapabilityBoundingSet= (read from
#   the installed unit file itself);
# - journalctl shows the structured fields (VIPA_EVENT=, VIPA=, VIPA_INTERFACE=, MESSAGE_ID=);
# - a newer build installed over the running one restarts vipad without dropping the VIPA:
#   `ip monitor` in the container sees zero route and address changes during the upgrade;
# - the watchdog restarts a vipad stopped with SIGSTOP;
# - apt-get remove, then purge, leave none of the package's files.
# VIPA_DEB=path.deb tests a built package instead of building one. Where no systemd can boot
# (no systemd-nspawn, no Debian mirror for the first rootfs), the test says SKIPPED with the
# reason and exits 77, never PASS.
source "$(dirname "$0")/lib.sh" "$@"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$(dirname "${VIPAD:-.}")" && pwd)
CACHE=$BUILD/real-boot
# The Debian root depends on no source of vipa's: it is kept outside the build directory, so a
# fresh checkout on the same machine does not fetch it again (VIPA_TEST_CACHE overrides).
ROOTFS_CACHE=${VIPA_TEST_CACHE:-/var/cache/vipa-tests}
ROOTFS_TAR=$ROOTFS_CACHE/rootfs-bookworm-v1.tar
ROOT=$TMP/root
NS_R=$T-br
ALL_NS+=("$NS_R")
MACHINE=vt$$-boot
NSPAWN_PID=
LEADER=
T0=$(now_ms)

skip() {
  echo "SKIPPED test_real_boot: $*"
  cleanup
  exit 77
}

# Inside the container: every namespace of its PID 1, so systemctl talks to that systemd.
inct() { nsenter -t "$LEADER" -m -u -i -n -p -C -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

stop_container() {
  if [ -n "$NSPAWN_PID" ] && proc_alive "$NSPAWN_PID"; then
    # SIGRTMIN+3 asks the container's systemd to halt cleanly; KILL after a grace period.
    [ -n "$LEADER" ] && kill -s RTMIN+3 "$LEADER" 2>/dev/null
    wait_for 20 pid_gone "$NSPAWN_PID" || kill -KILL "$NSPAWN_PID" 2>/dev/null
    wait "$NSPAWN_PID" 2>/dev/null
  fi
  NSPAWN_PID=
}
trap 'stop_container; cleanup' EXIT
trap 'echo interrupted; stop_container; cleanup; exit 130' INT TERM

# ---------------------------------------------------------------- the root

# The package's run-time dependencies plus what the test itself runs inside.
ROOT_PKGS=systemd,systemd-sysv,dbus,iproute2,libmnl0,libsystemd0,libtomlplusplus3,procps,libcap2-bin,iputils-ping
make_rootfs() {
  [ -f "$ROOTFS_TAR" ] && [ -s "$ROOTFS_TAR" ] && return 0
  rm -rf "$ROOTFS_TAR" "$ROOTFS_TAR.part"
  command -v mmdebstrap >/dev/null || return 1
  mkdir -p "$CACHE" "$ROOTFS_CACHE"
  local t0
  t0=$(now_ms)
  # Debian's own mirror only; the tarball is kept so later runs need no network.
  timeout 900 mmdebstrap --variant=apt --format=tar --include="$ROOT_PKGS" bookworm "$ROOTFS_TAR.part" \
    http://deb.debian.org/debian >"$CACHE/mmdebstrap.log" 2>&1 || { tail -n 5 "$CACHE/mmdebstrap.log"; return 1; }
  mv "$ROOTFS_TAR.part" "$ROOTFS_TAR"
  note "rootfs made in $(($(now_ms) - t0)) ms (cached in $ROOTFS_TAR)"
}

build_deb() {
  DEB=$(built_deb)
  [ -n "$DEB" ] && [ -f "$DEB" ]
}

# A newer build of the same package: the version gets "+1", everything else is the same.
make_newer_deb() {
  rm -rf "$TMP/newer" && mkdir -p "$TMP/newer" &&
    dpkg-deb -R "$DEB" "$TMP/newer/pkg" &&
    sed -i -E 's/^(Version: .*)$/\1+1/' "$TMP/newer/pkg/DEBIAN/control" &&
    dpkg-deb -b --root-owner-group "$TMP/newer/pkg" "$TMP/newer/vipa-newer.deb" >/dev/null &&
    NEWER_VERSION=$(dpkg-deb -f "$TMP/newer/vipa-newer.deb" Version)
}

# ---------------------------------------------------------------- boot

boot() {
  mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$ROOTFS_TAR" || return 1
  cp "$DEB" "$ROOT/root/vipa.deb" && cp "$TMP/newer/vipa-newer.deb" "$ROOT/root/vipa-newer.deb" || return 1
  echo "$MACHINE" >"$ROOT/etc/hostname"
  # No getty on a console nobody reads; the journal persistent is not needed.
  ln -sf /dev/null "$ROOT/etc/systemd/system/console-getty.service"
  systemd-nspawn -q -b -D "$ROOT" -M "$MACHINE" --private-network --register=no \
    --keep-unit --console=pipe </dev/null >"$TMP/console.log" 2>&1 &
  NSPAWN_PID=$!
  wait_for 30 find_leader
}

# The container's PID 1: nspawn's child that runs systemd.
find_leader() {
  local p
  for p in $(pgrep -P "$NSPAWN_PID"); do
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then
      LEADER=$p
      return 0
    fi
  done
  return 1
}

booted() {
  local s
  s=$(inct systemctl is-system-running 2>/dev/null)
  [ "$s" = running ] || [ "$s" = degraded ]
}

# en1 in the container, r1h in a router namespace: the sample's first link.
network_up() {
  ip netns add "$NS_R" && ip -n "$NS_R" link set lo up &&
    ip link add "vb$$" type veth peer name "vr$$" netns "$NS_R" &&
    ip link set "vb$$" netns "$LEADER" &&
    ip -n "$NS_R" link set "vr$$" name r1h &&
    ip -n "$NS_R" addr add 10.68.1.2/24 dev r1h && ip -n "$NS_R" link set r1h up &&
    inct ip link set "vb$$" name en1 && inct ip addr add 10.68.1.1/24 dev en1 &&
    inct ip link set en1 up
}

# ---------------------------------------------------------------- checks

install_pkg() { inct apt-get install -y -q /root/vipa.deb >"$TMP/apt-install.log" 2>&1 || { tail -n 20 "$TMP/apt-install.log"; return 1; }; }

write_config() {
  cat >"$ROOT/etc/vipa/vipa.conf" <<CONF
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
CONF
}

start_service() { inct systemctl start vipad; }
is_active() { [ "$(inct systemctl is-active vipad)" = active ]; }
vipa_held() { inct ip -4 addr show dev vi0 | grep -q "inet 10.68.6.1/24"; }
main_pid() { inct systemctl show -p MainPID --value vipad; }

reload_applies() {
  sed -i 's/netmask = "255.255.255.0"/netmask = "255.255.255.0"\nalias4 = ["10.68.6.2,255.255.255.0"]/' \
    "$ROOT/etc/vipa/vipa.conf"
  inct systemctl reload vipad && wait_for 10 alias_held
}
alias_held() { inct ip -4 addr show dev vi0 | grep -q "inet 10.68.6.2/24"; }

reload_refuses_broken() {
  local pid
  pid=$(main_pid)
  cp "$ROOT/etc/vipa/vipa.conf" "$TMP/good.conf"
  printf '[vipa.vi0\n' >>"$ROOT/etc/vipa/vipa.conf"
  inct systemctl reload vipad
  wait_for 10 journal_has "reload refused"
  local rc=$?
  cp "$TMP/good.conf" "$ROOT/etc/vipa/vipa.conf"
  [ $rc -eq 0 ] && is_active && [ "$(main_pid)" = "$pid" ] && alias_held
}
journal_has() { inct journalctl -u vipad --no-pager -o cat | grep -q -- "$1"; }

# What the unit promises, from the installed unit file: User= (root when absent) and
# CapabilityBoundingSet=; the running process must match both.
unit_promise_kept() {
  local unit=$ROOT/lib/systemd/system/vipad.service pid user uid want have
  user=$(sed -n 's/^User=//p' "$unit" | tail -n 1)
  [ -n "$user" ] || user=root
  uid=$(inct id -u "$user") || return 1
  pid=$(main_pid)
  # MainPID is a PID of the container's namespace: read its status from inside.
  inct cat "/proc/$pid/status" >"$TMP/status" || return 1
  [ "$(awk '/^Uid:/ {print $3}' "$TMP/status")" = "$uid" ] || { echo "uid is not $uid ($user)"; return 1; }
  want=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' | grep . | tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
  have=$(inct capsh --decode="$(awk '/^CapBnd:/ {print $2}' "$TMP/status")" | sed 's/.*=//' |
    tr ',' '\n' | sort | tr '\n' ' ')
  # vipad may drop more (CAP_BPF when no [[source]] rule needs it), never keep more.
  local c
  for c in $have; do
    [[ " $want " == *" $c "* ]] || { echo "bounding set: unit '$want', process '$have'"; return 1; }
  done
  # Effective capabilities never exceed the bounding set.
  local eff bnd
  eff=$((16#$(awk '/^CapEff:/ {print $2}' "$TMP/status")))
  bnd=$((16#$(awk '/^CapBnd:/ {print $2}' "$TMP/status")))
  [ $((eff & ~bnd)) -eq 0 ]
}

# A failover logged with its fields: en1 loses its link, vi0 fails over (no interface left).
journal_fields_present() {
  inct ip link set en1 down
  wait_for 10 journal_field VIPA_EVENT=link_down || return 1
  inct ip link set en1 up
  local ok=0
  journal_field "VIPA=vi0" || ok=1
  journal_field "VIPA_INTERFACE=en1" || ok=1
  journal_field "MESSAGE_ID=eeeb886b29f8479b8af25e7da8a94a60" || ok=1
  journal_field "SYSLOG_IDENTIFIER=vipad" || ok=1
  return $ok
}
journal_field() { inct journalctl -u vipad --no-pager -o verbose "VIPA_EVENT=link_down" | grep -q "^    $1\$"; }
en1_routes_back() { inct ip route show default | grep -q "via 10.68.1.2"; }

# The upgrade: ip monitor in the container's namespace counts every route and address message.
# The kernel's own IPv6 duplicate address detection on en1 (after the link test's down/up)
# finishes seconds later with an address event and a local route that are not vipad's.
no_tentative() { [ -z "$(inct ip -6 addr show tentative)" ]; }
# The monitor runs inside the container (its PID there in /root/monitor.pid) and is stopped
# there: killing the nsenter outside would leave `ip monitor` behind in the container, and a
# container process that never ends keeps its systemd from halting.
MON=
start_monitor() {
  rm -f "$ROOT/root/monitor.pid"
  # Its messages alone in monitor.log: the shell's own word on how it ended goes to monitor.err.
  inct sh -c 'echo $$ >/root/monitor.pid; exec ip monitor route address' >"$TMP/monitor.log" \
    2>"$TMP/monitor.err" &
  MON=$!
  BG_PIDS+=("$MON")
  wait_for 10 test -s "$ROOT/root/monitor.pid"
}
stop_monitor() {
  [ -n "$MON" ] || return 0
  [ -s "$ROOT/root/monitor.pid" ] && inct kill -INT "$(cat "$ROOT/root/monitor.pid")" 2>/dev/null
  wait_for 5 pid_gone "$MON"
  kill_pid "$MON"
  MON=
}
upgrade_keeps_address() {
  local old_pid rc=0
  wait_for 30 no_tentative || { echo "en1's IPv6 addresses stayed tentative"; return 1; }
  old_pid=$(main_pid)
  start_monitor || { echo "ip monitor did not start in the container"; stop_monitor; return 1; }
  sleep 0.2  # ip monitor subscribes before its first read; nothing to wait on from outside
  if ! inct apt-get install -y -q /root/vipa-newer.deb >"$TMP/apt-upgrade.log" 2>&1; then
    tail -n 20 "$TMP/apt-upgrade.log"
    rc=1
  fi
  [ $rc = 0 ] && { wait_for 20 is_active && wait_for 10 vipa_held || rc=1; }
  stop_monitor
  [ $rc = 0 ] || return 1
  local changes
  changes=$(grep -c . "$TMP/monitor.log")
  UPGRADE_NOTE="upgrade to $NEWER_VERSION: vipad pid $old_pid -> $(main_pid), $changes route/address changes"
  [ "$(main_pid)" != "$old_pid" ] || { echo "vipad was not restarted"; upgrade_diagnostics; return 1; }
  [ "$changes" -eq 0 ] || { head -n 10 "$TMP/monitor.log"; return 1; }
  running_pid || { echo "vipad has no main PID after the upgrade"; upgrade_diagnostics; return 1; }
}
upgrade_diagnostics() {
  inct systemctl status --no-pager -n 0 vipad | sed 's/^/     | /'
  sed -n '/Setting up vipa/,$p' "$TMP/apt-upgrade.log" | sed 's/^/     | /'
}

# A MainPID of 0 (between a stop and a start) must never reach kill: `kill -STOP 0` would stop
# the test's own process group.
running_pid() { [[ "$(main_pid)" =~ ^[1-9][0-9]*$ ]]; }
watchdog_restarts() {
  local pid
  wait_for 30 running_pid || { echo "vipad has no main PID"; return 1; }
  pid=$(main_pid)
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 1
  inct kill -STOP "$pid" || return 1
  # WatchdogSec=30s: systemd sends SIGABRT, which a stopped process cannot act on, then
  # SIGKILL after TimeoutAbortSec (the default: TimeoutStopSec, 90 s), and restarts it
  # (RestartSec=2s).
  wait_for 150 restarted_from "$pid" || return 1
  WATCHDOG_NOTE="watchdog: restarted $WAITED_MS ms after SIGSTOP"
  wait_for 20 is_active
}
restarted_from() { local p; p=$(main_pid); [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$1" ]; }

remove_leaves_package_files_gone() {
  inct apt-get remove -y -q vipa >"$TMP/apt-remove.log" 2>&1 || { tail -n 20 "$TMP/apt-remove.log"; return 1; }
  [ ! -e "$ROOT/usr/sbin/vipad" ] && [ ! -e "$ROOT/lib/systemd/system/vipad.service" ] &&
    ! inct ip link show vi0 >/dev/null 2>&1
}
purge_leaves_nothing() {
  inct apt-get purge -y -q vipa >"$TMP/apt-purge.log" 2>&1 || { tail -n 20 "$TMP/apt-purge.log"; return 1; }
  local left=0 f
  for f in /etc/vipa /run/vipa /var/lib/vipa /usr/share/vipa /usr/lib/systemd/catalog/vipa.catalog \
    /etc/iproute2/rt_tables.d/vipa.conf /usr/sbin/vipactl; do
    [ -e "$ROOT$f" ] && { echo "left: $f"; left=1; }
  done
  inct dpkg -s vipa >/dev/null 2>&1 && { echo "dpkg still knows vipa"; left=1; }
  return $left
}

# ---------------------------------------------------------------- run

command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (systemd-container)"
make_rootfs || skip "no Debian 12 root: mmdebstrap failed or cannot reach Debian's mirror"
check "deb-built" build_deb
note "package ready after $(($(now_ms) - T0)) ms"
check "newer-build" make_newer_deb
[ "$FAIL" -eq 0 ] || finish
if ! boot || ! wait_for 60 booted; then
  tail -n 20 "$TMP/console.log"
  skip "systemd-nspawn could not boot the Debian 12 root here (see the console above)"
fi
pass "systemd-pid1-booted ($(inct systemctl is-system-running), $(($(now_ms) - T0)) ms)"
check "container-network" network_up
check "apt-install" install_pkg
write_config
check "start-reaches-active" start_service
check "type-notify" [ "$(inct systemctl show -p Type --value vipad)" = notify ]
check_within "vipa-held" 10 vipa_held
check "reload-applies-change" reload_applies
check "reload-refuses-broken-file" reload_refuses_broken
check "unit-user-and-capabilities" unit_promise_kept
check "journal-structured-fields" journal_fields_present
check_within "routes-back-after-link" 10 en1_routes_back
UPGRADE_NOTE= WATCHDOG_NOTE=
check "upgrade-keeps-the-address" upgrade_keeps_address
note "$UPGRADE_NOTE"
check "watchdog-restarts-hung-vipad" watchdog_restarts
note "$WATCHDOG_NOTE"
check_within "vipa-held-after-watchdog" 10 vipa_held
check "apt-remove" remove_leaves_package_files_gone
check "apt-purge-leaves-nothing" purge_leaves_nothing
note "real boot test took $(($(now_ms) - T0)) ms"
# vipad's journal becomes the test's vipad log: finish checks it for sanitizer reports and
# prints its tail when a check failed.
inct journalctl -u vipad --no-pager -o short-monotonic >"$LOG" 2>&1
stop_container
finish
