#!/bin/bash
# Regenerates control_fuzz's captured corpus (fuzz/corpus/control/cap-*.jsonl): what vipactl
# really sends and what vipad really answers, for every read-only command and a round of
# changes, on the sample network (tests/integration/lib.sh builds it in its own namespaces and
# removes them afterwards). Needs root and a build.
#   fuzz/capture-control.sh VIPAD VIPACTL [OUTDIR]     default OUTDIR: fuzz/corpus/control
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${3:-$here/corpus/control}
source "$here/../tests/integration/lib.sh" "$1" "$2"
trap cleanup EXIT
topo_up
sample_config
start_vipad || { echo "capture-control: vipad did not start" >&2; exit 1; }
req=$TMP/requests.jsonl ans=$TMP/answers.jsonl
bg ip netns exec "$NS_H" python3 "$here/record_proxy.py" "$TMP/proxy.sock" "$SOCK" "$req" "$ans"
wait_for 10 test -S "$TMP/proxy.sock"
ctl() { ip netns exec "$NS_H" "$VIPACTL" --socket "$TMP/proxy.sock" "$@" >/dev/null 2>&1 || true; }
ctl lsattr -El vi0
ctl lsattr -El vi0 -a netaddr
ctl lsattr -R -l vi0 -a state
ctl lsattr -El inet0
ctl ifconfig vi0
ctl ifconfig -a
ctl lsdev -Cc if
ctl netstat -rn
ctl netstat -rn -f inet6
ctl netstat -in
ctl netstat -C
ctl no -a
ctl status
ctl status --json
ctl show vi0 --json
ctl version
ctl dvipa
ctl netstat vipadyn
ctl source
ctl chdev -l vi0 -a interface_names=en1
ctl mkdev -c if -s VI -t vi -w vi1 -a netaddr=10.68.7.1 -a netmask=255.255.255.0 -a interface_names=en5 -a state=up
ctl chdev -l vi1 -a netaddr=10.68.7.2
ctl route add -net 10.68.150.0 10.68.1.2 -netmask 255.255.255.0 -hopcount 5
ctl route delete -net 10.68.150.0 10.68.1.2 -netmask 255.255.255.0
ctl no -o dgd_packets_lost=4
ctl rmdev -d -l vi1
ctl chdev -l vi0 -a interface_names=en1,en5
ctl reload
ctl show nosuch
kill_pid "$BG_LAST" 2>/dev/null || true
cp "$req" "$out/cap-requests.jsonl"
cp "$ans" "$out/cap-answers.jsonl"
echo "capture-control: $(wc -l <"$req") requests, $(wc -l <"$ans") answer lines"
finish
