"""What the screens say: no policy codes such as "(R4)" (say what the rule means), and no
"minute(s)" (app/domain/counting.py says it in plain English). Scans every string the UI
and the services' messages can show: literals outside docstrings."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY_CODE = re.compile(r"\bR1?[0-9]\b")
HEDGED_PLURAL = re.compile(r"\w\(s\)")


def _shown_strings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
        # A role declaration's note (@grants(Scope.X, "R4: ...")) is for maintainers, never shown.
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "grants":
            docstrings.update(id(arg) for arg in node.args)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def _files():
    yield from (ROOT / "ui").rglob("*.py")
    yield from (p for p in (ROOT / "app").rglob("*.py") if p.name != "role_matrix.py")


def test_no_policy_codes_or_hedged_plurals_on_screen():
    found = []
    for path in _files():
        for line, text in _shown_strings(path):
            if POLICY_CODE.search(text) or HEDGED_PLURAL.search(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert found == []
