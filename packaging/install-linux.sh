#!/usr/bin/env bash
# Install the unpacked Linux bundle for every account on this computer (run as root from
# the unpacked Confide folder): the program in /opt/confide, `confide` on the PATH, and the
# menu entry with its icon. Vaults are not touched: each account's lives in its own
# ~/.local/share/Confide. Run again after unpacking a newer version to upgrade.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-/opt/confide}"
if [ "$here" != "$prefix" ]; then
  rm -rf "$prefix.new"
  cp -a "$here" "$prefix.new"
  rm -rf "$prefix.old"
  if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
  mv "$prefix.new" "$prefix"
  rm -rf "$prefix.old"
fi
ln -sf "$prefix/confide" /usr/local/bin/confide
install -D -m 644 "$prefix/confide.desktop" /usr/share/applications/confide.desktop
install -D -m 644 "$prefix/confide.png" /usr/share/icons/hicolor/256x256/apps/confide.png
install -D -m 644 "$prefix/confide.svg" /usr/share/icons/hicolor/scalable/apps/confide.svg
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
echo "Confide is installed in $prefix. Check it with: confide --self-test"
