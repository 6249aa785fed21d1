#!/usr/bin/env bash
# Build the macOS app: dist/Confide.app, and dist/Confide-<version>-macos-<arch>.dmg.
# Run on a Mac (macOS 12 or later) with Python 3.11-3.13 from python.org:
#   bash packaging/build-macos.sh
# Sign and notarise it before it leaves the build machine (packaging/SIGNING.md): an
# unsigned app is refused by Gatekeeper, and the Keychain asks again after every update.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-package
"$PYTHON" -m venv "$VENV" 2>/dev/null || true
"$VENV/bin/python" -m pip install --quiet --require-hashes -r packaging/requirements.lock
VERSION="$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"

PYTHONPATH="$PWD" "$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/confide.spec

# The check IT will run, run here first (key-file opt-in: no Keychain prompt on a build agent).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
dist/Confide.app/Contents/MacOS/Confide --self-test --device-key-file "$scratch/device.key"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --sign "$CODESIGN_IDENTITY" dist/Confide.app
fi
hdiutil create -volname Confide -srcfolder dist/Confide.app -ov -format UDZO \
  "dist/Confide-${VERSION}-macos-$(uname -m).dmg"
echo "Built dist/Confide.app and dist/Confide-${VERSION}-macos-$(uname -m).dmg"
