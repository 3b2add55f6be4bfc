#!/usr/bin/env bash
# [[source]] over time, as seen by the remote server (its peer address): a VIPA taken down
# suspends its rules (logged) and they come back with it; a re-created cgroup and a link someone
# detached get their programs back; the pinned links outlive vipad and a restart adopts them
# without detaching; --cleanup removes links, pins and policy rules; without CAP_BPF the unit and
# cgroup rules give a notice and the rest works; an unknown user is a located config error.
#
# Only this test's processes are affected: the BPF programs attach to cgroups this test makes
# (<v2root>/vipa-srcsel-PID/...), only its own clients are moved into them (a wrapper writes its
# PID to cgroup.procs before exec), vipad's programs act only on sockets of vipad's network
# namespace (its netns cookie), and vipad pins its links in a bpffs mounted in a private mount
# namespace held by this test, so they go away with it whatever happens.
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/lib_source_app.sh"

srcapp_setup || {
  fail "setup"
  finish
}
check "vipad-starts" start_vipad_srcsel
check_within "sample-converged" 5 sample_converged
check_within "rules-attached" 5 source_rule_state 0 active
check "unit-client-from-vi1" peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000

# 1. A VIPA taken down: its rules stop, sockets fall back to the interface's VIPA; logged.
check "chdev-vi1-down" "$VIPACTL" --socket "$SOCK" chdev -l vi1 -a state=down -T
check_within "vi1-rule-suspended" 5 source_rule_state 0 suspended
check "unit-falls-back-to-vi0" peer_is $VIPA4 in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000
check "suspension-logged" grep -q "suspended (vi1 is down)" "$LOG"
check "chdev-vi1-up" "$VIPACTL" --socket "$SOCK" chdev -l vi1 -a state=up -T
check_within "vi1-rule-active-again" 5 source_rule_state 0 active
check_within "unit-from-vi1-again" 5 peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000

# 2. Re-assert: the unit restarted (its cgroup re-created), a link detached by someone.
rmdir "$CG_UNIT" && mkdir "$CG_UNIT"
check_within "recreated-cgroup-reattached" 5 peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000
id=$(link_id 0 connect4)
check "detach-a-link" bpftool link detach id "${id:-none}"
kill -HUP "$VIPAD_PID"
check_within "detached-link-replaced" 5 peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000

# 3. Restart: the links stay attached while vipad is away and are adopted, not re-made.
ids_before=$(link_ids)
check "links-known" [ -n "$ids_before" -a "$ids_before" != "[]" ]
check "vipad-stops" stop_vipad
check "links-outlive-vipad" peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000
check "vipad-restarts" start_vipad_srcsel
check_within "rules-attached-after-restart" 5 source_rule_state 0 active
check "links-adopted" [ "$(link_ids)" = "$ids_before" ]
check "unit-from-vi1-after-restart" peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000

# 4. --cleanup: links detached, pins and policy rules gone.
check "vipad-stops-2" stop_vipad
check "cleanup" run_vipad_srcsel --cleanup
check "no-links-on-unit-cgroup" no_links_on "$CG_UNIT"
check "no-links-on-app-cgroup" no_links_on "$CG_APP"
check "no-policy-rules-left" no_vipa_rules
check "no-pins-left" no_pins

# 5. Without CAP_BPF (as on a kernel without cgroup BPF) the unit and cgroup rules give a
#    one-line notice; everything else works as before.
check "vipad-starts-without-cap-bpf" start_vipad_srcsel_without_bpf
check_within "sample-converged-without-bpf" 5 sample_converged
check_within "bpf-unavailable-notice" 5 grep -q "cgroup BPF is unavailable.*unit and cgroup \[\[source\]\] rules are not applied" "$LOG"
check "unit-from-vi0-without-bpf" peer_is $VIPA4 in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000
check_within "user-rule-without-bpf" 5 peer_is "$VI2_4" as_nobody tcp_peer $REMOTE4 7000
check "source-says-waiting" source_rule_state 0 waiting
check "no-links-without-bpf" no_links_on "$CG_UNIT"

# 6. Bad input: an unknown user or VIPA is a located error, and nothing starts.
printf '\n[[source]]\nuser = "no-such-user-%s"\nvipa = "vi1"\n' $$ >>"$CONF"
check_not "check-refuses-unknown-user" run_vipad_srcsel --check
check "unknown-user-located" grep -Eq "vipa.conf:[0-9]+:8: user: no user named 'no-such-user-$$'" "$TMP/run.err"
check "no-sanitizer-reports" no_sanitizer_reports
finish
