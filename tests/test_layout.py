"""The rules of the house that a reader relies on, kept as tests: pages are thin screens (no SQL, no database
module, no developer tools), the library keeps its layers and its types, and the README's Layout matches the tree."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .cohort_data import ROOT

SCREENS = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|PRAGMA)\b",
                 re.IGNORECASE | re.DOTALL)
DATABASE_MODULES = {"sqlite3", "sqlite_utils"}


def sql_and_database_use(path: Path) -> list[str]:
    """Every import of a database module, call of ``.execute``, and string holding SQL in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: imports {alias.name}" for alias in node.names
                      if alias.name.split(".")[0] in DATABASE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DATABASE_MODULES:
            found.append(f"line {node.lineno}: imports from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {
                "execute", "executemany", "executescript"}:
            found.append(f"line {node.lineno}: calls .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL in a string")
    return sorted(found, key=lambda line: int(line.split(":")[0].split()[1]))


@pytest.mark.parametrize("path", SCREENS, ids=lambda path: path.name)
def test_a_page_holds_no_sql_and_imports_no_database_module(path):
    assert sql_and_database_use(path) == [], f"{path.name}: ask a library function instead"


def test_the_check_finds_sql_and_database_use(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import sqlite3\nfrom sqlite_utils import Database\ndb.execute("select name from users")\n'
                    'rows = "DELETE FROM drafts"\n')
    assert sql_and_database_use(page) == ["line 1: imports sqlite3", "line 2: imports from sqlite_utils",
                                          "line 3: calls .execute()", "line 3: SQL in a string",
                                          "line 4: SQL in a string"]


def layout_entries(layout: str) -> tuple[list[str], str]:
    """The paths a README Layout block lists (an entry indented by 4 lies inside the folder above it), and its text."""
    paths, folders = [], []  # folders: (indent, path) of the folders enclosing the next entry
    for line in layout.splitlines():
        match = re.match(r"^( {0,12})([\w./]+)(\s|$)", line)  # a description's next lines are indented further
        if not match:
            continue
        indent, entry = len(match.group(1)), match.group(2)
        folders = [(level, folder) for level, folder in folders if level < indent]
        path = "".join(folder for _, folder in folders) + entry
        paths.append(path.rstrip("/"))
        if entry.endswith("/"):
            folders.append((indent, entry))
    return paths, layout


def library_tree() -> list[str]:
    """Every package and module of the library, as paths from the repository root (``__init__.py`` aside)."""
    library = ROOT / "src" / "reflect"
    return sorted(str(path.relative_to(ROOT)) for path in library.rglob("*")
                  if path.name != "__pycache__" and "__pycache__" not in path.parts and path.name != "__init__.py"
                  and (path.is_dir() or path.suffix == ".py") and path.name != "__main__.py")


def missing_from(layout: str) -> list[str]:
    """Library packages and modules the layout does not name, and entries it lists that do not exist."""
    paths, text = layout_entries(layout)
    unnamed = [path for path in library_tree()
               if path not in paths and not re.search(rf"\b{re.escape(Path(path).name)}\b", text)]
    return unnamed + [f"{path} (no such file)" for path in paths if not (ROOT / path).exists()]


def test_the_readme_layout_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    assert missing_from(layout) == []


def test_the_layout_check_finds_what_is_missing_or_gone():
    layout = "app.py    router\nsrc/reflect/\n    web/    glue: context.py\n    gone.py   old\n"
    missing = missing_from(layout)
    assert "src/reflect/gone.py (no such file)" in missing
    assert "src/reflect/domain" in missing and "src/reflect/storage/tally.py" in missing
    assert "src/reflect/web/context.py" not in missing and "src/reflect/web" not in missing


PAGE_MAY_IMPORT = ("reflect.web", "reflect.domain", "reflect.reporting", "reflect.storage.db", "reflect.settings")


def reflect_imports_outside(path: Path, allowed: tuple[str, ...]) -> list[str]:
    """The imports of reflect modules in one file that are not under one of `allowed`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found += [f"line {node.lineno}: {name}" for name in names
                  if name.split(".")[0] == "reflect" and not name.startswith(allowed)]
    return found


@pytest.mark.parametrize("path", SCREENS, ids=lambda path: path.name)
def test_a_page_imports_the_web_glue_and_the_library_never_developer_tools(path):
    """The top of the layers: pages and the router (which import-linter does not see, being scripts)."""
    assert reflect_imports_outside(path, PAGE_MAY_IMPORT) == [], f"{path.name}: a page may import {PAGE_MAY_IMPORT}"


def test_the_page_import_check_finds_a_developer_tool(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("from reflect.web import guard\nfrom reflect.devtools import demo\nimport reflect.storage.tally\n")
    assert reflect_imports_outside(page, PAGE_MAY_IMPORT) == ["line 2: reflect.devtools",
                                                             "line 3: reflect.storage.tally"]


def _tool(name: str, *args: str) -> subprocess.CompletedProcess:
    """Run a command-line tool of this environment from the repository root, as the README's test command does."""
    return subprocess.run([str(Path(sys.executable).parent / name), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_each_layer_imports_only_the_layers_below_it():
    """import-linter's contracts (pyproject.toml): pages → web glue → reporting → domain → storage, Streamlit in the
    glue only, developer tools never imported by the app."""
    checked = _tool("lint-imports", "--no-cache")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_type_checker_finds_nothing():
    checked = _tool("mypy", "--cache-dir", "/dev/null")
    assert checked.returncode == 0, checked.stdout + checked.stderr
