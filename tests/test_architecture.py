"""The layout holds: no import cycles between the project's modules, the tenancy core never imports the
apps, and modules and functions stay small enough to read.

Read from the source with ``ast`` (every import counts, those inside functions too), so the rules hold
whatever is imported at run time.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("ght_portal", "actions", "filieres", "governance", "reports")
CORE = "ght_portal"
# The core's modules that mount or load the apps: the URL configurations and the management commands.
CORE_MAY_IMPORT_APPS = ("ght_portal.urls", "ght_portal.api.urls", "ght_portal.management.commands.")
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80
# Today's exceptions, to be emptied by the work that rewrites them — never extended.
OVERSIZED_MODULES = {"actions/spreadsheet/importer.py"}
OVERSIZED_FUNCTIONS = {
    "actions/spreadsheet/importer.py:PlanImporter.import_action",
    "governance/checkpoints/services.py:submit_update",
}


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str, path: pathlib.Path) -> set[str]:
    """The project modules ``name`` imports, each resolved to the longest module that exists."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _own_submodule(importer: str, imported: str) -> bool:
    """A package importing its own submodules (Django's ``models/__init__``) is not a design cycle."""
    return imported.startswith(importer + ".")


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), package → own submodule left out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if _own_submodule(module, target):
                continue
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return components


def test_the_graph_sees_lazy_imports():
    """The reader finds an import inside a function (reports.tasks loads WeasyPrint's module lazily)."""
    assert "reports.documents.build" in GRAPH["reports.tasks"]


def test_no_import_cycle_between_modules():
    assert _cycles() == []


def test_the_tenancy_core_does_not_import_the_apps():
    apps = tuple(f"{package}." for package in PACKAGES if package != CORE) + tuple(p for p in PACKAGES if p != CORE)
    upward = sorted(
        f"{module} → {target}"
        for module, targets in GRAPH.items()
        if module.startswith(CORE) and not module.startswith(CORE_MAY_IMPORT_APPS)
        for target in targets
        if target in apps or target.startswith(apps)
    )
    assert upward == []


def test_modules_stay_under_800_lines():
    oversized = {
        str(path.relative_to(ROOT))
        for path in MODULES.values()
        if len(path.read_text().splitlines()) > MAX_MODULE_LINES
    }
    assert oversized <= OVERSIZED_MODULES, f"new oversized modules: {sorted(oversized - OVERSIZED_MODULES)}"
    assert oversized == OVERSIZED_MODULES, f"now small enough, drop from the list: {OVERSIZED_MODULES - oversized}"


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{node.name}", node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{prefix}{node.name}.")


def test_functions_stay_under_80_lines():
    long = set()
    for path in MODULES.values():
        relative = str(path.relative_to(ROOT))
        for name, length in _functions(ast.parse(path.read_text())):
            if length > MAX_FUNCTION_LINES:
                long.add(f"{relative}:{name}")
    assert long <= OVERSIZED_FUNCTIONS, (
        f"new functions over {MAX_FUNCTION_LINES} lines: {sorted(long - OVERSIZED_FUNCTIONS)}"
    )
    assert long == OVERSIZED_FUNCTIONS, f"now short enough, drop from the list: {OVERSIZED_FUNCTIONS - long}"
