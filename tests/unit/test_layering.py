"""The layers of docs/architecture.md, read from the syntax tree (not the text, so a comment or a string
cannot satisfy or fool them): app/ never imports the GUI; ui/ never runs SQL and reaches the
core only through the modules listed in UI_MAY_IMPORT."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What ui/ may import from app/: whole packages, or (for app.security and the top level)
# named objects only. Everything else there (storage, key slots, KDF, crypto) is internal.
UI_MAY_IMPORT_PACKAGES = ("app.services", "app.domain", "app.errors", "app.config",
                          "app.resources")  # shipped files (style sheet, help), no data
UI_MAY_IMPORT_NAMES = {
    "app": {"__version__"},
    # The unlocked session is what every service takes; widgets pass it on, never open it.
    "app.security.session": {"Session"},
    # The set-up wizard and the join dialog let the person choose where the device secret lives.
    "app.security.device": {"DeviceSecretStore", "KeyFileStore", "KeyringStore", "store_for"},
    # Core limit and dumpable flag, set once at start-up.
    "app.security.hygiene": {"harden_process"},
    # How the recovery key is grouped on screen, the same as on the printed sheet.
    "app.security.keyslots": {"recovery_groups", "typed_as_read"},
}
# Attributes and calls that mean "run SQL here".
SQL_ATTRIBUTES = {"conn", "execute", "executemany", "executescript"}  # not "cursor": Qt text widgets have one
SQL_MODULES = {"sqlcipher3", "sqlite3"}


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(tree: ast.AST):
    """(module, name or None) for each import; `import a.b` gives ("a.b", None)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                yield module, alias.name


def _ui_import_allowed(module: str, name: str | None) -> bool:
    if module.startswith(".") or not (module == "app" or module.startswith("app.")):
        return module.split(".")[0] not in SQL_MODULES
    if any(module == p or module.startswith(p + ".") for p in UI_MAY_IMPORT_PACKAGES):
        return True
    if name is not None and f"{module}.{name}".startswith(UI_MAY_IMPORT_PACKAGES):
        return True  # `from app import services`
    return name in UI_MAY_IMPORT_NAMES.get(module, set())


def ui_offences(path: Path) -> list[str]:
    """Every import outside UI_MAY_IMPORT and every SQL-looking attribute in one file."""
    tree = _tree(path)
    found = [f"imports {m}{'.' + n if n else ''}" for m, n in _imported(tree)
             if not _ui_import_allowed(m, n)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SQL_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in {"getattr", "setattr"} and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and node.args[1].value in SQL_ATTRIBUTES):
            found.append(f"line {node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


def test_app_package_never_imports_qt_or_ui():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if {m.split(".")[0] for m, _ in _imported(_tree(p))} & {"PySide6", "shiboken6", "ui"}]
    assert offenders == []


def test_ui_never_runs_sql_nor_reaches_into_storage_or_security():
    offenders = {str(p.relative_to(ROOT)): found for p in (ROOT / "ui").rglob("*.py")
                 if (found := ui_offences(p))}
    assert offenders == {}


def test_the_check_catches_what_it_is_for(tmp_path):
    """Each way of running SQL from a widget that the old text search let through."""
    bad = tmp_path / "bad_view.py"
    bad.write_text(
        "from app.storage.db import connect\n"
        "import app.security.kdf\n"
        "from app.security.session import Session, lock_all\n"
        "import sqlite3\n"
        "def load(session):\n"
        "    rows = session.conn.execute('SELECT name FROM person').fetchall()\n"
        "    getattr(session, 'conn')\n"
        "    return rows\n", encoding="utf-8")
    found = sorted(ui_offences(bad))
    assert found == sorted(["imports app.storage.db.connect", "imports app.security.kdf",
                     "imports app.security.session.lock_all", "imports sqlite3",
                     "line 6: .execute", "line 6: .conn", "line 7: getattr(..., 'conn')"])
    good = tmp_path / "good_view.py"
    good.write_text("from app.services import people\nfrom app.security.session import Session\n"
                    "from ui.clipboard import SecretClipboard\nfrom .base import Tab\n"
                    "def load(session: Session):\n    return people.search(session, 'x')\n",
                    encoding="utf-8")
    assert ui_offences(good) == []
