"""Leaders on the real server: each signs in through the form and rates skills (or, for a share of them, writes
reflections) at a set pace, over Streamlit's own websocket protocol as a browser speaks it. Reports what each
action took (p50/p95/p99), the errors, the server's CPU and memory, and checks afterwards that every save the page
acknowledged is in the database.

AppTest skips what the real server does around a run (the websocket, the thread per session, the full garbage
collection after each run); this measures all of it. What a browser adds (drawing the page) is left out, so the
figures are the server's share of what a person waits for.

A leader's session, as a browser has it: open the address (the sign-in page runs), send the form, trade the new
session's ticket for its cookie at ``/session`` (what the page's script does), open Skills checklist, then choose
a rating on one skill every few seconds. A writer opens Reflect instead, and every few seconds sends one of its
answers as a pause in typing does. Sign-ins are spread over a ramp; ratings and writing are timed once everyone
is in.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from reflect.devtools import APP_DIR
from reflect.devtools.demo import PASSWORD, make_demo
from reflect.devtools.live_server import (
    Server,
    free_port,
    resident,
    start_server,
    stop_server,
    wait_until_answering,
)
from reflect.domain.questions import load_question_sets
from reflect.settings import questions_dir
from reflect.storage.db import open_db

ANSWER_WITHIN = 30.0  # seconds: an action with no finished run by then counts as an error
CHECKLIST, REFLECT = "checklist", "reflect"  # the pages' addresses, as the router names them
ACTIONS = ("open sign-in", "sign in", "open checklist", "rate", "open reflect", "write")
# Where a leader goes once signed in, and what opening it and acting there are called: a rater, a writer.
RATER, WRITER = (CHECKLIST, "open checklist", "rate"), (REFLECT, "open reflect", "write")
RERUN_FOLLOWS = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN  # st.rerun(): another run is on its way


class NoAnswer(Exception):
    """The server did not finish the run an action started, or drew an error."""


@dataclass
class Drawn:
    """What one action's run drew: the widgets by label, the errors shown, and the session ticket handed over."""
    widgets: dict[str, Any] = field(default_factory=dict)  # their protobufs
    fragment_of: dict[str, str] = field(default_factory=dict)  # widget id -> the fragment drawing it, if any
    problems: list[str] = field(default_factory=list)
    ticket: str | None = None
    bytes: int = 0


