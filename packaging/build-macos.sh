#!/usr/bin/env bash
# Build the macOS app: dist/Confide.app, and dist/Confide-<version>-macos-<arch>.dmg.
# Run on a Mac (macOS 12 or later) with Python 3.11-3.13 from python.org:
#   bash packaging/build-macos.sh
# Signed release (packaging/SIGNING.md): set
#   CODESIGN_IDENTITY="Developer ID Application: <Org> (<TEAMID>)"  sign app and DMG, hardened runtime
#   NOTARY_PROFILE=<profile>     notarise and staple (xcrun notarytool store-credentials made it)
# Without CODESIGN_IDENTITY the build is ad hoc signed, for testing only: Gatekeeper refuses it
# on other Macs and the Keychain asks again after every update.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-package
"$PYTHON" -m venv "$VENV" 2>/dev/null || true
"$VENV/bin/python" -m pip install --quiet --require-hashes -r packaging/requirements.lock
VERSION="$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
APP=dist/Confide.app
DMG="dist/Confide-${VERSION}-macos-$(uname -m).dmg"

# With CODESIGN_IDENTITY the spec has PyInstaller sign every binary, then the app, with the
# hardened runtime and packaging/entitlements.plist.
PYTHONPATH="$PWD" "$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/confide.spec
cp LICENSE "$APP/Contents/Resources/"
"$VENV/bin/python" packaging/notices.py "$APP/Contents" --out "$APP/Contents/Resources/THIRD-PARTY-NOTICES.txt"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  # The two files added above changed the sealed resources: sign the app again (outer layer).
  codesign --force --options runtime --timestamp --entitlements packaging/entitlements.plist \
    --sign "$CODESIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
else
  codesign --force --deep --sign - "$APP"
fi

# The check IT will run, run here on the signed app (key-file opt-in: no Keychain prompt on a
# build agent). A signature that broke the program fails here, before anything ships.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/keys"
(cd "$scratch" && "$OLDPWD/$APP/Contents/MacOS/Confide" --self-test --device-key-file "$scratch/keys/device.key")

rm -f "$DMG"
hdiutil create -volname Confide -srcfolder "$APP" -ov -format UDZO "$DMG"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$DMG"
    xcrun stapler validate "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
  else
    echo "Not notarised (NOTARY_PROFILE unset): Gatekeeper will refuse it on other Macs." >&2
  fi
fi
(cd dist && shasum -a 256 "$(basename "$DMG")" > "$(basename "$DMG").sha256")
echo "Built $APP and $DMG"
