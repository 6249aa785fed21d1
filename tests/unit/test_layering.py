"""The core never imports the GUI (DESIGN §2)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_app_package_never_imports_qt_or_ui():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if _imports(p) & {"PySide6", "shiboken6", "ui"}]
    assert offenders == []


def test_ui_never_runs_sql_itself():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py")
                 if _imports(p) & {"sqlcipher3", "sqlite3"} or "app.storage" in p.read_text()]
    assert offenders == []
