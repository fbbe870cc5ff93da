"""Reflect's command line: ``python -m reflect <command>``. Run with ``--help`` for the commands."""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reflect.domain.questions import load_question_sets
from reflect.settings import db_path, questions_dir
from reflect.storage.db import DatabaseUnavailable, backup, open_db


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


def _demo(args: argparse.Namespace) -> int:
    """Create a demo cohort of N leaders with ratings at three checkpoints, drafts and shared reflections."""
    from reflect.devtools.demo import make_demo

    sets, errors = load_question_sets(args.questions)
    if errors or not any(qset.is_rating for qset in sets.values()):
        print("error: the demo needs the question sets to load, with a rated checklist", file=sys.stderr)
        return 1
    path = Path(args.db) if args.db else db_path()
    started = time.perf_counter()
    with contextlib.closing(open_db(path)) as db:
        made = make_demo(db, sets, leaders=args.leaders, seed=args.seed)
    print(
        f"Made “{made.cohort.name}” in {path}: {made.leaders:,} leaders, {made.submissions:,} submissions, "
        f"in {time.perf_counter() - started:.1f} s.\n"
        f"Sign in as {made.facilitator_email} with the password “{made.password}” to see it; "
        f"the demo leaders share that password."
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    """Write a cohort's answers as CSV to a file or standard output: long (for analysis: one row per answer), wide (for
    Excel: one row per leader), codebook (what each column of wide means) or feedback (on shared reflections)."""
    from reflect.domain import access, checkpoints
    from reflect.reporting import export

    sets, _ = load_question_sets(args.questions)
    path = Path(args.db) if args.db else db_path()
    if not path.exists():
        print(f"error: there is no database at {path}", file=sys.stderr)
        return 2
    with contextlib.closing(open_db(path)) as db:
        matches = db.execute("SELECT id FROM cohorts WHERE name = ?", [args.cohort]).fetchall()
        if len(matches) != 1:
            names = [row[0] for row in db.execute("SELECT name FROM cohorts ORDER BY name")]
            problem = "no cohort is" if not matches else f"{len(matches)} cohorts are"
            print(f"error: {problem} named {args.cohort!r}. Cohorts: {', '.join(map(repr, names)) or 'none'}",
                  file=sys.stderr)
            return 1
        cohort_id = matches[0][0]
        checkpoint_id = None
        if args.checkpoint:
            found = [point for point in checkpoints.of_cohort(db, cohort_id) if point.name == args.checkpoint]
            if not found:
                print(f"error: the cohort has no checkpoint named {args.checkpoint!r}", file=sys.stderr)
                return 1
            checkpoint_id = found[0].id
        qset = sets.get(args.set) if args.set else next((q for q in sets.values() if q.is_rating), None)
        description = f"{args.format} CSV from the command line ({args.checkpoint or 'all checkpoints'})"
        make: export.CohortFile
        if args.format == "long":
            make = functools.partial(export.cohort_long_csv, checkpoint_id=checkpoint_id, bom=args.bom,
                                     scales={q.id: q.scale for q in sets.values()} if args.labels else None)
        elif args.format == "feedback":
            make = functools.partial(export.feedback_csv, checkpoint_id=checkpoint_id, bom=args.bom)
        elif qset is None:
            print(f"error: no question set {args.set!r}; sets: {', '.join(sets)}", file=sys.stderr)
            return 1
        elif args.format == "wide":
            make = functools.partial(export.cohort_wide_csv, qset=qset, checkpoint_id=checkpoint_id, bom=args.bom,
                                     labels=args.labels)
        else:
            make = functools.partial(export.codebook_csv, qset=qset, bom=args.bom)
        # Whoever installs Reflect runs the command line, with full access; it still goes through the access check.
        system = access.SYSTEM
        data = export.logged(db, system, cohort_id, description, make)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"Wrote {len(data):,} bytes to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _add_facilitator(args: argparse.Namespace) -> int:
    """Invite a facilitator (with --admin, an administrator): prints the one-time code they set a password with."""
    from reflect.domain import access, facilitators
    from reflect.domain.accounts import AccountError

    path = Path(args.db) if args.db else db_path()
    with contextlib.closing(open_db(path)) as db:
        try:
            code = facilitators.invite(db, access.SYSTEM, name=args.name, email=args.email, admin=args.admin)
        except AccountError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    role = "administrator" if args.admin else "facilitator"
    print(f"Invited {args.email.strip().lower()} as a{'n' if args.admin else ''} {role}. One-time invitation code "
          f"(valid 14 days; shown only now):\n{code}\nThey open Reflect, choose “Use an invitation” and enter "
          "their email and this code to set their password.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    """Copy the database to a new file while the app keeps running (SQLite's online backup)."""
    path = Path(args.db) if args.db else db_path()
    started = time.perf_counter()
    pages = backup(path, args.to)
    print(f"Backed up {path} to {args.to} ({pages:,} pages) in {time.perf_counter() - started:.1f} s.")
    return 0


def _load(args: argparse.Namespace) -> int:
    """Many leaders saving drafts and submitting at once (threads in several processes): counts errors, lost and
    duplicated submissions, and prints submit latency."""
    from reflect.devtools.load import run_load

    path = Path(args.db)
    if path.exists():
        print(f"error: {path} exists; the load run makes its own demo data, so give it a new file", file=sys.stderr)
        return 2
    result = run_load(path, writers=args.writers, processes=args.processes, rounds=args.rounds,
                      questions=args.questions)
    print(result.summary())
    for error in result.errors[:20]:
        print(f"  {error}", file=sys.stderr)
    return 0 if not result.errors and not result.lost and not result.duplicated else 1


def _share(text: str) -> float:
    """A share of a whole, from 0 to 1, as argparse reads one."""
    share = float(text)
    if not 0 <= share <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share from 0 to 1")
    return share


def _load_server(args: argparse.Namespace) -> int:
    """Leaders signing in through the form and rating skills (or writing) on the real server, over its websocket:
    prints each action's p50/p95/p99, errors, lost saves, and the server's CPU and memory, for each number of
    leaders."""
    from reflect.devtools.crowd import as_json, run_crowd, table

    low, high = (float(part) for part in args.pace.split("-"))
    results = run_crowd([int(count) for count in args.leaders.split(",")], seconds=args.seconds, ramp=args.ramp,
                        pace=(low, high), server=args.server, db_path=Path(args.db) if args.db else None,
                        pids=[int(pid) for pid in args.pid], streamlit_options=args.streamlit,
                        questions=Path(args.questions), keep=Path(args.keep) if args.keep else None,
                        processes=args.processes, writers=args.writers)
    print(table(results))
    if args.json:
        Path(args.json).write_text(as_json(results), encoding="utf-8")
        print(f"JSON written to {args.json}")
    return 0 if not any(level.errors or level.lost for level in results) else 1


def _bench(args: argparse.Namespace) -> int:
    """Measure what people wait for at cohort scale, beside the floor each could reach; print a table (and JSON)."""
    from reflect.devtools.bench import as_json, run_bench, table

    sizes = [int(size) for size in args.sizes.split(",")]
    results = run_bench(sizes, runs=args.runs, questions=Path(args.questions), browser=not args.no_browser)
    print(table(results))
    if args.json:
        Path(args.json).write_text(as_json(results), encoding="utf-8")
        print(f"JSON written to {args.json}")
    return 0


def _db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--db", help="database file (default: $REFLECT_DB or data/reflect.db)")


def _questions_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--questions", default=questions_dir(),
                         help="folder of question files (default: $REFLECT_QUESTIONS or questions)")


def _summary(command: Callable[[argparse.Namespace], int]) -> str:
    """A command's help line: its docstring up to the first colon."""
    return (command.__doc__ or "").split(":")[0]


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m reflect", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True, metavar="command")

    init = commands.add_parser("init", help=_init.__doc__, description=_init.__doc__)
    _db_option(init)
    init.set_defaults(run=_init)

    demo = commands.add_parser("demo", help=_demo.__doc__, description=_demo.__doc__)
    _db_option(demo)
    demo.add_argument("--leaders", type=int, default=30, help="how many leaders (default: 30)")
    demo.add_argument("--seed", type=int, default=1, help="random seed, for the same data again (default: 1)")
    _questions_option(demo)
    demo.set_defaults(run=_demo)

    out = commands.add_parser("export", help=_export.__doc__, description=_export.__doc__)
    _db_option(out)
    out.add_argument("--cohort", required=True, help="the cohort's name, exactly")
    out.add_argument("--format", choices=["long", "wide", "codebook", "feedback"], default="long")
    out.add_argument("--checkpoint", help="only this checkpoint (by name)")
    out.add_argument("--set", help="question set id for wide and codebook (default: the checklist)")
    out.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM, for Excel")
    out.add_argument("--labels", action="store_true", help="write ratings as their labels, not numbers (long, wide)")
    out.add_argument("--out", help="file to write (default: standard output)")
    _questions_option(out)
    out.set_defaults(run=_export)

    invite = commands.add_parser("add-facilitator", help=_summary(_add_facilitator),
                                 description=_add_facilitator.__doc__)
    invite.add_argument("--name", required=True, help="their name")
    invite.add_argument("--email", required=True, help="their email address")
    invite.add_argument("--admin", action="store_true",
                        help="make them an administrator: invites facilitators, sees and hands over every cohort")
    _db_option(invite)
    invite.set_defaults(run=_add_facilitator)

    copy = commands.add_parser("backup", help=_backup.__doc__, description=_backup.__doc__)
    _db_option(copy)
    copy.add_argument("--to", required=True, help="new file for the backup (never overwritten)")
    copy.set_defaults(run=_backup)

    load = commands.add_parser("load", help=_summary(_load), description=_load.__doc__)
    load.add_argument("--db", required=True, help="a new database file to run against")
    load.add_argument("--writers", type=int, default=24, help="leaders writing at once (default: 24)")
    load.add_argument("--processes", type=int, default=4, help="processes the writers are spread over (default: 4)")
    load.add_argument("--rounds", type=int, default=20, help="submissions per writer (default: 20)")
    _questions_option(load)
    load.set_defaults(run=_load)

    crowd = commands.add_parser("load-server", help=_summary(_load_server), description=_load_server.__doc__)
    crowd.add_argument("--leaders", default="50,100,200,300",
                       help="leaders at once, a run for each (default: 50,100,200,300)")
    crowd.add_argument("--ramp", type=float, default=60, help="seconds over which they sign in (default: 60)")
    crowd.add_argument("--seconds", type=float, default=60,
                       help="seconds of rating timed once all are in; 0 for sign-ins alone (default: 60)")
    crowd.add_argument("--pace", default="4-12", help="seconds between one leader's ratings, low-high (default: 4-12)")
    crowd.add_argument("--server", help="a running server's URL (default: start one on a new demo database)")
    crowd.add_argument("--db", help="with --server: its database file, where the saves are checked")
    crowd.add_argument("--pid", action="append", default=[], help="with --server: a server process to watch")
    crowd.add_argument("--streamlit", action="append", default=[], metavar="OPTION",
                       help="without --server: an option for the server it starts "
                            "(e.g. --streamlit=--runner.postScriptGC=false)")
    crowd.add_argument("--writers", type=_share, default=0.0,
                       help="the share of the leaders who write on Reflect instead of rating, 0-1 (default: 0)")
    crowd.add_argument("--processes", type=int, default=1,
                       help="without --server: server processes to start, behind Caddy if more than one "
                            "(deploy/Caddyfile; default: 1)")
    crowd.add_argument("--keep", help="without --server: a new folder to keep its database and log in")
    crowd.add_argument("--json", help="also write the figures to this JSON file")
    _questions_option(crowd)
    crowd.set_defaults(run=_load_server)

    bench = commands.add_parser("bench", help=_bench.__doc__, description=_bench.__doc__)
    bench.add_argument("--sizes", default="30,1000,10000", help="leaders per demo database (default: 30,1000,10000)")
    bench.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported (default: 5)")
    bench.add_argument("--json", help="also write the measurements to this JSON file")
    bench.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    _questions_option(bench)
    bench.set_defaults(run=_bench)

    check = commands.add_parser("check-questions", help=_check_questions.__doc__, description=_check_questions.__doc__)
    check.add_argument("folder", nargs="?", default=questions_dir(),
                       help="folder of question files (default: $REFLECT_QUESTIONS or questions)")
    check.set_defaults(run=_check_questions)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except DatabaseUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

