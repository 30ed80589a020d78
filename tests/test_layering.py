"""Imports run one way (DESIGN.md): ``campaign`` <- the domain packages <- ``web``, and no circle
between domain packages. Read from the source with ``ast``, so an import inside a function (a
lazy one) counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = "campaign"
DOMAIN = ("nominations", "shortlist", "voting", "profiles", "audio_spots")
WEB = "web"
PACKAGES = (CORE, *DOMAIN, WEB)


def _imported(path: Path, package: str) -> list[tuple[str, int]]:
    """(top-level package, line) of every import in the module at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside the package it is written in.
            target = package if node.level else (node.module or "").split(".")[0]
            found.append((target, node.lineno))
    return found


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> where: "path:line", for our packages only."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for target, line in _imported(path, package):
                if target in PACKAGES and target != package:
                    edges[package, target].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def _listed(edges: dict[tuple[str, str], list[str]]) -> str:
    return "\n".join(f"{a} -> {b}: {', '.join(where)}" for (a, b), where in sorted(edges.items()))


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo += graph[node]
    return False


def test_campaign_imports_no_domain_package_nor_web():
    wrong = {edge: where for edge, where in _edges().items() if edge[0] == CORE}
    assert wrong == {}, "campaign must not import these:\n" + _listed(wrong)


def test_no_domain_package_imports_web():
    wrong = {
        edge: where for edge, where in _edges().items() if edge[0] in DOMAIN and edge[1] == WEB
    }
    assert wrong == {}, "only web may import web:\n" + _listed(wrong)


def test_domain_packages_import_each_other_without_a_circle():
    between = {e: w for e, w in _edges().items() if e[0] in DOMAIN and e[1] in DOMAIN}
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in between:
        graph[a].add(b)
    # An edge a -> b is on a circle exactly when b leads back to a.
    circular = {(a, b): where for (a, b), where in between.items() if _reaches(graph, b, a)}
    assert circular == {}, "these imports close a circle:\n" + _listed(circular)


def test_the_walk_sees_the_known_one_way_edges():
    # Guards the test itself: a walk that found nothing would pass every rule above.
    edges = _edges()
    assert {("web", "voting"), ("voting", "campaign"), ("shortlist", "nominations")} <= set(edges)
