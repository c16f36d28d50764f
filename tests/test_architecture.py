"""The package graph ARCHITECTURE.md asks for, read from the source (docs/DEVELOPING.md, "The map").

Every import statement counts, also one inside a function, and so does an import by name
(``importlib.import_module("registry.x")``): a hidden import is still a dependency.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

REGISTRY = pathlib.Path(__file__).resolve().parent.parent / "registry"
# Packages above the domains: they read many domains, and no package imports them.
AGGREGATORS = {"review", "workbench", "public", "api", "oversight", "admin", "gendata", "monitoring"}
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
EXEMPT = {"gendata"}  # the data generator: long, flat steps that are easier to read whole


def _package_of(path: pathlib.Path) -> str:
    relative = path.relative_to(REGISTRY)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else "(app)"


def _imported_modules(path: pathlib.Path, tree: ast.AST) -> set[str]:
    module_parts = list(path.relative_to(REGISTRY.parent).with_suffix("").parts)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module or "")
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value))
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    packages = {path.name for path in REGISTRY.iterdir() if (path / "__init__.py").exists()}
    for path in REGISTRY.rglob("*.py"):
        source = _package_of(path)
        edges = graph.setdefault(source, set())
        for module in _imported_modules(path, ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] == "registry" and len(parts) > 1 and parts[1] in packages and parts[1] != source:
                edges.add(parts[1])
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first node repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == "open":
                return [*stack[stack.index(successor):], successor]
            if successor not in state and (cycle := visit(successor)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_between_packages():
    graph = package_graph()
    assert graph["core"] is not None  # the reader found the packages
    assert find_cycle(graph) is None


def test_core_imports_no_other_package():
    assert package_graph()["core"] <= {"extensions"}


@pytest.mark.parametrize("aggregator", sorted(AGGREGATORS))
def test_no_package_imports_an_aggregator(aggregator):
    importers = {source for source, targets in package_graph().items()
                 if aggregator in targets and source not in ("(app)", aggregator)}
    assert importers == set()


def _source_files():
    return [path for path in REGISTRY.rglob("*.py") if _package_of(path) not in EXEMPT]


def test_no_file_is_longer_than_the_limit():
    long_files = {str(path.relative_to(REGISTRY)): n for path in _source_files()
                  if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert long_files == {}


def test_no_function_is_longer_than_the_limit():
    long_functions = {}
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions[f"{path.relative_to(REGISTRY)}:{node.name}"] = length
    assert long_functions == {}
