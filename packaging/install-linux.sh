#!/usr/bin/env bash
# Install (or upgrade) the unpacked Linux bundle for every account on this computer. Run as
# root from the unpacked Confide folder, interactively or from a deployment tool (it asks
# nothing): the program goes to /opt/confide, owned by root and writable by root only, so no
# staff account (not even the one that unpacked it) can replace the program everyone runs;
# `confide` goes on the PATH and Confide into the desktop menu. Vaults are never touched:
# each account's lives in its own ~/.local/share/Confide.
#
# Upgrade: run the new version's install-linux.sh. The old folder is replaced whole (files the
# new version no longer has are gone), and only after the new copy is complete.
# Exit codes: 0 installed; 1 failed (nothing half-installed: the old version stays); 2 not root.
# PREFIX, BINDIR, APPDIR, ICONDIR move the four places (for packagers and tests).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-/opt/confide}"
bindir="${BINDIR:-/usr/local/bin}"
appdir="${APPDIR:-/usr/share/applications}"
icondir="${ICONDIR:-/usr/share/icons/hicolor}"

if [ "$(id -u)" != 0 ]; then
  echo "install-linux.sh: run this as root (sudo $0): the program must be owned by root." >&2
  exit 2
fi
if [ ! -x "$here/confide" ] || [ ! -d "$here/_internal" ]; then
  echo "install-linux.sh: run it from the unpacked Confide folder (confide and _internal/ beside it)." >&2
  exit 1
fi
# Running copies keep the old files open; a restart is what makes them use the new version.
running="$(for exe in /proc/[0-9]*/exe; do readlink "$exe" 2>/dev/null; done | grep -c "^$prefix/confide" || true)"
if [ "$running" != 0 ]; then
  echo "install-linux.sh: note: Confide is running ($running processes); they keep the old version" \
       "until they are closed. Ask staff to close Confide everywhere before an upgrade." >&2
fi
if [ "$here" != "$prefix" ]; then
  rm -rf "$prefix.new"
  mkdir -p "$(dirname "$prefix")"
  # Copy without the unpacker's ownership, then give everything to root, read-only to others.
  cp -R --no-preserve=ownership,mode "$here" "$prefix.new"
  chown -hR 0:0 "$prefix.new"
  chmod -R u=rwX,go=rX "$prefix.new"
  chmod 755 "$prefix.new/confide"
  find "$prefix.new" -type f \( -name '*.so' -o -name '*.so.*' -o -name '*.sh' \) -exec chmod 755 {} +
  rm -rf "$prefix.old"
  if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
  mv "$prefix.new" "$prefix"
  rm -rf "$prefix.old"
else
  chown -hR 0:0 "$prefix"
  chmod -R go-w "$prefix"
fi
mkdir -p "$bindir"
ln -sfn "$prefix/confide" "$bindir/confide"
install -D -o 0 -g 0 -m 644 "$prefix/confide.desktop" "$appdir/confide.desktop"
install -D -o 0 -g 0 -m 644 "$prefix/confide.png" "$icondir/256x256/apps/confide.png"
install -D -o 0 -g 0 -m 644 "$prefix/confide.svg" "$icondir/scalable/apps/confide.svg"
if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$appdir" || true; fi
echo "Confide is installed in $prefix. Check it as a member of staff, in their desktop session: confide --self-test"
