"""Fail if any module-level import circle exists in partnership/ (run by `make lint`).

A circle means a module runs before what it needs has finished loading; the cure is to move
the code to where it belongs (docs/architecture.md), never to hide an import in a function.
The graph is grimp's (import-linter's), type-only imports (``if TYPE_CHECKING:``) left out,
made to say what Python runs on import:

- importing ``a.b.c`` first runs ``a`` and then ``a.b`` (those not already running, as
  the importer's own packages are): a module that imports ``a.b.c`` also imports them, so
  a package whose ``__init__`` pulls in its views is seen as doing so for every importer;
- the app factory (the root package's ``create_app``) imports the features when an app is
  built, not on import: of the root package, only the module-level imports count.

Usage: ``python scripts/check_imports.py [package]``; exit status 1 naming each circle.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp


def _module_level_imports(path: Path, package: str) -> set[str]:
    """The modules of ``package`` that the file at ``path`` imports outside any function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == package or name.startswith(package + ".")}


def _ancestors(module: str) -> list[str]:
    """The packages that hold ``module``: ``a.b.c`` is in ``a.b`` and ``a``."""
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]


def import_graph(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of ``package`` it imports on import."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    modules = set(graph.modules)
    edges: dict[str, set[str]] = {}
    for module in modules:
        if module == package:
            spec = importlib.util.find_spec(package)
            root = Path(spec.origin if spec and spec.origin else "")
            imported = _module_level_imports(root, package) & modules
        else:
            imported = set(graph.find_modules_directly_imported_by(module)) & modules
        running = set(_ancestors(module))
        packages = {parent for name in imported for parent in _ancestors(name)}
        edges[module] = ((imported | packages) & modules) - running - {module}
    return edges


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            for nxt in todo:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
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
    return sorted(found)


def a_loop(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One way round ``component``: from its first module back to it, shortest first."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return component


def main(argv: list[str]) -> int:
    package = argv[1] if len(argv) > 1 else "partnership"
    graph = import_graph(package)
    found = circles(graph)
    for component in found:
        print(f"Import circle of {len(component)} modules: {', '.join(component)}")
        print("  one way round: " + " -> ".join(a_loop(graph, component)))
    if found:
        print(f"{len(found)} import circle(s) in {package}: move the code to where it belongs.")
        return 1
    print(f"No import circle in {package} ({len(graph)} modules).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
