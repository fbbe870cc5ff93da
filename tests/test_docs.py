"""The README stays true: every question set, every command and the exact test command CI runs."""

from __future__ import annotations

import re

from reflect.cli import parser
from reflect.domain.questions import load_question_sets

from .cohort_data import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_question_set_is_in_the_readme():
    sets, errors = load_question_sets(ROOT / "questions")
    assert not errors
    for path in sorted((ROOT / "questions").glob("*.toml")):
        assert f"`{path.name}`" in README, f"{path.name} is not listed in the README"
    for set_id in sets:
        assert f"`{set_id}`" in README, f"set {set_id} is not listed in the README"


def test_every_cli_command_is_in_the_readme():
    commands = parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"python -m reflect {name}" in README, f"`python -m reflect {name}` is not documented"


def test_ci_runs_exactly_the_readme_test_command():
    section = README.split("## Run the tests", 1)[1]
    command = re.search(r"```sh\n(.+?)\n```", section, re.S).group(1).strip()
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci_script.splitlines(), "CI does not run the README's test command"


def test_readme_screenshot_exists():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), image
