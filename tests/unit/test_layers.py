"""The arrows of DESIGN §2, checked: every import of every module (function-level and TYPE_CHECKING
ones included, read with `ast`) is held against the layer rules, so a wrong arrow fails here
instead of surfacing as a slow first look or a Qt import in an inference service."""
from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "configadmin"

# Modules (and the version constant) every layer may import: each imports nothing of ours.
LEAVES = {"configadmin.paths", "configadmin.resources", "configadmin.atomic_file", "configadmin.__version__"}

# Third-party packages that belong to one layer only.
OWNED = {
    "PySide6": "ui", "shiboken6": "ui",
    "sqlalchemy": "db", "alembic": "db", "psycopg2": "db",
    "starlette": "http", "uvicorn": "http",
}

# Which of our layers each layer may import (besides itself and the leaves); None: any.
MAY_IMPORT: dict[str, set[str] | None] = {
    "domain": set(),
    "sources": {"domain"},
    "db": {"domain", "sources"},
    "service": {"domain", "sources", "db"},
    "http": {"domain", "service", "root"},
    "ui": {"domain", "sources", "service", "root"},
    "cli": None,
    "root": None,
    "leaf": set(),
}

# Modules of one layer that must stay apart: the repository shares SQL with the first look's fast
# path through db/shared_queries, never by importing it.
APART = {("configadmin.db.repository", "configadmin.db.plain_read")}


@dataclass(frozen=True)
class Arrow:
    source: str      # the importing module, e.g. configadmin.db.engine
    target: str      # the imported module, e.g. sqlalchemy.orm
    line: int

    def __str__(self) -> str:
        return f"{self.source} (line {self.line}) imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[Arrow]:
    return imports_in(module_name(path), path.name == "__init__.py", path.read_text(encoding="utf-8"))


def imports_in(source: str, is_package: bool, code: str) -> Iterator[Arrow]:
    """Every module the code of module `source` imports, anywhere in it; `from pkg import name`
    names `pkg.name` for our package (it may be a module), and `importlib.import_module("x")` names `x`."""
    package = source if is_package else source.rpartition(".")[0]
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Arrow(source, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                ours = base.split(".")[0] == "configadmin"
                yield Arrow(source, f"{base}.{alias.name}" if ours else base, node.lineno)
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__")))):
            yield Arrow(source, node.args[0].value, node.lineno)


def layer_of(module: str) -> str:
    """`configadmin.db.engine` → db; a leaf → leaf; the package itself and `__main__` → root."""
    parts = module.split(".")
    if ".".join(parts[:2]) in LEAVES:
        return "leaf"
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "root"


def forbidden(arrow: Arrow) -> str | None:
    """Why `arrow` breaks DESIGN §2, or None when it is allowed."""
    mine = layer_of(arrow.source)
    top = arrow.target.split(".")[0]
    if top in OWNED:
        owner = OWNED[top]
        return None if mine == owner else f"{top} belongs to {owner}/ only"
    if top != "configadmin":
        return None
    for source, target in APART:
        if arrow.source == source and (arrow.target + ".").startswith(target + "."):
            return f"{source} must not import {target}"
    theirs = layer_of(arrow.target)
    if theirs == "leaf" or theirs == mine:
        return None
    allowed = MAY_IMPORT[mine]
    if allowed is None or theirs in allowed:
        return None
    return f"{mine}/ may not import {theirs}/"


def all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_import_follows_the_arrows_of_the_design() -> None:
    broken = [f"{arrow}: {why}" for path in all_modules() for arrow in imports_of(path)
              if (why := forbidden(arrow))]
    assert broken == [], "\n".join(broken)


def test_the_walk_sees_the_imports_it_must_judge() -> None:
    """The checker itself: it finds a function-level Qt import, resolves relative imports, and
    would refuse the arrows the design forbids."""
    engine = {a.target for a in imports_of(PACKAGE / "db" / "engine.py")}
    assert any(t.startswith("sqlalchemy") for t in engine)
    app = {a.target for a in imports_of(PACKAGE / "ui" / "app.py")}
    assert any(t.startswith("PySide6") for t in app)
    for source, target in [("configadmin.domain.diff", "PySide6.QtCore"),
                           ("configadmin.service.transfer", "sqlalchemy"),
                           ("configadmin.db.engine", "configadmin.service.locate"),
                           ("configadmin.domain.diff", "configadmin.sources.pyfile"),
                           ("configadmin.sources.pyfile", "configadmin.db.tables"),
                           ("configadmin.service.transfer", "configadmin.cli.output"),
                           ("configadmin.ui.app", "configadmin.db.engine"),
                           ("configadmin.ui.app", "configadmin.cli.main"),
                           ("configadmin.cli.main", "starlette.applications"),
                           ("configadmin.paths", "configadmin.domain.errors"),
                           ("configadmin.db.repository", "configadmin.db.plain_read.PG_MAY_WRITE")]:
        assert forbidden(Arrow(source, target, 1)), f"{source} → {target} should be refused"
    for source, target in [("configadmin.db.engine", "configadmin.paths"),
                           ("configadmin.ui.app", "configadmin.service.locate"),
                           ("configadmin.cli.admin", "configadmin.ui.app"),
                           ("configadmin.db.plain_read", "psycopg2")]:
        assert forbidden(Arrow(source, target, 1)) is None, f"{source} → {target} should pass"


@pytest.mark.parametrize("code, expected", [
    ("def f():\n    from PySide6.QtCore import QTimer\n", "PySide6.QtCore"),
    ("if TYPE_CHECKING:\n    from sqlalchemy import Engine\n", "sqlalchemy"),
    ("from . import tables\n", "configadmin.db.tables"),
    ("from ..service import locate\n", "configadmin.service.locate"),
    ("import importlib\nimportlib.import_module('sqlalchemy.orm')\n", "sqlalchemy.orm"),
])
def test_hidden_imports_are_found(code: str, expected: str) -> None:
    assert expected in {a.target for a in imports_in("configadmin.db.probe", False, code)}


# -- the window's house rules: no reach into another object's privates, no import circle ----------

NAMEDTUPLE_API = {"_replace", "_asdict", "_fields", "_make"}


def private_reaches(code: str) -> list[str]:
    """`other._name` anywhere in the code: an attribute starting with one underscore, read or
    written on anything but `self`/`cls` (namedtuple's public `_replace` & co. excepted)."""
    return [f"line {node.lineno}: {ast.unparse(node)}" for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
            and node.attr not in NAMEDTUPLE_API
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))]