class Tab:
    """One browser tab's connection to the server: sends a run as the browser does (every widget value it holds,
    the press of a button once) and collects what the run drew."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.values: dict[str, WidgetState] = {}  # what the browser remembers of each widget on the page
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self._socket: websockets.ClientConnection | None = None

    async def open(self) -> Drawn:
        self._socket = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(self.url), max_size=None, open_timeout=ANSWER_WITHIN)
        return await self.run()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def go_to(self, address: str) -> Drawn:
        self.page_hash = self.pages[address]
        self.values.clear()
        return await self.run()

    async def run(self, changes: Sequence[WidgetState] = (), press: str | None = None,
                  fragment_id: str = "") -> Drawn:
        """Send a rerun holding the widget values the tab knows, with `changes` applied and the button whose id is
        `press` pressed; return once the run (and any run it hands on to) has finished. A change to a widget drawn
        by a fragment reruns that fragment alone (`fragment_id`), as the browser asks."""
        assert self._socket is not None
        for state in changes:
            self.values[state.id] = state
        message = BackMsg()
        message.rerun_script.page_script_hash = self.page_hash
        message.rerun_script.context_info.timezone = "Europe/London"
        message.rerun_script.fragment_id = fragment_id
        message.rerun_script.widget_states.widgets.extend(self.values.values())
        if press is not None:
            message.rerun_script.widget_states.widgets.append(WidgetState(id=press, trigger_value=True))
        await self._socket.send(message.SerializeToString())
        drawn = Drawn()
        async with asyncio.timeout(ANSWER_WITHIN):
            while True:
                data = await self._socket.recv()
                drawn.bytes += len(data)
                forward = ForwardMsg()
                forward.ParseFromString(data)
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    _note(drawn, forward.delta.new_element, forward.delta.fragment_id)
                elif kind == "navigation":
                    self.pages = {page.url_pathname: page.page_script_hash for page in forward.navigation.app_pages}
                elif kind == "script_finished":
                    if forward.script_finished != RERUN_FOLLOWS:
                        break
                    drawn.widgets.clear()
        if not fragment_id:  # a whole run draws every widget on the page: the browser forgets the others
            on_page = {widget.id for widget in drawn.widgets.values()}
            self.values = {key: value for key, value in self.values.items() if key in on_page}
        if drawn.problems:
            raise NoAnswer("; ".join(drawn.problems))
        return drawn


def _note(drawn: Drawn, element, fragment_id: str) -> None:
    kind = element.WhichOneof("type")
    proto = getattr(element, kind)
    if kind in ("text_input", "button", "radio", "text_area"):
        drawn.widgets[proto.label] = proto
        if fragment_id:
            drawn.fragment_of[proto.id] = fragment_id
    elif kind == "exception":
        drawn.problems.append(f"{proto.type}: {proto.message}")
    elif kind == "alert" and proto.format == proto.ERROR and "Not saved" in proto.body:
        drawn.problems.append(proto.body)
    elif kind == "bidi_component" and proto.component_name == "reflect_session_cookie" and proto.json:
        drawn.ticket = json.loads(proto.json).get("ticket")


def _trade_ticket(url: str, ticket: str) -> None:
    """What the page's script does with a new session's ticket: POST it to ``/session`` for the cookie."""
    request = urllib.request.Request(url + "/session", data=ticket.encode(), method="POST",
                                     headers={"Origin": url, "Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=ANSWER_WITHIN) as response:
        if response.status != 204:
            raise NoAnswer(f"/session answered {response.status}")


@dataclass
class Level:
    """One run of the crowd: `leaders` signing in over `ramp` seconds, then rating (or writing) for `seconds`."""
    leaders: int
    ramp: float
    seconds: float
    timings: dict[str, list[float]] = field(default_factory=lambda: {action: [] for action in ACTIONS})
    errors: list[str] = field(default_factory=list)
    writers: float = 0.0  # the share of the leaders who write on Reflect instead of rating
    acknowledged: dict[tuple[str, str, str, str], int | str] = field(default_factory=dict)  # (email, set, item, field)
    unacknowledged: dict[tuple[str, str, str, str], set[int | str]] = field(default_factory=dict)  # tried since
    lost: int = 0
    cpu_percent: float = 0.0  # of one core, over the rating window
    client_cpu_percent: float = 0.0  # this process's own: near 100, the client, not the server, sets the pace
    rss_idle_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_by_minute: list[float] = field(default_factory=list)
    rating_bytes: list[int] = field(default_factory=list)
    writing_bytes: list[int] = field(default_factory=list)

    @property
    def writing(self) -> int:
        """How many of the leaders write instead of rating."""
        return round(self.writers * self.leaders)

    def percentile(self, action: str, share: float) -> float | None:
        ordered = sorted(self.timings[action])
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else None


async def _leader(url: str, email: str, level: Level, start_at: float, rating_from: float, stop_at: float,
                  pace: tuple[float, float], chance: random.Random, *, writes: bool = False) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    tab = Tab(url)

    async def timed(action: str, work):
        started = time.perf_counter()
        try:
            drawn = await work
        except (NoAnswer, TimeoutError, OSError, websockets.ConnectionClosed) as error:
            level.errors.append(f"{email}, {action}: {type(error).__name__}: {error}")
            raise
        if action not in ("rate", "write") or time.monotonic() >= rating_from:
            level.timings[action].append(time.perf_counter() - started)
        return drawn

    with contextlib.suppress(NoAnswer, TimeoutError, OSError, websockets.ConnectionClosed):
        try:
            form = await timed("open sign-in", tab.open())
            signed_in = await timed("sign in", tab.run(
                [WidgetState(id=form.widgets["Email"].id, string_value=email),
                 WidgetState(id=form.widgets["Password"].id, string_value=PASSWORD)],
                press=form.widgets["Sign in"].id))
            if signed_in.ticket is None:
                raise NoAnswer("signing in handed over no session")
            await asyncio.to_thread(_trade_ticket, url, signed_in.ticket)
            address, opening, acting = WRITER if writes else RATER
            page = await timed(opening, tab.go_to(address))
            fields = [widget for label, widget in page.widgets.items()
                      if (widget.id.endswith(":text") if writes else label.endswith("(required)"))]  # the answers
            while True:
                pause = chance.uniform(*pace)
                await asyncio.sleep(max(0.0, min(pause, stop_at - time.monotonic())))
                if time.monotonic() >= stop_at:
                    break
                widget = chance.choice(fields)
                value: int | str
                if writes:  # what the box holds after a pause in typing: new words each time, in plain ASCII,
                    # which the draft stores as sent (cleaning text changes none of it), so it can be compared
                    text = f"Partnership notes by {email}, pause {chance.randrange(10**9)}."
                    value, state = text, WidgetState(id=widget.id, string_value=text)
                else:
                    point = chance.randrange(len(widget.options))
                    value, state = point + 1, WidgetState(id=widget.id, string_value=widget.options[point])
                set_id, item_id, which = widget.id.split("-", 2)[2].rsplit(":", 2)
                saved = (email, set_id, item_id, which)
                level.unacknowledged.setdefault(saved, set()).add(value)  # may be stored even if the run fails
                drawn = await timed(acting, tab.run([state], fragment_id=page.fragment_of.get(widget.id, "")))
                level.acknowledged[saved] = value
                level.unacknowledged.pop(saved)
                if time.monotonic() >= rating_from:
                    (level.writing_bytes if writes else level.rating_bytes).append(drawn.bytes)
        finally:
            await tab.close()


class _ServerWatch:
    """The server process's CPU time and resident memory, read from /proc every half second (Linux)."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self.peak_mb = 0.0
        self.by_minute: list[float] = []  # RSS at the start of each minute: flat, or growing?

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def rss_mb(self) -> float:
        return sum(resident("VmRSS", pid) for pid in self.pids) / 2**20

    async def watch(self) -> None:
        began = time.monotonic()
        while True:
            rss = self.rss_mb()
            self.peak_mb = max(self.peak_mb, rss)
            if time.monotonic() - began >= 60 * len(self.by_minute):
                self.by_minute.append(rss)
            await asyncio.sleep(0.5)


