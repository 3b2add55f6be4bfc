#!/usr/bin/env bash
# The Debian package. Builds the .deb with packaging/build-deb.sh (dpkg-buildpackage
# in a temporary copy of this tree; set VIPA_DEB=/path/to/vipa_*.deb to test a built one
# instead), then:
# - checks what it holds: binaries, unit, example config (a conffile), iproute2 names, man
#   pages, bash completion;
# - installs it with `dpkg --root` into a clean root made of nothing but the package and the
#   few programs its maintainer scripts call (sh, rm, rmdir); there `vipad --check` passes on
#   the example config as shipped and with the sample example uncommented, the installed unit
#   passes `systemd-analyze verify` with the installed man pages, and the man pages render;
# - purges it, with files vipad itself would have written in place, and finds nothing left;
# - runs lintian: no errors, and every warning is explained in docs/service.md.
# dpkg runs inside a network namespace of the test's own, so a maintainer script that reached
# for the network could only ever touch that empty namespace.
source "$(dirname "$0")/lib.sh" "$@"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
NS_PKG=$T-pkg
ALL_NS+=("$NS_PKG")
ROOT=$TMP/root
inpkg() { ip netns exec "$NS_PKG" "$@"; }

# ---------------------------------------------------------------- tools

ensure_tools() {
  local missing=() t
  command -v dpkg-buildpackage >/dev/null || missing+=(dpkg-dev)
  command -v dh >/dev/null || missing+=(debhelper)
  command -v lintian >/dev/null || missing+=(lintian)
  [ ${#missing[@]} -eq 0 ] && return 0
  note "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive timeout 240 apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >"$TMP/apt.log" 2>&1 || { tail -n 5 "$TMP/apt.log"; return 1; }
  for t in dpkg-buildpackage dh lintian; do command -v $t >/dev/null || return 1; done
}

build_deb() {
  local t0
  t0=$(now_ms)
  DEB=$(built_deb) || return 1
  note "package $(basename "$DEB") ready in $(($(now_ms) - t0)) ms"
  [ -f "$DEB" ]
}

# ---------------------------------------------------------------- what the package holds

EXPECTED_FILES=(
  ./usr/sbin/vipad
  ./usr/sbin/vipactl
  ./lib/systemd/system/vipad.service
  ./usr/lib/sysusers.d/vipa.conf
  ./etc/vipa/vipa.conf
  ./etc/iproute2/rt_protos.d/vipa.conf
  ./etc/iproute2/rt_tables.d/vipa.conf
  ./usr/share/man/man8/vipad.8.gz
  ./usr/share/man/man8/vipactl.8.gz
  ./usr/share/man/man5/vipa.conf.5.gz
  ./usr/share/bash-completion/completions/vipactl
  ./usr/lib/systemd/catalog/vipa.catalog
  ./usr/share/vipa/vipa-dashboard.json
  ./usr/share/vipa/vipa-alerts.yml
  ./usr/share/doc/vipa/copyright
)
deb_has_files() {
  dpkg-deb -c "$DEB" | awk '{print $6}' >"$TMP/deb.list"
  local f ok=0
  for f in "${EXPECTED_FILES[@]}"; do
    grep -Fxq -- "$f" "$TMP/deb.list" || { echo "missing $f"; ok=1; }
  done
  return $ok
}
conffiles_ok() {
  dpkg-deb -e "$DEB" "$TMP/ctrl" || return 1
  local f ok=0
  for f in /etc/vipa/vipa.conf /etc/iproute2/rt_protos.d/vipa.conf /etc/iproute2/rt_tables.d/vipa.conf; do
    grep -Fxq -- "$f" "$TMP/ctrl/conffiles" || { echo "not a conffile: $f"; ok=1; }
  done
  return $ok
}

# ---------------------------------------------------------------- the clean root

# The programs the maintainer scripts run (chrooted by dpkg), with their libraries, and
# /dev/null, which every Debian system has.
toolbox() {
  local p lib
  mkdir -p "$ROOT/bin" "$ROOT/usr/bin" "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" \
    "$ROOT/var/lib/dpkg/triggers" "$ROOT/tmp"
  mkdir -p "$ROOT/dev"
  mknod -m 666 "$ROOT/dev/null" c 1 3 || return 1
  : >"$ROOT/var/lib/dpkg/status"
  : >"$ROOT/var/lib/dpkg/available"
  for p in sh rm rmdir; do
    cp -L "$(command -v $p)" "$ROOT/bin/$p" || return 1
    for lib in $(ldd "$(command -v $p)" | grep -o '/[^ ]*'); do
      mkdir -p "$ROOT$(dirname "$lib")"
      cp -Ln "$lib" "$ROOT$lib"
    done
  done
  (cd "$ROOT" && find . -mindepth 1 | sort) >"$TMP/toolbox.list"
}

install_deb() {
  # --force-depends: the clean root has none of the shared libraries the package depends on.
  inpkg dpkg --root="$ROOT" --force-depends --force-not-root -i "$DEB" >"$TMP/dpkg-i.log" 2>&1 ||
    { cat "$TMP/dpkg-i.log"; return 1; }
  inpkg dpkg --root="$ROOT" -s vipa | grep -q '^Status: install ok installed'
}

root_has_files() {
  local f ok=0
  for f in "${EXPECTED_FILES[@]}"; do
    [ -e "$ROOT/${f#./}" ] || { echo "missing $ROOT/${f#./}"; ok=1; }
  done
  [ -x "$ROOT/usr/sbin/vipad" ] && [ -x "$ROOT/usr/sbin/vipactl" ] || ok=1
  return $ok
}
iproute2_names() {
  grep -Eq '^86[[:space:]]+vipa$' "$ROOT/etc/iproute2/rt_protos.d/vipa.conf" &&
    grep -Eq '^86[[:space:]]+vipa$' "$ROOT/etc/iproute2/rt_tables.d/vipa.conf"
}
# vipad --check only reads the file; run in the test's namespace all the same.
check_example() { inpkg "$ROOT/usr/sbin/vipad" --check --config "$ROOT/etc/vipa/vipa.conf"; }
check_sample_example() {
  sed -E 's/^#([a-z[])/\1/' "$ROOT/etc/vipa/vipa.conf" >"$TMP/sample-example.conf"
  inpkg "$ROOT/usr/sbin/vipad" --check --config "$TMP/sample-example.conf" >"$TMP/sample-check.out" 2>&1
  local rc=$?
  cat "$TMP/sample-check.out"
  [ $rc -eq 0 ] && grep -q '(1 VIPA(s), 2 route(s))' "$TMP/sample-check.out" &&
    grep -q '^netaddr = "10.68.6.1"$' "$TMP/sample-example.conf" &&
    grep -q '^interface_names = \["en1", "en5"\]$' "$TMP/sample-example.conf"
}
installed_unit_verifies() {
  mkdir -p "$TMP/unit"
  sed "s|^ExecStart=/usr/sbin/vipad |ExecStart=$ROOT/usr/sbin/vipad |" \
    "$ROOT/lib/systemd/system/vipad.service" >"$TMP/unit/vipad.service"
  local out
  out=$(MANPATH=$ROOT/usr/share/man systemd-analyze verify --man=yes "$TMP/unit/vipad.service" 2>&1)
  local rc=$?
  [ -n "$out" ] && echo "$out"
  [ $rc -eq 0 ] && [ -z "$out" ]
}
man_pages_render() {
  local m out ok=0
  for m in man8/vipad.8.gz man8/vipactl.8.gz man5/vipa.conf.5.gz; do
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$ROOT/usr/share/man/$m" 2>&1 >/dev/null)
    [ -z "$out" ] || { echo "$m: $out"; ok=1; }
  done
  return $ok
}
completion_loads() {
  bash -c "complete() { echo \"complete \$*\"; }; source '$ROOT/usr/share/bash-completion/completions/vipactl'" |
    grep -q -- '-F _vipactl vipactl'
}
binaries_run() {
  inpkg "$ROOT/usr/sbin/vipad" --version | grep -q '^vipad [0-9]' &&
    inpkg "$ROOT/usr/sbin/vipactl" --version | grep -q '[0-9]'
}

purge_leaves_nothing() {
  # What vipad and vipactl write at run time, which dpkg does not know about.
  mkdir -p "$ROOT/etc/vipa/vipa.conf.d" "$ROOT/var/lib/vipa" "$ROOT/run/vipa"
  echo '[vipa.vi9]' >"$ROOT/etc/vipa/vipa.conf.d/50-vipactl.toml"
  : >"$ROOT/etc/vipa/vipa.conf.d/.50-vipactl.toml.tmpAbC123"
  echo '[dgd]' >"$ROOT/etc/vipa/vipa.conf.d/50-vipactl-inet0.toml"
  : >"$ROOT/run/vipa/vipad.sock.pid"
  # The record makes prerm try `vipad --cleanup`; here it cannot even load its libraries, and
  # removal must go on regardless.
  echo '{}' >"$ROOT/run/vipa/vipad.state.json"
  inpkg dpkg --root="$ROOT" --force-depends --force-not-root --purge vipa >"$TMP/dpkg-p.log" 2>&1 ||
    { cat "$TMP/dpkg-p.log"; return 1; }
  (cd "$ROOT" && find . -mindepth 1 | sort) |
    grep -v -e '^\./var/lib/dpkg' -e '^\./var/lib$' -e '^\./var$' -e '^\./run$' -e '^\./etc$' \
      -e '^\./usr$' -e '^\./usr/share$' -e '^\./lib$' -e '^\./tmp$' >"$TMP/after.list"
  comm -13 <(sed 's|^\./||; s|^|./|' "$TMP/toolbox.list") "$TMP/after.list" >"$TMP/leftover.list"
  if [ -s "$TMP/leftover.list" ]; then
    echo "left behind:"
    cat "$TMP/leftover.list"
    return 1
  fi
  ! inpkg dpkg --root="$ROOT" -s vipa >/dev/null 2>&1
}

# ---------------------------------------------------------------- lintian

# No errors; every warning's tag appears in docs/service.md with its explanation.
lintian_ok() {
  lintian --no-cfg --tag-display-limit 0 "$DEB" >"$TMP/lintian.out" 2>&1
  local tags ok=0 t
  cat "$TMP/lintian.out"
  if grep -q '^E: ' "$TMP/lintian.out"; then ok=1; fi
  tags=$(sed -n 's/^W: [^:]*: \([^ ]*\).*/\1/p' "$TMP/lintian.out" | sort -u)
  for t in $tags; do
    grep -q -- "$t" "$SRC/docs/service.md" || { echo "warning '$t' is not explained in docs/service.md"; ok=1; }
  done
  return $ok
}

# ---------------------------------------------------------------- the test

check "tools" ensure_tools
[ "$FAIL" -eq 0 ] || finish
check "build-deb" build_deb
[ "$FAIL" -eq 0 ] || finish
check "deb-files" deb_has_files
check "conffiles" conffiles_ok

ip netns add "$NS_PKG" || {
  fail "namespace"
  finish
}
check "clean-root" toolbox
check "dpkg-install" install_deb
check "installed-files" root_has_files
check "iproute2-names" iproute2_names
check "binaries-run" binaries_run
check "check-example-as-shipped" check_example
check "check-sample-example" check_sample_example
check "installed-unit-verifies" installed_unit_verifies
check "man-pages-render" man_pages_render
check "bash-completion-loads" completion_loads
check "purge-leaves-nothing" purge_leaves_nothing
check "lintian" lintian_ok

finish
