#!/usr/bin/env bash
# No string from the config, the network or the kernel ever reaches a shell
# (docs/security.md). Interface names may hold almost any byte: the kernel refuses only '/',
# ':', whitespace, '%' (a name template) and names over 15 bytes, so `$(>P2)` or `a|tee${IFS}P4`
# are real interface names. Here en1 and en5 are renamed to such names, more veths with odd
# names are listed in interface_names, vi0 has a notify hook under a directory whose name is a
# shell command, and [routing] points vtysh at a fake with shell-command arguments. Failovers
# and a VIPA repair then run them all. Each program records the argv the kernel handed it
# (/proc/self/cmdline) and its parent: every argument must arrive verbatim, the parent must be
# vipad (not sh), and none of the marker files the shell syntax would create may exist.
# shellcheck disable=SC2016 # the single-quoted $ and ` are the point
source "$(dirname "$0")/lib.sh" "$@"

PY=$(command -v python3)

# Each name is one shell injection (or a byte class) that would create a file P<n> if a shell
# ever parsed it in vipad's working directory. All are names the kernel accepts.
N1='e;touch${IFS}P1' # 15 bytes, the longest a name may be: en1, carries the real failover
N2='$(>P2)'          # en5
EXTRA=(
  '`>P3`'
  'a|tee${IFS}P4'
  'a&>P5'
  $'\'";\\*?<>!#~{}()' # every other shell metacharacter, 15 bytes
  $'v\xc3\xa9\xe2\x98\x83$IFS' # UTF-8 (vé☃) and an unquoted variable
  '--x=$(>P8)'                # an option-looking name
)
TOO_LONG='abcdefghijklmnop' # 16 bytes: IFNAMSIZ counts the NUL
BADUTF=$'vt\xff\xfe$(>P9)'   # not UTF-8: cannot be configured, but the kernel has it

HOOK_DIR="$TMP/h;touch\${IFS}P0;#"
HOOK="$HOOK_DIR/notify"
VTYSH="$HOOK_DIR/vtysh"
CALLS="$HOOK_DIR/calls"
WORK=$TMP/cwd # vipad's working directory, where `touch PN` would land

# toml_str TEXT: TEXT as a TOML basic string.
toml_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# ---------------------------------------------------------------- the recording programs

mkdir -p "$CALLS" "$WORK"
# One file per run: the argv exactly as the kernel passed it, the parent's name and the
# interface from the environment. Everything is quoted, so this script itself parses nothing.
for prog in "$HOOK" "$VTYSH"; do
  cat >"$prog" <<'EOF'
#!/bin/sh
f=$(mktemp "${0%/*}/calls/${0##*/}.XXXXXX") || exit 1
cat /proc/$$/cmdline >"$f"
cat /proc/$PPID/comm >"$f.parent"
printf '%s' "$VIPA_INTERFACE" >"$f.env"
exit 0
EOF
  chmod 755 "$prog"
done

# calls_have PROG ARGS...: some run of PROG (notify|vtysh) got exactly ARGS after its own
# path (with MATCH=prefix: ARGS first), from a parent named vipad; for the hook also
# VIPA_INTERFACE = ARGS[2].
calls_have() {
  "$PY" - "$CALLS" "${MATCH:-exact}" "$@" <<'EOF'
import glob, os, sys
calls, match, prog = sys.argv[1:4]
want = [a.encode("utf-8", "surrogateescape") for a in sys.argv[4:]]
path = os.path.join(os.path.dirname(calls), prog).encode("utf-8", "surrogateescape")
seen = []
for f in sorted(glob.glob(os.path.join(calls, prog + ".??????"))):
    argv = open(f, "rb").read().split(b"\0")[:-1]
    parent = open(f + ".parent", "rb").read().strip()
    env = open(f + ".env", "rb").read()
    # The kernel runs "#!/bin/sh" scripts as: /bin/sh SCRIPT ARGS...
    args = argv[2:2 + len(want)] if match == "prefix" else argv[2:]
    ok = argv[:2] == [b"/bin/sh", path] and args == want and parent == b"vipad"
    if prog == "notify":
        ok = ok and env == want[2]
    if ok:
        sys.exit(0)
    seen.append((argv[1:], parent, env))
print("wanted", want)
for s in seen[-6:]:
    print("got   ", s)
sys.exit(1)
EOF
}
hook_called() { calls_have notify "$@"; }

# no_markers: no P0..P9 file anywhere in the test's directory or vipad's working directory.
no_markers() {
  local found
  found=$(find "$TMP" "$(readlink "/proc/$VIPAD_PID/cwd" 2>/dev/null || echo "$WORK")" \
    -maxdepth 3 -name 'P[0-9]' 2>/dev/null)
  [ -z "$found" ] || {
    echo "a shell ran: $found"
    return 1
  }
}

# ---------------------------------------------------------------- topology with odd names

topo_up || {
  fail "topology"
  finish
}
# en1 and en5 keep their addresses and ifindex, and with them the sample routes.
rename_link() { iph link set "$1" down && iph link set "$1" name "$2" && iph link set "$2" up; }
check "kernel-accepts-15-byte-name" rename_link en1 "$N1"
check "kernel-accepts-subst-name" rename_link en5 "$N2"
i=0
for n in "${EXTRA[@]}"; do
  i=$((i + 1))
  check "kernel-accepts-name-$i" iph link add name "$n" type veth peer name "vtp$i"
  iph link set "$n" up
  iph link set "vtp$i" up
