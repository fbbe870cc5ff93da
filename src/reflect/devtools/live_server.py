"""A real Streamlit server on a free local port, and the flags Debian's Chromium needs here: shared by the browser
tests and the benchmark."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reflect.devtools import APP_DIR

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
# Debian's headless shell (what Playwright's own headless mode is) when installed, as .ci/run does: the same Blink
# and V8 as Chromium without the desktop browser around them, so the same page costs less to drive.
CHROMIUM = (os.environ.get("REFLECT_CHROMIUM") or shutil.which("chromium-headless-shell") or shutil.which("chromium")
            or "/usr/bin/chromium")


@dataclass
class Server:
    url: str
    db_path: Path
    process: subprocess.Popen


def free_port() -> int:
    """A local port nothing listens on now (for a server, or an SMTP server for the tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_path: Path, log_path: Path, env: dict[str, str] | None = None, port: int | None = None,
                 options: Sequence[str] = ()) -> Server:
    """Start ``streamlit run app.py`` on `port` (a free one if None) against `db_path`; return once it answers its
    health check. `env` adds to the environment it runs in: settings such as the SMTP server's, whose public URL
    needs the port known beforehand. `options` adds to Streamlit's own, such as ``--secrets.files`` for a test
    server's own ``[auth]`` secrets, kept out of the checkout."""
    port = port or free_port()
    env = {**os.environ, **(env or {}), "REFLECT_DB": str(db_path)}
    log = open(log_path, "wb")  # noqa: SIM115 - the server writes to it until it stops
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         *options],
        cwd=APP_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/_stcore/health", process, log_path, what="streamlit")
    except RuntimeError:
        process.kill()
        raise
    return Server(url, db_path, process)


def wait_until_answering(url: str, process: subprocess.Popen, log_path: Path, *, what: str,
                         seconds: float = 60) -> None:
    """Return once `url` answers 200; raise, with `process`'s log, if the process exits first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}: {log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer in {seconds:.0f} s: {log_path.read_text()}")


def resident(field: str, pid: int | str = "self", *, reset_peak: bool = False) -> float:
    """A figure of a process's resident memory from Linux's /proc, in bytes (VmRSS now, VmHWM its peak);
    `reset_peak` first brings the peak down to now. NaN elsewhere."""
    try:
        if reset_peak:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        found = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    except OSError:
        return float("nan")
    return int(found.group(1)) * 1024 if found else float("nan")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
