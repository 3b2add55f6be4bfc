#!/bin/bash
# Builds the Debian package (vipa_VERSION_ARCH.deb) from this source tree, in a temporary copy
# so the tree itself stays clean, and copies the result to OUTDIR (default: ./build-deb, which git ignores).
#
#   packaging/build-deb.sh [-o OUTDIR] [-j JOBS] [--head]
#
# --head builds the committed HEAD instead of the working tree (what a fresh clone would build).
# Needs: dpkg-dev, debhelper, fakeroot and the build dependencies in debian/control:
#   apt-get install dpkg-dev debhelper fakeroot cmake pkgconf libmnl-dev libsystemd-dev \
#     libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$SRC/build-deb
JOBS=2
FROM=worktree
while [ $# -gt 0 ]; do
  case $1 in
    -o) OUT=$2; shift 2 ;;
    -j) JOBS=$2; shift 2 ;;
    --head) FROM="head"; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

existing() {
  local f
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done
  return 0
}

WORK=$(mktemp -d /tmp/vipa-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
TREE=$WORK/vipa
mkdir -p "$TREE"

# Only the project's files: no build directories, no editor or lab leftovers.
if [ "$FROM" = head ]; then
  git -C "$SRC" archive --format=tar HEAD | tar -x -C "$TREE"
elif git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Files deleted in the working tree but still in the index are left out.
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard | existing |
    tar --null -T - -cf -) | tar -x -C "$TREE"
else
  tar -C "$SRC" --exclude='./build*' --exclude='./.git' -cf - . | tar -x -C "$TREE"
fi

(cd "$TREE" && DEB_BUILD_OPTIONS="parallel=$JOBS ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1 || {
  tail -n 60 "$WORK/build.log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed (log above)" >&2
  exit 1
}

mkdir -p "$OUT"
shopt -s nullglob
debs=("$WORK"/*.deb)
[ ${#debs[@]} -gt 0 ] || { echo "build-deb.sh: no .deb produced" >&2; exit 1; }
cp "$WORK"/*.deb "$WORK"/*.ddeb "$WORK"/*.buildinfo "$WORK"/*.changes "$OUT"/ 2>/dev/null || true
for d in "${debs[@]}"; do
  [[ $d == *-dbgsym_* ]] || echo "$OUT/$(basename "$d")"
done
