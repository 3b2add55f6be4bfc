#!/usr/bin/env bash
# Vipad as a systemd service.
# - packaging/vipad.service passes `systemd-analyze verify` (run on a copy whose ExecStart names
#   this build's vipad, with the man pages of Documentation= on MANPATH), carries the hardening
#   listed below, and stays under an exposure score of 3.5 in `systemd-analyze security`.
# - vipad speaks sd_notify to a notify socket of the test's own (as systemd would give it):
#   READY=1 only once IBM's sample has converged, STATUS= with a summary, WATCHDOG=1 pings from the
#   loop, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM.
# - Started outside systemd, vipad keeps only CAP_NET_ADMIN and CAP_NET_RAW (bounding set too).
source "$(dirname "$0")/lib.sh" "$@"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
UNIT=$SRC/packaging/vipad.service

# ---------------------------------------------------------------- the unit file

# verify_unit FILE: systemd-analyze verify, which also runs `man` for Documentation=. It reports
# unknown keys and bad values as warnings with exit status 0, so any output counts as failure.
verify_unit() {
  local out
  out=$(MANPATH=$TMP/man systemd-analyze verify --man=yes "$1" 2>&1)
  local rc=$?
  [ -n "$out" ] && echo "$out"
  [ $rc -eq 0 ] && [ -z "$out" ]
}

# unit_has LINE: the unit sets exactly this (whole line).
unit_has() { grep -Fxq -- "$1" "$UNIT" || { echo "missing: $1"; return 1; }; }

hardening_complete() {
  local l
  for l in 'Type=notify' 'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' \
    'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
    'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6 AF_PACKET' \
    'SystemCallFilter=@system-service' 'RuntimeDirectory=vipa' 'StateDirectory=vipa' \
    'ConfigurationDirectory=vipa' 'RuntimeDirectoryPreserve=yes'; do
    unit_has "$l" || return 1
  done
  grep -Eq '^WatchdogSec=[0-9]+' "$UNIT" || { echo "no WatchdogSec="; return 1; }
  grep -Eq '^ExecStart=/usr/sbin/vipad ' "$UNIT" || { echo "ExecStart is not /usr/sbin/vipad"; return 1; }
}

security_score_ok() {
  systemd-analyze security --offline=yes --threshold=35 "$TMP/unit/vipad.service" >"$TMP/security.out" 2>&1
  local rc=$?
  tail -n 1 "$TMP/security.out"
  return $rc
}

if ! command -v systemd-analyze >/dev/null; then
  fail "prerequisites: systemd-analyze missing"
  finish
