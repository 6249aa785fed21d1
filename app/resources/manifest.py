"""The list of files a build ships from resources/, written by the build itself and checked by
`--self-test`: a packaging step that leaves a file out (as the bundle once left out help.md) is
then a FAIL line on the computer it was installed on, not a screen that says "missing".

The list is made from the repository's resources/ folder when the wheel or the bundle is built
(setup.py, packaging/confide.spec), never by hand: every file the program loads lives there
(docs/architecture.md, "Resources"). Standard library only: setup.py and the spec import it.
"""

import hashlib
import json
from pathlib import Path

NAME = "MANIFEST.json"


def list_files(folder: Path) -> dict[str, str]:
    """{path relative to the folder, with '/': SHA-256} for every file in it (not the manifest)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.name != NAME:
            found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def write(source: Path, out: Path) -> Path:
    """Write the manifest of `source` (the repository's resources/) to the file `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"files": list_files(source)}, indent=1, sort_keys=True) + "\n", "utf-8")
    return out


def problems(folder: Path, listed: dict[str, str]) -> list[str]:
    """What is wrong with the installed copy `folder` against `listed`: each missing or
    altered file, in plain words (empty when all is well)."""
    found = []
    for name, digest in sorted(listed.items()):
        path = folder.joinpath(*name.split("/"))
        if not path.is_file():
            found.append(f"{name} is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            found.append(f"{name} differs from the one built")
    return found
