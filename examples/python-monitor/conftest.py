"""A pytest fixture that starts Waymark for each test: its own process on a free port, the ready file
telling where it listens, its clock frozen at a known time, this project's fixture loaded."""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest
import requests

HERE = pathlib.Path(__file__).parent
ADMIN_TOKEN = "monitor-tests-admin-token"
CLOCK = "2026-12-01T00:00:00Z"


def waymark_command() -> list[str]:
    """The installed `waymark` (this project's node_modules, or PATH), or the one WAYMARK_BIN names.

    Not `npx waymark`: npx does not pass SIGTERM on, and the server would outlive the test."""
    found = os.environ.get("WAYMARK_BIN") or shutil.which("waymark", path=str(HERE / "node_modules" / ".bin")) or shutil.which("waymark")
    if not found:
        pytest.exit("waymark not found: npm install the Waymark tarball in this directory, or set WAYMARK_BIN", returncode=2)
    # A clone's bundle (WAYMARK_BIN=…/dist/bin/waymark.js) runs under node.
    return ["node", found] if found.endswith(".js") else [found]


class Waymark:
    def __init__(self, url: str, admin_url: str):
        self.url = url
        self.admin_url = admin_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self.session.request(method, f"{self.admin_url}{path}", json=body, timeout=60)
        assert response.ok, response.text
        return response.json()

    def now(self) -> dt.datetime:
        """The server's clock: the monitor's "now" in these tests."""
        return dt.datetime.fromisoformat(self.admin("GET", "/clock")["now"].replace("Z", "+00:00"))

    def advance(self, duration: str) -> dict:
        return self.admin("POST", "/clock", {"advanceBy": duration})

    def history(self, group_id: str, cluster_id: str, start: str, end: str = "now") -> dict:
        return self.admin("POST", f"/groups/{group_id}/clusters/{cluster_id}/history", {"from": start, "to": end})


@pytest.fixture
def waymark(tmp_path: pathlib.Path):
    ready = tmp_path / "ready.json"
    log = open(tmp_path / "waymark.log", "w")
    process = subprocess.Popen(
        [*waymark_command(), "serve", "--port", "0", "--ready-file", str(ready), "--store", "sqlite::memory:",
         "--produce", "--clock", CLOCK, "--freeze-clock", "--fixtures", str(HERE / "fixture.json"), "--log-level", "warn"],
        env={**os.environ, "WAYMARK_ADMIN_TOKEN": ADMIN_TOKEN},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"waymark did not start:\n{(tmp_path / 'waymark.log').read_text()}")
            time.sleep(0.02)
        info = json.loads(ready.read_text())
        yield Waymark(info["url"], info["adminUrl"])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
