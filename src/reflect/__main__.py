"""Reflect's command line: ``python -m reflect <command>``. Run with ``--help`` for the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reflect.db import DatabaseUnavailable, db_path, open_db
from reflect.questions import load_question_sets


def _init(args: argparse.Namespace) -> int:
    """Create the database file with its schema, or bring an existing one up to date."""
    path = Path(args.db) if args.db else db_path()
    open_db(path).close()
    print(f"Database ready: {path}")
    return 0


def _check_questions(args: argparse.Namespace) -> int:
    """Validate every question file; print each set that loads and each problem, file and field named."""
    sets, errors = load_question_sets(args.folder)
    for qset in sets.values():
        print(f"ok    {qset.id} v{qset.version}: {len(qset.items)} items ({qset.title})")
    for error in errors:
        print(f"error {error.file}: {error.field}: {error.why}", file=sys.stderr)
    if not sets and not errors:
        print(f"error {args.folder}: no *.toml question files found", file=sys.stderr)
        return 1
    return 1 if errors else 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m reflect", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True, metavar="command")

    init = commands.add_parser("init", help=_init.__doc__, description=_init.__doc__)
    init.add_argument("--db", help="database file (default: $REFLECT_DB or data/reflect.db)")
    init.set_defaults(run=_init)

    check = commands.add_parser("check-questions", help=_check_questions.__doc__, description=_check_questions.__doc__)
    check.add_argument("folder", nargs="?", default="questions", help="folder of question files (default: questions)")
    check.set_defaults(run=_check_questions)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except DatabaseUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
