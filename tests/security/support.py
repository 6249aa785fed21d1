"""Shared by the attack, storage and end-to-end tests: scanning files for leaked bytes,
damaging files on purpose, and running Confide in a subprocess the way an admin would."""

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The real entry point with the cheap KDF: the shipped main.py has no way to turn it on.
CHEAP_ENTRY = ROOT / "tests" / "cheap_entry.py"
PAGE_SIZE = 4096  # SQLCipher 4 default; the tests damage whole pages at this size
SQLITE_MAGIC = b"SQLite format 3\x00"


def text_needles(label: str, text: str) -> dict[str, bytes]:
    """How a string could sit in a file: SQLite stores UTF-8, Qt and Windows APIs UTF-16."""
    return {
        f"{label} (utf-8)": text.encode("utf-8"),
        f"{label} (utf-16-le)": text.encode("utf-16-le"),
        f"{label} (utf-16-be)": text.encode("utf-16-be"),
    }


def secret_needles(label: str, secret: bytes) -> dict[str, bytes]:
    """Every usual spelling of a key: raw, hex either case, base64 (the key file's format)."""
    secret = bytes(secret)
    return {
        f"{label} (raw)": secret,
        f"{label} (hex)": secret.hex().encode(),
        f"{label} (HEX)": secret.hex().upper().encode(),
        f"{label} (base64)": base64.b64encode(secret),
        f"{label} (base64url)": base64.urlsafe_b64encode(secret),
        f"{label} (base64, unpadded)": base64.b64encode(secret).rstrip(b"="),
    }


def files_under(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        root = Path(root)
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return sorted(set(found))


def scan(roots, needles: dict[str, bytes], allow: dict[str, set[Path]] | None = None) -> list[str]:
    """Every (file, needle) hit under `roots`, except the files `allow` lists for a needle.

    Returns readable findings, so a failing assert shows where each leak is.
    """
    allow = allow or {}
    hits = []
    for path in files_under(*roots):
        try:
            data = path.read_bytes()
        except OSError:
            continue  # removed between listing and reading (a temp file going away)
        for label, needle in needles.items():
            if needle in data and path.resolve() not in allow.get(label, set()):
                hits.append(f"{label} found in {path}")
    return hits


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def page_count(path: Path) -> int:
    return Path(path).stat().st_size // PAGE_SIZE


def flip_bytes(path: Path, page: int, offsets=(100, 101, 2000)) -> None:
    """Invert a few bytes inside one page (1-based, as SQLite numbers them)."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    start = (page - 1) * PAGE_SIZE
    assert start + max(offsets) < len(data), f"page {page} is past the end of {path.name}"
    for off in offsets:
        data[start + off] ^= 0xFF
    path.write_bytes(bytes(data))


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A child process that can only use a key file, never a real keyring. (The cheap KDF
    comes from starting it through CHEAP_ENTRY, not from the environment.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFIDE_", "XDG_"))}
    env.update({
        # The real credential store of whoever runs the tests must never be touched.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "xdg" / "xdg_config_home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg" / "xdg_data_home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg" / "xdg_cache_home"),
        "TMPDIR": str(tmp_path / "proc-tmp"),
        "SQLITE_TMPDIR": str(tmp_path / "proc-tmp"),
    })
    (tmp_path / "proc-tmp").mkdir(exist_ok=True)
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHEAP_ENTRY), *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)


def stderr_lines(result: subprocess.CompletedProcess) -> list[str]:
    """Stderr without the permanent weaker-protection notice that --device-key-file prints."""
    return [line for line in result.stderr.splitlines()
            if line.strip() and not line.startswith("Weaker protection:")]
