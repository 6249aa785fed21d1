"""`pip install` of the built wheel gives a working Confide: the top-level resources/ folder
(wording, fonts, style sheet, icons, help) comes with it as app/resources/shipped/ and
app.resources.path() loads it from the install, and the installed `confide --self-test`
passes in a fresh virtual environment that has never seen this checkout. Slow (a wheel
build and a full install, from pip's cache)."""

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=900, **kw)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "main.py"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("app", "ui", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    # -v: the build backend's own warnings (a deprecated license table, say) show only then.
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(source)],
                cwd=out)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    log = (built.stdout + built.stderr).lower()
    assert "license" not in "".join(line for line in log.splitlines() if "deprecat" in line)
    (found,) = out.glob("confide-*.whl")
    return found


def test_the_wheel_carries_every_resource(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"app/resources/shipped/{p.relative_to(ROOT / 'resources').as_posix()}"
               for p in (ROOT / "resources").rglob("*") if p.is_file()}
    assert "app/resources/shipped/fonts/DejaVuSans.ttf" in shipped and len(shipped) >= 17
    assert shipped <= names, sorted(shipped - names)
    assert "app/storage/migrations/v001_foundation.sql" in names
    # The list the installed self-test checks the copy against, and Confide's own licence.
    assert "app/resources/shipped/MANIFEST.json" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    # Only the one copy, inside the package: no top-level folder named as generically as
    # "resources" in site-packages, and none of the repository's other folders.
    assert not any(n.startswith(("tests/", "resources/", "ui/resources/")) for n in names)


def test_installed_into_a_fresh_venv_the_self_test_passes(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    # --no-compile: byte-compiling all 1,600 modules of the dependencies proves nothing here;
    # the self-test below compiles what it imports.
    installed = run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-compile", str(wheel)],
                    cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    key_dir = tmp_path / "keys"
    key_dir.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch), HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg"), XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    where = run([str(bin_dir / "python"), "-c", "import app, ui; print(app.__file__); print(ui.__file__)"],
                cwd=tmp_path, env=env)
    assert all(line.startswith(str(env_dir)) for line in where.stdout.split()), where.stdout
    # Loaded from the install, not from this checkout: each kind of file, through the one helper.
    loaded = run([str(bin_dir / "python"), "-c",
                  "from app import resources\n"
                  "from app.resources import wording\n"
                  "for name in ('style.qss', 'help.md', 'icons/chevron-down.svg', 'fonts/DejaVuSans.ttf'):\n"
                  "    p = resources.path(*name.split('/'))\n"
                  "    assert p.is_file() and p.stat().st_size > 0, p\n"
                  "    print(p)\n"
                  "print(wording.current('confidentiality_statement')[0])"],
                 cwd=tmp_path, env=env)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    *paths, version = loaded.stdout.split()
    assert len(paths) == 4 and version == "v1", loaded.stdout
    assert all(p.startswith(str(env_dir)) and "/app/resources/shipped/" in p for p in paths), paths

    # No credential store here: the administrator's opt-in, as on a headless machine.
    test = run([str(bin_dir / "confide"), "--self-test", "--device-key-file", str(key_dir / "device.key")],
               cwd=tmp_path, env=env)
    assert test.returncode == 0, test.stdout + test.stderr[-3000:]
    lines = test.stdout.splitlines()
    assert [line for line in lines[:-1] if not line.startswith("PASS")] == []
    for name in ("installation", "vault", "encrypted on disk", "encrypted PDF", "unlock", "window"):
        assert any(line.startswith(f"PASS  {name}:") for line in lines), name
    assert list(scratch.iterdir()) == [] and not (key_dir / "device.key").exists()
