"""Headless Chromium for tests: open a local file, screenshot it, and read back what it fetched.

Chromium (Debian packages ``chromium`` and ``chromium-headless-shell``, installed by scripts/setup-host.sh) is a host
prerequisite: a missing one fails the test through :func:`tests.host_prerequisites.required`.
It runs with ``--no-sandbox`` (the tests run as root) and with its own background services
(component updates, safe browsing, sync) switched off, so the network log holds only what the
page itself asked for. ``--log-net-log`` writes Chromium's NetLog (JSON): every URL request it
started is an event whose params name the URL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from schooltech_fleet.errors import PrerequisiteError

QUIET = ("--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
         "--disable-client-side-phishing-detection", "--disable-domain-reliability",
         "--metrics-recording-only", "--safebrowsing-disable-auto-update")  # fmt: skip


LOOPBACK_ONLY = ("--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")
"""Whatever Chromium asks of the network goes to a closed loopback port (and still shows in the NetLog)."""


@dataclass(frozen=True)
class Visit:
    screenshot: Path
    urls: tuple[str, ...]  # every URL Chromium requested, in the order its NetLog shows them
    seconds: float  # wall time of the whole headless run (launch, load, render, screenshot)


def binary() -> str:
    """The headless Chromium executable, or :class:`PrerequisiteError`.

    Debian's ``chromium-headless-shell`` (Chromium's "old headless" build, from the same source as
    ``chromium``): the full browser in ``--headless`` mode still asks Google for component updates
    and signed-in accounts whatever flags it gets, which would drown the page's own requests.
    """
    if found := shutil.which("chromium-headless-shell"):
        return found
    raise PrerequisiteError("chromium-headless-shell is not installed",
                            "run scripts/setup-host.sh (apt-get install chromium chromium-headless-shell)")


def visit(page: Path, workdir: Path, *, width: int = 1200, height: int = 2400) -> Visit:
    """Open *page* (a local file) headless, screenshot it, and collect the URLs of its NetLog."""
    screenshot, netlog = workdir / "screenshot.png", workdir / "netlog.json"
    with tempfile.TemporaryDirectory(dir=workdir) as profile:
        argv = [binary(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *QUIET,
                f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={screenshot}",
                f"--log-net-log={netlog}", "--net-log-capture-mode=Default", *LOOPBACK_ONLY,
                page.resolve().as_uri()]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        seconds = time.perf_counter() - start
    if done.returncode != 0 or not screenshot.is_file():
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return Visit(screenshot, requested_urls(netlog), seconds)


def requested_urls(netlog: Path) -> tuple[str, ...]:
    """The URLs of the requests in a NetLog file (a log Chromium was killed before closing is closed here)."""
    text = netlog.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # cut off inside "events": close the list and the object
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    urls: list[str] = []
    for event in log.get("events", []):
        url = (event.get("params") or {}).get("url")
        if isinstance(url, str) and url not in urls:
            urls.append(url)
    return tuple(urls)

