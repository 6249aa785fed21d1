"""Write THIRD-PARTY-NOTICES.txt for a built bundle, from what is really in it.

    .venv-package/bin/python packaging/notices.py dist/Confide

Run by each build script after PyInstaller, with the build's own environment (which holds
exactly packaging/requirements.lock), so the metadata read is the metadata of what shipped:

- every Python package the program needs at run time (the closure of pyproject.toml's
  dependencies over the installed packages' own requirements, for this OS), with its
  version, its licence as its metadata states it, and the text of every licence file it
  carries; PyInstaller for its bootloader, which every bundle contains;
- every shared library in the bundle, each attributed to the package that brought it (Qt's
  libraries to PySide6, the libraries inside a wheel's `.libs` folder to that wheel), to
  Python, or, on Debian-family build machines, to the system package it came from (with that
  package's copyright file);
- the LGPL terms for Qt and psycopg: both are dynamically linked, unmodified, and can be
  replaced in the folder; where their source is;
- Confide's own licence (LICENSE at the top of the repository).

It fails (exit 1, the reason on standard error) when a library in the bundle cannot be
attributed, or when one is on the refused list (GPL libraries of the build machine, such as
libreadline): the build then stops instead of shipping it.
"""

import argparse
import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
NAME = "THIRD-PARTY-NOTICES.txt"
LIBRARY = re.compile(r".+\.(so(\.\d+)*|dylib|dll|pyd)$", re.IGNORECASE)
# Never shipped: the build machine's GPL libraries (a Python module linking them is excluded
# in confide.spec; this catches any other way in).
REFUSED = ("libreadline", "libhistory", "libgdbm", "libncurses", "libtinfo")
LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
# Shipped because PyInstaller's bootloader starts every bundle (GPL-2.0 with an exception
# that lets it start programs under any licence).
BOOTLOADER = "pyinstaller"


class NoticeError(Exception):
    pass


def runtime_distributions(pyproject: Path = ROOT / "pyproject.toml") -> list[metadata.Distribution]:
    """Every installed distribution the program needs at run time on this OS, sorted by name."""
    wanted = tomllib.loads(pyproject.read_text("utf-8"))["project"]["dependencies"]
    env = default_environment()
    found: dict[str, metadata.Distribution] = {}
    queue = [(Requirement(r), "") for r in wanted]
    while queue:
        req, extra = queue.pop()
        if req.marker and not req.marker.evaluate({**env, "extra": extra}):
            continue
        key = canonicalize_name(req.name)
        if key in found:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise NoticeError(f"{req.name} is required but not installed in this environment") from None
        found[key] = dist
        for sub in dist.requires or []:
            for want in req.extras or {""}:
                queue.append((Requirement(sub), want))
    return [found[k] for k in sorted(found)]


def licence_of(dist: metadata.Distribution) -> str:
    md = dist.metadata
    expression = md.get("License-Expression")
    if expression:
        return expression
    stated = (md.get("License") or "").strip()
    classifiers = [c.split(" :: ")[-1] for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
    if stated and len(stated) < 80 and "\n" not in stated:
        return stated
    if classifiers:
        return ", ".join(classifiers)
    if licence_files(dist):
        return "see its licence text below"
    raise NoticeError(f"{dist.metadata['Name']} states no licence and carries no licence file")


def licence_files(dist: metadata.Distribution) -> list[Path]:
    return [Path(dist.locate_file(f)) for f in dist.files or []
            if LICENCE_FILE.search(f.name) and ".dist-info" in str(f)
            and Path(dist.locate_file(f)).is_file()]


def _owners(dists: list[metadata.Distribution]) -> dict[str, str]:
    """Library file name -> the distribution whose files include it."""
    owners = {}
    for dist in dists:
        for f in dist.files or []:
            if LIBRARY.match(f.name):
                owners.setdefault(f.name, dist.metadata["Name"])
    return owners


def _python_files() -> set[str]:
    """Names of the libraries that come with Python itself: libpython, its extension modules
    (lib-dynload), and on Windows its DLLs folder."""
    names = set()
    # os.py lives in the standard library of the Python that runs this (a venv's base).
    folders = [Path(os.__file__).parent / "lib-dynload", Path(sys.base_prefix) / "DLLs", Path(sys.base_prefix)]
    folders += [Path(v) for v in (sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("BINDIR")) if v]
    for folder in folders:
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if LIBRARY.match(p.name))
    return names


