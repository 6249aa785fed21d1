#!/usr/bin/env bash
# Remove Confide installed by install-linux.sh (run as root; it asks nothing). The program,
# the `confide` command and the menu entry go; no vault is touched (each account's stays in
# its ~/.local/share/Confide, with its "Confide device secret" entries in that account's
# keyring: README "When a computer leaves the team" says how to remove those too).
# Exit codes: 0 removed (or was not installed); 2 not root. PREFIX, BINDIR, APPDIR, ICONDIR as
# for install-linux.sh.
set -euo pipefail
prefix="${PREFIX:-/opt/confide}"
bindir="${BINDIR:-/usr/local/bin}"
appdir="${APPDIR:-/usr/share/applications}"
icondir="${ICONDIR:-/usr/share/icons/hicolor}"
if [ "$(id -u)" != 0 ]; then
  echo "uninstall-linux.sh: run this as root (sudo $0)." >&2
  exit 2
fi
# The command only if it is ours: never a `confide` someone else put there.
if [ -L "$bindir/confide" ] && [ "$(readlink "$bindir/confide")" = "$prefix/confide" ]; then
  rm -f "$bindir/confide"
fi
rm -f "$appdir/confide.desktop" "$icondir/256x256/apps/confide.png" "$icondir/scalable/apps/confide.svg"
rm -rf "$prefix" "$prefix.new" "$prefix.old"
if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$appdir" || true; fi
echo "Confide is removed from this computer. Vaults in each account's ~/.local/share/Confide are kept."
