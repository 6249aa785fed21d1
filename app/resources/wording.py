"""Versioned wording shown to families (confidentiality statement, consent texts).

Files are named `<name>.v<N>.txt` in resources/wording; the highest N is current, and
records store the version they showed, so old records keep pointing at the words used then.
"""

import re
from functools import lru_cache
from pathlib import Path

from app import resources

WORDING_DIR = resources.path("wording")
_VERSIONED = re.compile(r"(?P<name>[a-z_]+)\.v(?P<version>\d+)\.txt")


@lru_cache(maxsize=32)
def _versions(name: str) -> dict[int, Path]:
    found = {}
    for path in WORDING_DIR.glob(f"{name}.v*.txt"):
        match = _VERSIONED.fullmatch(path.name)
        if match and match["name"] == name:
            found[int(match["version"])] = path
    return found


def current(name: str) -> tuple[str, str]:
    """(version label such as 'v1', text). May raise: FileNotFoundError if none is installed."""
    versions = _versions(name)
    if not versions:
        raise FileNotFoundError(f"no wording named {name} in {WORDING_DIR}")
    latest = max(versions)
    return f"v{latest}", versions[latest].read_text(encoding="utf-8").strip()


def text_of(name: str, version: str) -> str:
    path = _versions(name).get(int(version.lstrip("v")))
    if path is None:
        raise FileNotFoundError(f"wording {name} {version} is not installed")
    return path.read_text(encoding="utf-8").strip()
