"""The package's shape: stages as folders, imports only down the flow, no cycles, small modules.

The flow is read → validate → store → analyse → publish. Each module belongs to a stage; a module
may import from its own stage and from the stages below it, never from a stage above it. Every
import counts: at the top of a module, inside a function (lazy) and under ``TYPE_CHECKING``.
docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "src" / "brugdata"

#: stage → rank; a module may import from modules whose stage has a rank at most its own.
RANKS: dict[str, int] = {
    # the bottom: shared by every stage, taking nothing from them
    "brugdata._version": 0,
    "brugdata.errors": 0,
    "brugdata.config": 0,
    "brugdata.display": 0,
    "brugdata.model": 1,
    "brugdata.sql": 2,  # a source and SQL over the model's tables
    "brugdata.ingest": 3,
    "brugdata.store": 4,
    "brugdata.analysis": 5,
    "brugdata.publish": 6,
    "brugdata.sample": 6,
    "brugdata.cli": 7,
    # the public API and `python -m brugdata` sit above everything
    "brugdata.__main__": 8,
    "brugdata": 8,
}

MAX_LINES = 600
MAX_TOP_LEVEL_MODULES = 10


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _rank(module: str) -> int:
    """The rank of the stage ``module`` belongs to (its longest prefix in RANKS)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in RANKS:
            return RANKS[prefix]
    raise AssertionError(f"{module} belongs to no stage: add it to RANKS and architecture.md")


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (they never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def _imports(module: str, path: Path, *, typing: bool = True) -> set[str]:
    """Every brugdata module ``module`` imports, wherever the import stands (without
    ``typing``, leaving out the imports under ``TYPE_CHECKING``, which never run). Importing
    a submodule runs its parent packages' ``__init__`` too, which is not an import of them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if typing else _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "brugdata")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "brugdata":
                continue
            # `from brugdata.x import y` may name a submodule y
            submodules = {f"{target}.{a.name}" for a in node.names} & set(_MODULES)
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(target)
    found.discard(module)
    return found


_MODULES = _modules()
_GRAPH = {m: _imports(m, p) for m, p in _MODULES.items()}
_RUNTIME = {m: _imports(m, p, typing=False) for m, p in _MODULES.items()}


def test_every_module_belongs_to_a_stage() -> None:
    outside = [
        m
        for m in _MODULES
        if not any(m == s or m.startswith(f"{s}.") for s in RANKS if s != "brugdata")
        and m != "brugdata"
    ]
    assert not outside, f"modules in no stage (add them to RANKS and architecture.md): {outside}"


@pytest.mark.parametrize("module", sorted(_MODULES))
def test_imports_run_down_the_flow(module: str) -> None:
    upward = sorted(t for t in _GRAPH[module] if _rank(t) > _rank(module))
    assert not upward, f"{module} imports from a later stage: {upward}"


def test_no_import_cycles() -> None:
    """No module reaches itself through the imports that run (lazy ones included)."""
    graph = {m: {t for t in ts if t in _RUNTIME} for m, ts in _RUNTIME.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t) :] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize("module", sorted(_MODULES))
def test_no_module_over_600_lines(module: str) -> None:
    lines = len(_MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"


def test_at_most_ten_top_level_modules() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_each_stage_says_what_it_takes_and_gives() -> None:
    for stage in ("model", "ingest", "store", "analysis", "publish", "cli", "sample"):
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"brugdata.{stage} needs a docstring"


def test_architecture_page_names_every_stage() -> None:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for stage in ("model/", "ingest/", "store/", "analysis/", "publish/", "cli/", "sample/"):
        assert stage in page, stage
