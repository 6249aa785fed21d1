#!/usr/bin/env bash
# Build the Linux one-folder bundle: dist/Confide/confide, dist/confide-<version>-linux-<arch>.tar.gz
# (the folder, with the .desktop entry, icon, installer, LICENSE and THIRD-PARTY-NOTICES.txt),
# dist/SHA256SUMS and, with SIGNING_KEY set, dist/SHA256SUMS.asc. `make package` runs this.
#
# It installs exactly packaging/requirements.lock (hashes checked) into its own virtual
# environment, .venv-package, so what ships is what the lock file names, whatever else is on
# the build machine. Needs Python 3.11-3.13 with venv (PYTHON=python3.12 to choose one) and
# binutils (PyInstaller reads the libraries' dependencies with objdump).
#
# SIGNING_KEY=<OpenPGP key id>: sign SHA256SUMS with it (gpg --detach-sign; packaging/SIGNING.md).
# It ends by running the bundle's --self-test (offscreen, with a temporary key file unless
# SELF_TEST_KEYRING=1 asks for the credential store): a build that fails it is not finished.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-package
LOCK=packaging/requirements.lock

if ! command -v objdump >/dev/null; then
  echo "build-linux.sh: objdump is missing: install binutils (Debian/Ubuntu: apt-get install binutils)" >&2
  exit 1
fi
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

cp packaging/confide.desktop packaging/install-linux.sh packaging/uninstall-linux.sh resources/hub/postgres-setup.sql \
  packaging/icons/confide.png packaging/icons/confide.svg LICENSE dist/Confide/
# The notices come from what is really in the folder; a GPL library of the build machine or
# one of unknown origin stops the build here.
"$VENV/bin/python" packaging/notices.py dist/Confide
ARCHIVE="confide-${VERSION}-linux-$(uname -m).tar.gz"
# Owner root and no group/other write in the archive itself, so an unpacked copy is not
# writable by whoever unpacked it as root either.
chmod -R go-w dist/Confide
tar -C dist --owner=0 --group=0 --numeric-owner -czf "dist/$ARCHIVE" Confide
(cd dist && sha256sum "$ARCHIVE" > SHA256SUMS)
if [ -n "${SIGNING_KEY:-}" ]; then
  rm -f dist/SHA256SUMS.asc
  gpg --batch --yes --local-user "$SIGNING_KEY" --armor --detach-sign --output dist/SHA256SUMS.asc dist/SHA256SUMS
  gpg --batch --verify dist/SHA256SUMS.asc dist/SHA256SUMS
  echo "Signed dist/SHA256SUMS with $SIGNING_KEY: dist/SHA256SUMS.asc"
fi
echo "Built dist/Confide ($(du -sh dist/Confide | cut -f1)) and dist/$ARCHIVE ($(du -h "dist/$ARCHIVE" | cut -f1))."

# The self-test, from a folder outside the checkout, so nothing of the checkout is found.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/keys"
key_opt=(--device-key-file "$scratch/keys/device.key")
[ "${SELF_TEST_KEYRING:-0}" = 1 ] && key_opt=()
echo "Self-test of the bundle:"
(cd "$scratch" && QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" TMPDIR="$scratch" \
  "$OLDPWD/dist/Confide/confide" --self-test "${key_opt[@]}")