def leader_emails(db_path: Path, count: int) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        emails = [row[0] for row in db.execute(
            "SELECT email FROM users WHERE role = 'leader' AND email LIKE 'demo.%' ORDER BY id LIMIT ?", [count])]
    if len(emails) < count:
        raise ValueError(f"the database holds {len(emails)} demo leaders; {count} were asked for")
    return emails


def count_lost(db_path: Path, acknowledged: dict[tuple[str, str, str, str], int | str],
               unacknowledged: dict[tuple[str, str, str, str], set[int | str]] | None = None) -> int:
    """Acknowledged saves the database does not hold: for each leader and field (a rating, or an answer's text), the
    draft must hold the last value the page said was saved, or one sent after it whose run did not finish (it may
    have been saved)."""
    unacknowledged = unacknowledged or {}
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        stored = {(email, set_id, item_id): {"rating": rating, "then_rating": then_rating, "text": text}
                  for email, set_id, item_id, rating, then_rating, text
                  in db.execute("SELECT u.email, d.set_id, d.item_id, d.rating, d.then_rating, d.text FROM drafts d "
                                "JOIN users u ON u.id = d.user_id")}
    return sum(1 for key, value in acknowledged.items()
               if stored.get(key[:3], {}).get(key[3]) not in {value, *unacknowledged.get(key, ())})