def test_no_module_of_the_window_reaches_into_another_objects_private_attributes() -> None:
    reaches = [f"{module_name(path)} {reach}" for path in all_modules() if layer_of(module_name(path)) == "ui"
               for reach in private_reaches(path.read_text(encoding="utf-8"))]
    assert reaches == [], "\n".join(reaches)


def test_the_reach_count_sees_what_it_must_refuse() -> None:
    code = ("class A:\n    def f(self, w):\n        self._mine = 1\n        w._update_state()\n"
            "        self.window._saves.save()\n        row._replace(x=1)\n        w.__class__\n")
    assert private_reaches(code) == ["line 4: w._update_state", "line 5: self.window._saves"]


def import_circles(modules: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for t in modules[m]:
            if t not in index:
                visit(t)
                low[m] = min(low[m], low[t])
            elif t in stack:
                low[m] = min(low[m], index[t])
        if low[m] == index[m]:
            group = []
            while True:
                t = stack.pop()
                group.append(t)
                if t == m:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for m in modules:
        if m not in index:
            visit(m)
    return circles


def import_graph(codes: dict[str, tuple[bool, str]]) -> dict[str, list[str]]:
    """Module → the modules among `codes` (name → (is a package, code)) it imports, TYPE_CHECKING
    and function-level imports included, as farm-studio counts them: an annotation-only import back
    is still an arrow back. The version constant is a leaf, not an arrow to the package."""
    graph: dict[str, list[str]] = {}
    for name, (is_package, code) in codes.items():
        targets = set()
        for arrow in imports_in(name, is_package, code):
            target = "" if arrow.target == "configadmin.__version__" else arrow.target
            while target and target not in codes:  # `from pkg.module import Name` names pkg.module
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        graph[name] = sorted(targets)
    return graph


def package_import_graph(layer: str | None = None) -> dict[str, list[str]]:
    """The import graph of one folder of ours (`ui`, `service`, …), or of the whole package."""
    return import_graph({module_name(p): (p.name == "__init__.py", p.read_text(encoding="utf-8"))
                         for p in all_modules() if layer is None or layer_of(module_name(p)) == layer})


PACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


@pytest.mark.parametrize("layer", [*PACKAGES, None], ids=[*PACKAGES, "whole package"])
def test_no_import_circle_in_any_package(layer: str | None) -> None:
    """A module below the face never imports the face back (issue 22: service/ had one circle of
    seven files, the helpers annotating `service: ConfigurationService`)."""
    assert import_circles(package_import_graph(layer)) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": []}
    assert import_circles(graph) == [["a", "b", "c"]]


def test_an_import_back_for_annotations_only_is_a_circle() -> None:
    """The shape service/ had: the face imports a helper, the helper imports the face under
    TYPE_CHECKING (or inside a function) to annotate its parameter."""
    face = "from configadmin.service.helper import run\nclass Face: ...\n"
    helper = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
              "    from configadmin.service.face import Face\ndef run(service: Face) -> None: ...\n")
    lazy = "def run() -> None:\n    from configadmin.service import face\n"
    assert import_circles(import_graph({"configadmin.service.face": (False, face),
                                        "configadmin.service.helper": (False, helper)})) == [
        ["configadmin.service.face", "configadmin.service.helper"]]
    assert import_circles(import_graph({"configadmin.service.face": (False, face),
                                        "configadmin.service.helper": (False, lazy)}))
    assert "service" in PACKAGES and "ui" in PACKAGES


