"""The import graph of app/ and ui/, read from the syntax tree with every import counted,
the ones inside function bodies and under TYPE_CHECKING included (docs/architecture.md,
"Layers"): no cycles, no layer reaching upwards, no private name borrowed from another module.
Each check is shown catching a planted offender, so a green run means something."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "ui")

# (importer prefix, imported prefix): a lower layer never reaches up into a higher one.
BANNED = (
    ("app.pdf", "app.services"),       # documents are drawn from data handed to them
    ("app.security", "app.storage"),   # storage is keyed by security, not the other way
    ("app.domain", "app.services"),    # rules and types are pure
    ("app.domain", "app.storage"),
    ("app.storage", "app.services"),
    ("app", "ui"),                     # the core never imports the GUI
)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for pkg in PACKAGES for p in (root / pkg).rglob("*.py")}


def _absolute(module: str, level: int, importer: str, is_package: bool) -> str:
    if not level:
        return module
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


@cache
def _nodes(path: Path) -> tuple:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return tuple(n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))


def imports_of(name: str, path: Path, modules: dict[str, Path]):
    """(imported module, imported name or None, line) for every import in the file."""
    for node in _nodes(path):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node.module or "", node.level, name, path.name == "__init__.py")
            for alias in node.names:
                yield target, alias.name, node.lineno


def edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (`from a import b` counts b when b is a module)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, item, _line in imports_of(name, path, modules):
            sub = f"{target}.{item}" if item else None
            if sub in modules:
                graph[name].add(sub)
            elif target in modules:
                graph[name].add(target)
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_offences(modules: dict[str, Path]) -> list[str]:
    found = []
    for name, path in sorted(modules.items()):
        for target, item, line in imports_of(name, path, modules):
            full = f"{target}.{item}" if item else target
            for low, high in BANNED:
                if _under(name, low) and (_under(target, high) or _under(full, high)):
                    found.append(f"{name}:{line} imports {full}")
    return found


def private_offences(modules: dict[str, Path]) -> list[str]:
    """`from app.x import _helper` where app.x is another module of ours."""
    found = []
    for name, path in sorted(modules.items()):
        for target, item, line in imports_of(name, path, modules):
            if (item and item.startswith("_") and not item.startswith("__") and target != name
                    and target.split(".")[0] in PACKAGES):
                found.append(f"{name}:{line} imports {target}.{item}")
    return found


def test_no_import_cycles_even_inside_functions():
    assert cycles(edges(project_modules(ROOT))) == []


def test_no_layer_reaches_upwards():
    assert layer_offences(project_modules(ROOT)) == []


def test_no_private_name_is_borrowed_from_another_module():
    assert private_offences(project_modules(ROOT)) == []


def _plant(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for pkg in PACKAGES:
        (tmp_path / pkg).mkdir(exist_ok=True)
    return project_modules(tmp_path)


def test_the_checks_catch_a_planted_cycle_layer_breach_and_private_import(tmp_path):
    """A cycle hidden in a function body, one through a relative import, an upward import
    under TYPE_CHECKING and a borrowed private helper: each is found."""
    modules = _plant(tmp_path, {
        "app/__init__.py": "",
        "app/services/__init__.py": "",
        "app/services/scratch_a.py": "from app.services import scratch_b\n",
        "app/services/scratch_b.py": "def later():\n    from app.services.scratch_a import thing\n",
        "app/services/rel_a.py": "from . import rel_b\n",
        "app/services/rel_b.py": "from .rel_a import x\n",
        "app/services/clean.py": "from app.services import scratch_a\n",
        "app/pdf/__init__.py": "",
        "app/pdf/page.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                           "    from app.services.clean import Thing\n",
        "app/domain/__init__.py": "",
        "app/domain/rule.py": "from app.services.scratch_a import _helper\n",
    })
    assert sorted(cycles(edges(modules))) == [["app.services.rel_a", "app.services.rel_b"],
                                      ["app.services.scratch_a", "app.services.scratch_b"]]
    assert layer_offences(modules) == ["app.domain.rule:1 imports app.services.scratch_a._helper",
                                       "app.pdf.page:3 imports app.services.clean.Thing"]
    assert private_offences(modules) == ["app.domain.rule:1 imports app.services.scratch_a._helper"]


def test_a_clean_graph_passes(tmp_path):
    modules = _plant(tmp_path, {
        "app/__init__.py": "",
        "app/domain/__init__.py": "",
        "app/domain/rule.py": "RULE = 1\n",
        "app/services/__init__.py": "",
        "app/services/use.py": "from app.domain import rule\nfrom app.domain.rule import RULE\n",
    })
    assert cycles(edges(modules)) == []
    assert layer_offences(modules) == [] and private_offences(modules) == []
