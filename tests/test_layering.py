"""The house's one-way layering, read off the source (every import, lazy ones included).

* Between packages: theory <- numerics <- proofs_check (a lower layer never imports
  an upper one).
* Inside them: the module import graph has no cycle, counting imports inside
  functions too (a lazy import that closes a circle is still a circle).
* Package ``__init__`` files import nothing but the lazy-export helper, so ``import
  theory`` stays cheap; a name imported from a package counts as an import of the
  submodule its export table names.
* Small folders: no package holds more than a dozen modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "proofs_check")
LAYER = {name: rank for rank, name in enumerate(PACKAGES)}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _exports(package: str) -> dict[str, str]:
    """The lazy export table of a package: public name -> defining module."""
    tree = ast.parse(MODULES[package].read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_EXPORTS"
                                                for t in node.targets):
            table = ast.literal_eval(node.value)
            return {k: f"{package}.{v.split(':')[0]}" for k, v in table.items()}
    return {}


def _is_package(name: str) -> bool:
    return name in MODULES and MODULES[name].name == "__init__.py"


def _targets(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """Project modules an import statement loads (resolving relative imports and exports)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] in PACKAGES]
    base = module if _is_package(module) else module.rpartition(".")[0]
    if node.level:
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    if source.split(".")[0] not in PACKAGES:
        return []
    out = []
    for alias in node.names:
        if f"{source}.{alias.name}" in MODULES:
            out.append(f"{source}.{alias.name}")
        elif _is_package(source):
            out.append(_exports(source).get(alias.name, source))
        else:
            out.append(source)
    return out


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges.update(t for t in _targets(name, node) if t in MODULES and t != name)
        graph[name] = edges
    return graph


GRAPH = _graph()


def test_lower_layers_never_import_upper_ones():
    bad = [(a, b) for a, edges in GRAPH.items() for b in edges
           if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]]]
    assert bad == []


def test_the_module_graph_has_no_cycle():
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)
    assert cycles == []


# The command line's package is its entry point (main, the parser), not a public surface.
ENTRY_POINTS = {"proofs_check.cli"}


@pytest.mark.parametrize("package", sorted(n for n in MODULES
                                           if _is_package(n) and n not in ENTRY_POINTS))
def test_package_inits_import_only_the_lazy_helper(package):
    tree = ast.parse(MODULES[package].read_text())
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert set(imports) <= {"from theory._lazy import lazy_exports",
                            "from ._lazy import lazy_exports", "from __future__ import annotations"}


@pytest.mark.parametrize("package", sorted(n for n in MODULES if _is_package(n)))
def test_every_export_exists(package):
    import importlib
    mod = importlib.import_module(package)
    for name in getattr(mod, "__all__", []):
        assert getattr(mod, name) is not None


@pytest.mark.parametrize("package", sorted(n for n in MODULES if _is_package(n)))
def test_no_export_is_named_like_a_submodule(package):
    """Importing submodule ``pkg.x`` sets attribute ``x`` on the package, which would
    shadow an exported function of the same name."""
    assert {name for name in _exports(package) if f"{package}.{name}" in MODULES} == set()


def test_no_folder_holds_more_than_a_dozen_modules():
    counts = {}
    for path in MODULES.values():
        if path.name != "__init__.py":
            folder = str(path.parent.relative_to(ROOT))
            counts[folder] = counts.get(folder, 0) + 1
    assert {k: v for k, v in counts.items() if v > 12} == {}


def test_the_checker_sees_a_planted_cycle_and_a_planted_upward_import(monkeypatch):
    """The two graph tests can fail: a circle and an upward edge are found when planted."""
    planted = {k: set(v) for k, v in GRAPH.items()}
    planted["theory.config"].add("numerics.stats")
    planted["numerics.stats"].add("theory.config")
    monkeypatch.setitem(globals(), "GRAPH", planted)
    with pytest.raises(AssertionError):
        test_lower_layers_never_import_upper_ones()
    with pytest.raises(AssertionError):
        test_the_module_graph_has_no_cycle()