MIGRATIONS = PACKAGE / "db" / "migrations" / "versions"


def live_imports(module: str, code: str) -> list[Arrow]:
    """A migration is frozen: what it runs is in its own file, so a change of live code can never
    change what an old migration does on a fresh database. Any import of ours is refused."""
    return [a for a in imports_in(module, False, code) if a.target.split(".")[0] == "configadmin"]


def test_no_migration_imports_live_code() -> None:
    found = [str(arrow) for path in sorted(MIGRATIONS.glob("*.py"))
             for arrow in live_imports(module_name(path), path.read_text(encoding="utf-8"))]
    assert len(list(MIGRATIONS.glob("0*.py"))) >= 3
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", ["from configadmin.db.write_path import STATEMENTS\n",
                                  "def upgrade():\n    import configadmin.db.tables\n",
                                  "from ... import write_path\n"])
def test_the_migration_check_refuses_any_import_of_live_code(code: str) -> None:
    assert live_imports("configadmin.db.migrations.versions.0009_probe", code)


def qt_reached_from(module: str, seen: set[str] | None = None) -> list[str]:
    """The chains of our imports by which `module` reaches PySide6 (function-level ones too)."""
    seen = seen if seen is not None else set()
    path = PACKAGE.parent / Path(*module.split("."))
    file = path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"
    if not file.exists() and "." in module:  # `from pkg.mod import name`: the module is pkg.mod
        return qt_reached_from(module.rpartition(".")[0], seen)
    if module in seen or not file.exists():
        return []
    seen.add(module)
    chains = []
    for arrow in imports_of(file):
        if arrow.target.split(".")[0] == "PySide6":
            chains.append(f"{module} → {arrow.target}")
        elif arrow.target.startswith("configadmin."):
            chains += [f"{module} → {chain}" for chain in qt_reached_from(arrow.target, seen)]
    return chains


def test_the_pending_edits_package_never_reaches_qt() -> None:
    """ui/edits/ is the window's plain state (napari's shape): the save plan, drafts, merges and the
    undo history work without a widget, so none of its modules may import Qt, however indirectly."""
    edits = sorted((PACKAGE / "ui" / "edits").glob("*.py"))
    assert {p.stem for p in edits} >= {"mapping_edits", "undo", "edit_session", "edit_commands", "pending"}
    chains = [chain for path in edits for chain in qt_reached_from(module_name(path))]
    assert chains == [], "\n".join(chains)


@pytest.mark.parametrize("module", ["configadmin.ui.edits.edit_session", "configadmin.ui.edits.pending",
                                    "configadmin.ui.edits.conflicts", "configadmin.ui.window.edit_state"])
def test_the_plain_window_state_imports_neither_qt_nor_sqlalchemy_when_it_runs(module: str) -> None:
    """What the static walk above cannot see (an import made by a library we call), checked by
    importing the module in a fresh interpreter."""
    code = (f"import sys, {module}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'sqlalchemy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_qt_reach_finder_follows_our_imports() -> None:
    assert any(chain.endswith("PySide6.QtCore") for chain in qt_reached_from("configadmin.ui.editors.mapping_model"))
    chains = qt_reached_from("configadmin.ui.editors.setting_editors.SettingEditors")  # `from pkg.mod import name`
    assert "configadmin.ui.editors.setting_editors → configadmin.ui.editors.input_size_editor → PySide6.QtCore" in chains


def test_every_package_of_ours_is_in_the_wheel() -> None:
    """A folder missing from pyproject's package list is missing from an installed (non-editable)
    configadmin, and the window fails to import (ui/edits was missing until issue 22)."""
    import tomllib
    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    ours = {module_name(path) for path in PACKAGE.rglob("__init__.py") if "__pycache__" not in path.parts}
    assert ours - listed == set()