fi
mkdir -p "$TMP/unit" "$TMP/bad" "$TMP/man/man5" "$TMP/man/man8"
cp "$SRC"/packaging/man/*.8 "$TMP/man/man8/"
cp "$SRC"/packaging/man/*.5 "$TMP/man/man5/"
# The installed path (/usr/sbin/vipad) does not exist here: verify checks this build's binary.
sed "s|^ExecStart=/usr/sbin/vipad |ExecStart=$VIPAD |" "$UNIT" >"$TMP/unit/vipad.service"
check "unit-verify" verify_unit "$TMP/unit/vipad.service"
# Proof that the check above can fail: a misspelt key is caught.
sed 's/^Type=notify$/Type=notfy/' "$TMP/unit/vipad.service" >"$TMP/bad/vipad.service"
check_not "unit-verify-catches-typo" verify_unit "$TMP/bad/vipad.service"
check "unit-hardening" hardening_complete
check "unit-security-score" security_score_ok
note "$(tail -n 1 "$TMP/security.out" 2>/dev/null)"

# ---------------------------------------------------------------- sd_notify and capabilities

NOTIFY_LOG=$TMP/notify.log
# count_msg MSG: how many times vipad sent MSG (datagrams arrive concatenated; the messages
# are distinct enough to count as substrings).
count_msg() { grep -o -- "$1" "$NOTIFY_LOG" 2>/dev/null | wc -l; }
msg_count_at_least() { [ "$(count_msg "$1")" -ge "$2" ]; }
ready_and_converged() { msg_count_at_least READY=1 1 && sample_converged; }

# The capability sets of a process, as /proc shows them (hex masks).
cap_set() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# CAP_NET_ADMIN is 12, CAP_NET_RAW 13.
caps_only_net() {
  local want=0000000000003000 s ok=0
  for s in CapPrm CapEff CapBnd; do
    [ "$(cap_set "$VIPAD_PID" $s)" = $want ] || { echo "$s=$(cap_set "$VIPAD_PID" $s), want $want"; ok=1; }
  done
  for s in CapInh CapAmb; do
    [ "$(cap_set "$VIPAD_PID" $s)" = 0000000000000000 ] || { echo "$s=$(cap_set "$VIPAD_PID" $s)"; ok=1; }
  done
  return $ok
}

topo_up || {
  fail "topology"
  finish
}
sample_config
# The notify socket's reader logs every datagram. At the first READY=1 it stops the sender
# (SIGSTOP; the pid from SCM_CREDENTIALS) until the test has looked at the kernel, so that
# "converged when READY came" is checked at that very moment, not whenever the test polls.
cat >"$TMP/notify.py" <<'PY'
import os, signal, socket, struct, sys, time
path, log, held_file, resume_file = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
held = False
while True:
    data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(12))
    with open(log, "ab") as f:
        f.write(data + b"\n")
    if held or b"READY=1" not in data:
        continue
    held = True
    pid = next((struct.unpack("3i", d[:12])[0] for lvl, typ, d in anc
                if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS), 0)
    if pid > 0:
        os.kill(pid, signal.SIGSTOP)
    with open(held_file, "w") as f:
        f.write(f"{pid}\n")
    for _ in range(6000):  # 60 s at most
        if os.path.exists(resume_file):
            break
        time.sleep(0.01)
    if pid > 0:
        os.kill(pid, signal.SIGCONT)
PY
bg python3 "$TMP/notify.py" "$TMP/notify.sock" "$NOTIFY_LOG" "$TMP/ready.held" "$TMP/ready.resume"
wait_for 20 test -S "$TMP/notify.sock" || fail "notify-socket"

export NOTIFY_SOCKET=$TMP/notify.sock WATCHDOG_USEC=400000
# start_vipad waits for vi0, which comes before READY=1: vipad may be held already.
start_vipad
vipad_started=$?
unset NOTIFY_SOCKET WATCHDOG_USEC
# READY=1 is sent after the first converge: while vipad is held right after sending it, IBM's
# sample must already be in the kernel.
check_within "ready-sent" 30 test -s "$TMP/ready.held"
check "ready-sender-is-vipad" test "$(cat "$TMP/ready.held" 2>/dev/null)" = "$VIPAD_PID"
check "converged-when-ready-sent" sample_converged
touch "$TMP/ready.resume"
check "vipad-starts" test "$vipad_started" = 0
check_within "ready-after-converge" 5 ready_and_converged
check "ready-once" test "$(count_msg READY=1)" -eq 1
check_within "status-line" 3 grep -q "STATUS=vi0 up (2/2 interfaces)" "$NOTIFY_LOG"
check_within "watchdog-pings" 3 msg_count_at_least WATCHDOG=1 3
check "caps-only-net-admin-raw" caps_only_net

kill -HUP "$VIPAD_PID"
check_within "sighup-reloading" 3 msg_count_at_least RELOADING=1 1
check_within "sighup-ready-again" 3 msg_count_at_least READY=1 2
check "alive-after-reload" vipad_alive

check "sigterm-stops" stop_vipad TERM
check "exit-0" test "${VIPAD_RC:-x}" = 0
check "stopping-sent" msg_count_at_least STOPPING=1 1
note "notify messages: $(tr -c '[:print:]' ' ' <"$NOTIFY_LOG" | head -c 300)"

finish
