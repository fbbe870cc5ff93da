"""The rules of the house that a reader relies on, kept as tests: pages are thin screens (no SQL, no database
module), and the README's Layout names every module of the library."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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


def test_the_readme_layout_names_every_library_module_and_top_level_folder():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    modules = {path.stem for path in (ROOT / "src" / "reflect").glob("*.py")}
    missing = sorted(module for module in modules if not re.search(rf"\b{re.escape(module)}\b", layout))
    assert missing == [], f"the README's Layout does not name: {missing}"
    named = re.findall(r"^(\S+?)/?\s", layout, re.MULTILINE)
    assert [entry for entry in named if not (ROOT / entry).exists()] == []