async def _run_level(url: str, db_path: Path, pids: Sequence[int], level: Level, pace: tuple[float, float],
                     seed: int) -> None:
    emails = leader_emails(db_path, level.leaders)
    watch = _ServerWatch(pids)
    level.rss_idle_mb = watch.rss_mb()
    watcher = asyncio.create_task(watch.watch())
    began = time.monotonic()
    rating_from = began + level.ramp + (pace[1] if level.seconds else 0)  # everyone in and past a first pause
    stop_at = rating_from + level.seconds  # with no seconds of rating, a storm of sign-ins only
    chance = random.Random(seed)
    writes = [index * level.writing // level.leaders != (index + 1) * level.writing // level.leaders
              for index in range(level.leaders)]  # the writers spread evenly among the raters
    leaders = [
        _leader(url, email, level, began + level.ramp * index / level.leaders, rating_from, stop_at, pace,
                random.Random(chance.random()), writes=writes[index])
        for index, email in enumerate(emails)
    ]
    # The server's CPU while everyone rates; for a storm of sign-ins alone, while they sign in.
    timed_from = rating_from if level.seconds else began
    cpu_from: float | None = None

    client_from = 0.0

    async def mark_cpu() -> None:
        nonlocal cpu_from, client_from
        await asyncio.sleep(max(0.0, timed_from - time.monotonic()))
        cpu_from, client_from = watch.cpu_seconds(), time.process_time()

    marker = asyncio.create_task(mark_cpu())
    await asyncio.gather(*leaders)
    await marker
    ended = time.monotonic()
    level.cpu_percent = 100 * (watch.cpu_seconds() - (cpu_from or 0.0)) / max(ended - timed_from, 1e-9)
    level.client_cpu_percent = 100 * (time.process_time() - client_from) / max(ended - timed_from, 1e-9)
    watcher.cancel()
    level.rss_peak_mb, level.rss_by_minute = watch.peak_mb, watch.by_minute
    level.lost = count_lost(db_path, level.acknowledged, level.unacknowledged)


def run_crowd(levels: Sequence[int], *, seconds: float = 60.0, ramp: float = 60.0, pace: tuple[float, float] = (4, 12),
              server: str | None = None, db_path: Path | None = None, pids: Sequence[int] = (),
              streamlit_options: Sequence[str] = (), questions: Path | None = None, seed: int = 0,
              keep: Path | None = None, processes: int = 1, writers: float = 0.0) -> list[Level]:
    """Run each level in turn against `server` (a URL, with its database at `db_path` and its processes' `pids`),
    or, without one, against `processes` servers of their own (behind Caddy, if more than one) on a new demo
    database with enough leaders, kept with the servers' logs in the folder `keep` if given. A share `writers` of
    each level's leaders write on Reflect instead of rating."""
    results = [Level(leaders, ramp, seconds, writers=writers) for leaders in levels]
    with _a_server(server, db_path, streamlit_options, questions, max(levels), keep,
                   processes) as (url, path, server_pids):
        for index, level in enumerate(results):
            # On a thread of its own: the caller may be running an event loop already (Playwright's sync API does).
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
                thread.submit(asyncio.run, _run_level(url, path, list(pids) or server_pids, level, pace,
                                                      seed + index)).result()
    return results


