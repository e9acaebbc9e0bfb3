"""No import loops among the site, jobs, accounts and migrations: a module never needs, even from inside a
function, a module that needs it back (issue 13 found web <-> migrations, celery_app <-> executors and
auth <-> signup)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("restora/web", "restora/jobs", "restora/accounts", "restora/migrations")
MODULES = ("restora/db.py", "restora/config.py")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every module of ``known`` that ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from restora.web import auth` names the module restora.web.auth; `from x import f` names x.
            modules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            found.update(modules or ({node.module} & known))
    return found


def import_graph() -> dict[str, set[str]]:
    files = [p for package in PACKAGES for p in (ROOT / package).glob("*.py")] + [ROOT / m for m in MODULES]
    known = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, known) - {module_name(p)} for p in files}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target] if target in path else [node, target]
            if target not in state:
                cycle = visit(target, path + [target])
                if cycle:
                    return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_the_graph_sees_every_import_and_the_search_finds_loops():
    graph = import_graph()
    assert "restora.accounts.models" in graph["restora.migrations.env"]  # at the top of the module
    assert "restora.web.executor" in graph["restora.web"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_loops_between_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def layer_of(module: str) -> str:
    return ".".join(module.split(".")[:2])  # restora.web.auth -> restora.web


def test_no_loops_between_layers():
    """web -> jobs, accounts, migrations -> db -> config, never back (migrations' env.py included)."""
    layers: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        layers.setdefault(layer_of(module), set()).update(layer_of(t) for t in targets if layer_of(t) != layer_of(module))
    cycle = find_cycle(layers)
    assert cycle is None, " -> ".join(cycle)
