#!/usr/bin/env bash
# Build the Linux one-folder bundle: dist/Confide/confide, and dist/confide-<version>-linux-<arch>.tar.gz
# (the folder, the .desktop entry and the icon). `make package` runs this.
#
# It installs exactly packaging/requirements.lock (hashes checked) into its own virtual
# environment, .venv-package, so what ships is what the lock file names, whatever else is on
# the build machine. Needs Python 3.11-3.13 with venv (PYTHON=python3.12 to choose one).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-package
LOCK=packaging/requirements.lock

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# The stamp records which lock file the environment holds, so a changed lock reinstalls.
if ! cmp -s "$LOCK" "$VENV/.lock-installed" 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --require-hashes -r "$LOCK"
  cp "$LOCK" "$VENV/.lock-installed"
fi
VERSION="$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"

# PYTHONPATH: the spec collects app/ and ui/ from this checkout, not from an installed copy.
PYTHONPATH="$PWD" "$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/confide.spec

cp packaging/confide.desktop packaging/install-linux.sh packaging/icons/confide.png packaging/icons/confide.svg dist/Confide/
ARCHIVE="dist/confide-${VERSION}-linux-$(uname -m).tar.gz"
tar -C dist -czf "$ARCHIVE" Confide
echo "Built dist/Confide ($(du -sh dist/Confide | cut -f1)) and $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1))."
echo "Check it: dist/Confide/confide --self-test"
