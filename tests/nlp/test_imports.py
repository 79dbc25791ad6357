"""yuqing.nlp has no import circles, lazy (function-level) imports and subpackages
(yuqing.nlp.event) included (issue 11: build ↔ custom ↔ tagger imported each other)."""

from __future__ import annotations

import ast
from pathlib import Path

import yuqing.nlp

PACKAGE = Path(yuqing.nlp.__file__).parent


def _modules() -> dict[str, Path]:
    """Every module of yuqing.nlp by its dotted name, subpackages (yuqing.nlp.event) included."""
    out: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            deps.update(t for t in targets if t in modules)
        deps.discard(name)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_graph_sees_lazy_imports() -> None:
    graph = _graph()
    assert "yuqing.nlp.build" in graph["yuqing.nlp.loader"]
    assert "yuqing.nlp.features" in graph["yuqing.nlp.custom"]  # imported inside a function too
    # the readings of the shutdown context (a subpackage), by module and by name
    assert "yuqing.nlp.event.modality" in graph["yuqing.nlp.context"]
    assert "yuqing.nlp.event.doer" in graph["yuqing.nlp.event.modality"]


def test_nlp_has_no_import_circle() -> None:
    assert _cycle(_graph()) == []


def test_a_circle_would_be_found() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