def _system_package(name: str) -> tuple[str, str, Path | None] | None:
    """(package, version, copyright file) for a library of a Debian-family system, or None."""
    if not shutil.which("dpkg-query"):
        return None
    found = subprocess.run(["dpkg-query", "-S", f"*/{name}"], capture_output=True, text=True)
    if found.returncode != 0 or not found.stdout.strip():
        return None
    package = found.stdout.splitlines()[0].split(":")[0].strip()
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                             capture_output=True, text=True).stdout.strip()
    copyright_file = Path("/usr/share/doc") / package / "copyright"
    return package, version, copyright_file if copyright_file.is_file() else None


def attribute_libraries(bundle: Path, dists: list[metadata.Distribution]) -> dict[str, list[str]]:
    """{component: [library paths inside the bundle]} for every shared library in the bundle.
    May raise: NoticeError for a refused library or one that cannot be attributed."""
    owners = _owners(dists)
    python_names = _python_files()
    found: dict[str, list[str]] = {}
    system: dict[str, tuple[str, str, Path | None]] = {}
    unknown, refused = [], []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() and LIBRARY.match(p.name)):
        relative = path.relative_to(bundle).as_posix()
        if path.name.startswith(REFUSED):
            refused.append(relative)
            continue
        parts = path.relative_to(bundle).parts
        if "PySide6" in parts:
            component = owners.get(path.name, "PySide6-Essentials")
        elif "shiboken6" in parts:
            component = "shiboken6"
        elif path.name in owners:
            component = owners[path.name]
        elif path.name in python_names or path.name.startswith("libpython"):
            component = f"Python {sys.version.split()[0]}"
        elif (package := _system_package(path.name)) is not None:
            component = f"system:{package[0]}"
            system[component] = package
        else:
            unknown.append(relative)
            continue
        found.setdefault(component, []).append(relative)
    if refused:
        raise NoticeError("the bundle holds libraries that must not ship (GPL, from the build machine): "
                          + ", ".join(refused) + ". Exclude them in packaging/confide.spec.")
    if unknown:
        raise NoticeError("cannot tell where these libraries in the bundle come from, so their licence "
                          "is unknown: " + ", ".join(unknown))
    found["_system"] = system  # type: ignore[assignment]
    return found


def _qt_section(libraries: dict, pyside: metadata.Distribution | None) -> str:
    version = pyside.version if pyside else "?"
    minor = ".".join(version.split(".")[:2])
    from_pyside = [p for component, files in libraries.items()
                   if canonicalize_name(component) in ("pyside6-essentials", "shiboken6") for p in files]
    qt = sorted(p for p in from_pyside if Path(p).name.startswith(("libQt6", "Qt6", "libq", "qt")))
    icu = sorted(p for p in from_pyside if Path(p).name.startswith(("libicu", "icu")))
    if not qt:
        raise NoticeError("no Qt library was found in the bundle: is this the built folder?")
    listed = "\n".join(f"    {p}" for p in qt)
    icu_note = ("\nThe PySide6 wheel also brings ICU (" + ", ".join(sorted({Path(p).name for p in icu}))
                + "), under the Unicode License v3 (https://www.unicode.org/license.txt)." if icu else "")
    return f"""Qt {version} and Qt for Python (PySide6 {version}, shiboken6), psycopg: LGPL-3.0
--------------------------------------------------------------------------------------
Confide uses the Qt libraries under the GNU Lesser General Public License version 3, and
psycopg likewise. They are dynamically linked and unmodified: each is a separate file in this
folder, and you may replace any of them with a compatible build of your own (for Qt, a build
of Qt {minor} with the same configuration) without changing Confide. Confide's licence does
not forbid reverse engineering for debugging such modifications.

The Qt libraries and plugins in this build:
{listed}
{icu_note}

Source code: Qt {version} at https://download.qt.io/official_releases/qt/{minor}/{version}/src/ ,
Qt for Python at https://download.qt.io/official_releases/QtForPython/pyside6/ (and
https://code.qt.io/cgit/pyside/pyside-setup.git, tag v{version}), psycopg at
https://github.com/psycopg/psycopg . For three years from when you received this build, the
distributor named in LICENSE will also send the source of these exact versions on request,
for no more than the cost of providing it.

The full texts of the GNU LGPL version 3 and of the GNU GPL version 3 it builds on are at the
end of this file.
"""