done
check_not "kernel-refuses-16-bytes" iph link add name "$TOO_LONG" type veth peer name vtpx
check "kernel-accepts-non-utf8" iph link add name "$BADUTF" type veth peer name vtpu
iph link set "$BADUTF" up
iph link set vtpu up
iph addr add 10.68.77.1/24 dev "$BADUTF"

ALL=("$N1" "$N2" "${EXTRA[@]}")
ifnames="["
for n in "${ALL[@]}"; do ifnames+="$(toml_str "$n"), "; done
ifnames="${ifnames%, }]"

# The config refuses what the kernel would: a 16-byte name.
CFG_IFNAMES="[\"en1\", \"$TOO_LONG\"]" sample_config "$TMP/long.conf"
check_not "config-refuses-16-byte-name" run_vipad --config "$TMP/long.conf" --check
check "config-says-why" grep -q "$TOO_LONG" "$TMP/run.err"

CFG_IFNAMES=$ifnames CFG_VI0_EXTRA="notify = $(toml_str "$HOOK")" \
  CFG_EXTRA="[routing]
daemon = \"frr\"
vtysh = $(toml_str "$VTYSH")
daemon_args = [\"--vty_socket\", $(toml_str 'x;touch${IFS}P6'), $(toml_str '$(>P7)')]" \
  sample_config
check "config-valid" run_vipad --config "$CONF" --check
show_output "$TMP/run.err"

cd "$WORK" || exit 1
check "vipad-starts" start_vipad
cd / || exit 1

# ---------------------------------------------------------------- the state, with odd names

owned_default_on() { iph route show default dev "$1" | grep -Eq "via $2 .*src $VIPA4 metric $3( |$)"; }
converged_odd() {
  vipa_addr_present && owned_default_on "$N1" 10.68.1.2 10 && owned_default_on "$N2" 10.68.5.2 20 &&
    src_is "$REMOTE4" "$VIPA4"
}
check_within "converged-on-odd-names" 3 converged_odd
# vipad wrote the sysctls under /proc/sys/net/ipv4/conf/NAME/ for the names as they are.
check "rp-filter-loosened-on-odd-name" test "$(inh cat "/proc/sys/net/ipv4/conf/$N1/rp_filter")" = 2
status_names() {
  "$PY" - "$SOCK" "${ALL[@]}" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)
s.sendall(b'{"cmd":"show","name":"vi0"}\n')
buf = b""
while not buf.endswith(b"\n"):
    buf += s.recv(65536)
got = json.loads(buf)["result"]["interface_names"]
want = [a.encode("utf-8", "surrogateescape").decode() for a in sys.argv[2:]]
print(got == want or f"got {got}\nwant {want}")
sys.exit(got != want)
EOF
}
check "status-shows-names-verbatim" status_names
# A kernel name that is not UTF-8 shows up in the routes answer: it must stay valid JSON.
routes_json_valid() {
  "$PY" - "$SOCK" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)
s.sendall(b'{"cmd":"routes","family":"inet"}\n')
buf = b""
while not buf.endswith(b"\n"):
    d = s.recv(1 << 20)
    if not d:
        break
    buf += d
a = json.loads(buf.decode("utf-8"))  # strict: raises on invalid UTF-8
names = {r["interface"] for r in a["result"]["routes"] if r["destination"] == "10.68.77.0"}
print(names)
sys.exit(not names)
EOF
}
check "routes-answer-valid-utf8" routes_json_valid
check "vipactl-netstat-with-odd-names" "$VIPACTL" --socket "$SOCK" netstat -rn

# ---------------------------------------------------------------- failovers run the hook

ipr1 link set r1h down
check_within "hook-failover-$N1" 3 hook_called failover vi0 "$N1" up down
check "hook-link-down-$N1" hook_called link_down vi0 "$N1" up down
ipr1 link set r1h up
router_routes r1
check_within "hook-restore-$N1" 3 hook_called restore vi0 "$N1" down up
check_within "converged-after-failback" 5 converged_odd

ipr5 link set r5h down
check_within "hook-failover-$N2" 3 hook_called failover vi0 "$N2" up down
ipr5 link set r5h up
router_routes r5
check_within "hook-restore-$N2" 3 hook_called restore vi0 "$N2" down up

i=0
for n in "${EXTRA[@]}"; do
  i=$((i + 1))
  iph link set "vtp$i" down
  check_within "hook-link-down-extra-$i" 3 hook_called link_down vi0 "$n" up down
  iph link set "vtp$i" up
  check_within "hook-link-up-extra-$i" 3 hook_called link_up vi0 "$n" down up
done

# ---------------------------------------------------------------- the routing daemon refresh

# Another tool deletes the VIPA address; vipad puts it back and asks "FRR" to reinstall.
iph addr del $VIPA4/24 dev vi0
# The daemon_args first, verbatim, then vipad's own vtysh commands.
vtysh_called() { MATCH=prefix calls_have vtysh --vty_socket 'x;touch${IFS}P6' '$(>P7)' -c "configure terminal"; }
vtysh_started() { compgen -G "$CALLS/vtysh.??????" >/dev/null; }
check_within "vipa-restored" 3 vipa_addr_present
check_within "vtysh-run" 5 vtysh_started
check "vtysh-args-verbatim" vtysh_called

# ---------------------------------------------------------------- nothing was interpreted

check "no-shell-ran" no_markers
check "vipad-alive" vipad_alive
check_within "converged-at-end" 5 converged_odd
note "hook runs: $(compgen -G "$CALLS/notify.??????" | wc -l), vtysh runs: $(compgen -G "$CALLS/vtysh.??????" | wc -l)"
finish
