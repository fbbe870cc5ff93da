"""``python -m reflect``: the command line (reflect.cli)."""

from reflect.cli import main

raise SystemExit(main())
