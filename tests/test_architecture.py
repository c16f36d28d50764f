"""The package graph ARCHITECTURE.md asks for, read from the source (docs/DEVELOPING.md, "The map").

Every import statement counts, also one inside a function, and so does an import by name
(``importlib.import_module("registry.x")``): a hidden import is still a dependency.  The source is
read and parsed once for the whole module (``_SOURCE``).
"""

from __future__ import annotations

import ast
import functools
import pathlib
from dataclasses import dataclass

import pytest

REGISTRY = pathlib.Path(__file__).resolve().parent.parent / "registry"
# The floors, bottom first.  The core (and the app's extensions and configuration) imports no package.
CORE = {"core", "extensions", "config"}
# Who acts and whom records concern: units and officers (accounts), subjects.  Every mechanism works
# for a unit and on a subject (an alert goes to a unit's officers, a notice is issued in its unit's
# name, an application is filed about a subject), so they stand below the mechanisms; they import
# nothing but the core.
PARTIES = {"accounts", "subjects"}
# What the domains share: they import only the core, the parties and each other, never a domain.
MECHANISMS = {"checks", "documents", "applications"}
# Packages above the domains: they read many domains, and no package imports them.
AGGREGATORS = {"review", "workbench", "public", "api", "oversight", "admin", "gendata", "monitoring"}
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
EXEMPT = {"gendata"}  # the data generator: long, flat steps that are easier to read whole

# Imports inside a function, each with the reason it cannot be at the top of its module, by file and
# imported module.  Not listed: a package's ``register(app)`` in its ``__init__.py`` importing its
# own modules (they load when the app is built, not with the package: any one of its modules would
# otherwise load them all, see core.wiring).
DEFERRED_IMPORTS = {
    ("core/upload_content.py", "pypdf"): "pypdf (a third of a second to import) loads when an uploaded PDF is "
                                         "checked, never when a web worker or a command starts",
}
# A module-level call of one of these registers something when its module loads: the module must be
# named in its package's register(app) (``declares``), so that what a package contributes reads in one place.
REGISTERING_CALLS = {"seed_step", "demo_step", "add_nav", "add_routes", "connect", "listens_for", "listen",
                     "route", "user_loader"}


@dataclass(frozen=True)
class SourceFile:
    path: pathlib.Path
    tree: ast.Module

    @property
    def name(self) -> str:
        return self.path.relative_to(REGISTRY).as_posix()

    @property
    def package(self) -> str:
        relative = self.path.relative_to(REGISTRY)
        return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else "(app)"

    @property
    def module(self) -> str:
        parts = list(self.path.relative_to(REGISTRY.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _source() -> tuple[SourceFile, ...]:
    return tuple(SourceFile(path, ast.parse(path.read_text(encoding="utf-8")))
                 for path in sorted(REGISTRY.rglob("*.py")))


def _imported(file: SourceFile, node: ast.AST) -> list[str]:
    """The modules an import node (or ``import_module("...")`` call) names, ``from x import y`` as x.y
    where y is a module of the tree and as x otherwise."""
    known = _modules()
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = file.module.split(".")
            base = base[: len(base) - node.level + (1 if file.path.name == "__init__.py" else 0)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        return [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names]
    if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)):
        return [str(node.args[0].value)]
    return []


@functools.cache
def _modules() -> frozenset[str]:
    return frozenset(file.module for file in _source())


@functools.cache
def module_graph() -> dict[str, frozenset[str]]:
    """Module → the modules of the tree it imports."""
    known = _modules()
    return {file.module: frozenset(target for node in ast.walk(file.tree) for target in _imported(file, node)
                                   if target in known and target != file.module)
            for file in _source()}


@functools.cache
def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    packages = {path.name for path in REGISTRY.iterdir() if (path / "__init__.py").exists()}
    for file in _source():
        edges = graph.setdefault(file.package, set())
        for node in ast.walk(file.tree):
            for module in _imported(file, node):
                parts = module.split(".")
                if parts[0] == "registry" and len(parts) > 1 and parts[1] in packages and parts[1] != file.package:
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


def test_no_import_cycle_between_files():
    graph = module_graph()
    assert "registry.listing.operations" in graph["registry.listing.views"]  # the reader resolves modules
    assert find_cycle(graph) is None


def test_core_imports_no_other_package():
    assert package_graph()["core"] <= {"extensions"}


@pytest.mark.parametrize("party", sorted(PARTIES))
def test_a_party_imports_only_the_core(party):
    assert package_graph()[party] <= CORE


@pytest.mark.parametrize("mechanism", sorted(MECHANISMS))
def test_a_mechanism_imports_no_domain(mechanism):
    assert package_graph()[mechanism] - CORE - PARTIES - MECHANISMS == set()


@pytest.mark.parametrize("aggregator", sorted(AGGREGATORS))
def test_no_package_imports_an_aggregator(aggregator):
    importers = {source for source, targets in package_graph().items()
                 if aggregator in targets and source not in ("(app)", aggregator)}
    assert importers == set()


def test_no_package_imports_the_app_module():
    assert {module for module, targets in module_graph().items() if "registry" in targets} == set()


def _is_entry_point(file: SourceFile, function: ast.FunctionDef, module: str) -> bool:
    return file.path.name == "__init__.py" and function.name == "register" and module.startswith(file.module + ".")


def deferred_imports() -> dict[tuple[str, str], int]:
    """The imports inside functions, but a package's entry point's own: (file, module) → line."""
    found = {}
    for file in _source():
        for function in ast.walk(file.tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for module in _imported(file, node):
                        if not _is_entry_point(file, function, module):
                            found.setdefault((file.name, module.split(".")[0] if not getattr(node, "level", 0) and
                                              not module.startswith("registry") else module), node.lineno)
    return found


def test_an_import_inside_a_function_has_a_listed_reason():
    unlisted = {key: line for key, line in deferred_imports().items() if key not in DEFERRED_IMPORTS}
    assert unlisted == {}, "move the import to the top of its module, or list it with its reason"


def test_every_listed_deferred_import_still_exists():
    assert set(DEFERRED_IMPORTS) <= set(deferred_imports())


def _call_name(node: ast.AST) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def registering_modules() -> dict[str, set[str]]:
    """Package → its modules with a module-level statement that registers something."""
    found: dict[str, set[str]] = {}
    for file in _source():
        if file.package in CORE or file.package == "(app)":
            continue
        for statement in file.tree.body:
            calls = [node for node in ast.walk(statement) if isinstance(node, ast.Call)]
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                calls = list(statement.decorator_list)
            if any(_call_name(call).startswith("register") or _call_name(call) in REGISTERING_CALLS for call in calls):
                found.setdefault(file.package, set()).add(file.module)
    return found


def test_a_module_that_registers_something_is_named_in_its_package_register(app):
    from registry.core.wiring import contributions

    declared = {name.removeprefix("registry."): {module.__name__ for module in contribution.declares}
                for name, contribution in contributions(app).items()}
    found = registering_modules()
    assert "registry.listing.checks" in found["listing"]  # the reader finds registrations
    assert {package: modules - declared.get(package, set()) for package, modules in found.items()
            if modules - declared.get(package, set())} == {}


def _source_files():
    return [file for file in _source() if file.package not in EXEMPT]


def test_no_file_is_longer_than_the_limit():
    long_files = {file.name: n for file in _source_files()
                  if (n := len(file.path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert long_files == {}


def test_no_function_is_longer_than_the_limit():
    long_functions = {}
    for file in _source_files():
        for node in ast.walk(file.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions[f"{file.name}:{node.name}"] = length
    assert long_functions == {}