@contextlib.contextmanager
def _a_server(url: str | None, db_path: Path | None, options: Sequence[str], questions: Path | None,
              leaders: int, keep: Path | None, processes: int) -> Iterator[tuple[str, Path, list[int]]]:
    if url is not None:
        if db_path is None:
            raise ValueError("give the server's database (--db) too: the saves are checked in it")
        yield url.rstrip("/"), db_path, []
        return
    with contextlib.nullcontext(str(keep)) if keep else tempfile.TemporaryDirectory(prefix="reflect-crowd-") as name:
        folder = Path(name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crowd.db"
        with contextlib.closing(open_db(path)) as db:
            make_demo(db, load_question_sets(questions or questions_dir())[0], leaders=leaders, seed=0)
        with contextlib.ExitStack() as running:
            servers = []
            for number in range(1, processes + 1):
                server = start_server(path, folder / f"streamlit-{number}.log", options=options)
                running.callback(stop_server, server)
                servers.append(server)
            pids = [server.process.pid for server in servers]
            if processes == 1:
                yield servers[0].url, path, pids
            else:
                yield running.enter_context(_behind_caddy(servers, folder)), path, pids


@contextlib.contextmanager
def _behind_caddy(servers: Sequence[Server], folder: Path) -> Iterator[str]:
    """`servers` behind Caddy, configured by deploy/Caddyfile as a deployment is: yields the address to use."""
    caddy = shutil.which("caddy")
    if caddy is None:
        raise RuntimeError("Caddy is not installed (apt-get install caddy): it stands in front of several processes")
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "REFLECT_SITE": url, "REFLECT_CADDY_ADMIN": f"127.0.0.1:{free_port()}",
           "REFLECT_UPSTREAMS": " ".join(server.url.removeprefix("http://") for server in servers)}
    with open(folder / "caddy.log", "wb") as log:
        proxy = subprocess.Popen(
            [caddy, "run", "--adapter", "caddyfile", "--config", str(APP_DIR / "deploy" / "Caddyfile")],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(url + "/healthz", proxy, folder / "caddy.log", what="Caddy", seconds=30)
        yield url
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


def _ms(seconds: float | None) -> str:
    return f"{seconds * 1000:,.0f}" if seconds is not None else "–"


def _doing(level: Level) -> str:
    """What the level's leaders do once in: rating, writing, or both."""
    return " and ".join(doing for doing, count in (("rating", level.leaders - level.writing),
                                                   ("writing", level.writing)) if count)


def _actions_of(level: Level) -> tuple[str, ...]:
    """The actions the level's leaders take: a page to open and what they do there, for raters, writers or both."""
    left_out = (() if level.writing < level.leaders else RATER[1:]) + (() if level.writing else WRITER[1:])
    return tuple(action for action in ACTIONS if action not in left_out)


def table(results: Sequence[Level]) -> str:
    """One line per level and action: how many, p50/p95/p99 in ms; then errors, lost saves, server CPU and RSS."""
    lines = [f"{'leaders':>7}  {'action':<15} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}", "-" * 58]
    for level in results:
        for action in _actions_of(level):
            lines.append(f"{level.leaders:>7}  {action:<15} {len(level.timings[action]):>6} "
                         f"{_ms(level.percentile(action, 0.5)):>8} {_ms(level.percentile(action, 0.95)):>8} "
                         f"{_ms(level.percentile(action, 0.99)):>8}")
        sent = "; ".join(f"{statistics.fmean(sizes) / 1024:,.1f} KB sent per {what}"
                         for what, sizes in (("rating", level.rating_bytes), ("answer written", level.writing_bytes))
                         if sizes)
        lines.append(f"{'':>7}  {len(level.errors)} errors, {level.lost} of {len(level.acknowledged)} acknowledged "
                     f"saves lost; server CPU {level.cpu_percent:.0f}% of a core while "
                     f"{_doing(level) if level.seconds else 'signing in'} (the load client's "
                     f"{level.client_cpu_percent:.0f}%); RSS "
                     f"{level.rss_idle_mb:,.0f} MB before, {level.rss_peak_mb:,.0f} MB at most"
                     + (f"; {sent}" if sent else ""))
        if len(level.rss_by_minute) > 3:
            lines.append(f"{'':>9}RSS minute by minute, MB: " + " ".join(f"{mb:.0f}" for mb in level.rss_by_minute))
        lines += [f"{'':>9}{error}" for error in level.errors[:5]]
    return "\n".join(lines)


def as_json(results: Sequence[Level]) -> str:
    return json.dumps([{
        "leaders": level.leaders, "ramp_seconds": level.ramp, "acting_seconds": level.seconds,  # rating or writing
        "seconds": {action: {"count": len(level.timings[action]), "p50": level.percentile(action, 0.5),
                             "p95": level.percentile(action, 0.95), "p99": level.percentile(action, 0.99)}
                    for action in ACTIONS},
        "errors": level.errors, "acknowledged": len(level.acknowledged), "lost": level.lost,
        "cpu_percent": level.cpu_percent, "client_cpu_percent": level.client_cpu_percent,
        "rss_idle_mb": level.rss_idle_mb, "rss_peak_mb": level.rss_peak_mb,
        "rss_by_minute_mb": level.rss_by_minute,
        "writers": level.writers,
        "bytes_per_rating": statistics.fmean(level.rating_bytes) if level.rating_bytes else None,
        "bytes_per_answer_written": statistics.fmean(level.writing_bytes) if level.writing_bytes else None,
    } for level in results], indent=2)