def render(bundle: Path) -> str:
    dists = runtime_distributions()
    libraries = attribute_libraries(bundle, dists)
    system = libraries.pop("_system")
    by_name = {canonicalize_name(d.metadata["Name"]): d for d in dists}
    try:
        bootloader = metadata.distribution(BOOTLOADER)
    except metadata.PackageNotFoundError:
        raise NoticeError("PyInstaller is not installed in this environment: run this with the build's "
                          "environment (.venv-package)") from None
    own = (ROOT / "LICENSE").read_text("utf-8").strip()
    out = [f"""Confide: third-party notices
============================

Written by packaging/notices.py when this build was made, from the packages installed for it
(packaging/requirements.lock) and the files actually in the bundle. Python {sys.version.split()[0]}
on {sys.platform}.

Confide's own licence
---------------------
{own}

Components
----------
"""]
    rows = [(d.metadata["Name"], d.version, licence_of(d)) for d in dists]
    rows.append(("PyInstaller (bootloader)", bootloader.version,
                 f"{licence_of(bootloader)}, with its exception for bundled programs"))
    rows.append(("Python", sys.version.split()[0], "PSF-2.0 (with the licences of the libraries it bundles, "
                 "listed in its LICENSE)"))
    for package, version, _copyright in sorted(system.values(), key=lambda p: p[0]):
        rows.append((f"{package} (system library)", version, "see its copyright file below"))
    width = max(len(r[0]) for r in rows)
    out += [f"{n:<{width}}  {v:<14} {lic}" for n, v, lic in rows]
    out.append("")
    out.append(_qt_section(libraries, by_name.get("pyside6-essentials")))
    out.append("Shared libraries in this bundle, by component\n---------------------------------------------")
    for component in sorted(libraries):
        out.append(f"{component}:")
        out += [f"    {p}" for p in libraries[component]]
    out.append("")
    for dist in dists + [bootloader]:
        for path in licence_files(dist):
            out.append(f"==== {dist.metadata['Name']} {dist.version}: {path.name} ====")
            out.append(path.read_text("utf-8", "replace").rstrip())
            out.append("")
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.is_file():
        out.append(f"==== Python {sys.version.split()[0]}: LICENSE ====")
        out.append(python_licence.read_text("utf-8", "replace").rstrip())
        out.append("")
    for package, version, copyright_file in sorted(system.values(), key=lambda p: p[0]):
        if copyright_file:
            out.append(f"==== {package} {version} (system library): copyright ====")
            out.append(copyright_file.read_text("utf-8", "replace").rstrip())
            out.append("")
    for name in ("LGPL-3.0", "GPL-3.0"):
        out.append(f"==== {name} ====")
        out.append((ROOT / "packaging" / "licenses" / f"{name}.txt").read_text("utf-8").rstrip())
        out.append("")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, help="the built folder (dist/Confide, or Confide.app/Contents)")
    parser.add_argument("--out", type=Path, default=None, help=f"default: BUNDLE/{NAME}")
    args = parser.parse_args(argv)
    try:
        text = render(args.bundle)
    except NoticeError as exc:
        print(f"notices: {exc}", file=sys.stderr)
        return 1
    out = args.out or args.bundle / NAME
    out.write_text(text, "utf-8")
    print(f"Wrote {out} ({len(text) // 1024} KiB).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
