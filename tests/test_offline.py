"""Offline proof: the app server itself, with the network blocked at the socket level, makes no attempt.

tests/conftest.py blocks the network for the pytest process; a server started by a test is
another process. Here a ``sitecustomize.py`` put first on the server's ``PYTHONPATH`` patches
``socket.socket.connect/connect_ex``, ``socket.create_connection`` and ``socket.getaddrinfo`` in
that process: every non-loopback attempt is refused *and* written to a log, so "zero attempts"
is counted, not assumed. Chromium (not Python) is outside this blocker; it runs with its
background-networking flags off (tests/browser.py).

Two network behaviours are simulated: ``refuse`` (DNS and connections fail at once, a machine
with no network) and ``blackhole`` (names resolve, connections hang until the caller's own
timeout: a network that swallows packets — what would make an unguarded download hang).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core import fetch
from core.demos import all_pages
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, REPO_ROOT, lab_server, wait_until_rendered

SITECUSTOMIZE = textwrap.dedent('''
    """Network blocker for a test subprocess (tests/test_offline.py): refuse and count non-loopback attempts."""
    import ipaddress, os, socket, time

    _LOG, _MODE = os.environ["DLLAB_NET_LOG"], os.environ.get("DLLAB_NET_MODE", "refuse")
    _real_connect, _real_connect_ex, _real_getaddrinfo = (socket.socket.connect, socket.socket.connect_ex,
                                                          socket.getaddrinfo)

    def _log(line):
        with open(_LOG, "a") as f:
            f.write(line + "\\n")

    def _local(host):
        if host in (None, "", "localhost") or isinstance(host, bytes):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _guard(sock, address, real):
        if not isinstance(address, tuple) or _local(address[0]):  # AF_UNIX paths and loopback pass
            return real(sock, address)
        _log(f"attempt pid={os.getpid()} connect {address!r}")
        if _MODE == "blackhole":  # the packets vanish: wait for the caller's own timeout, if it has one
            timeout = sock.gettimeout()
            time.sleep(3600 if timeout is None else timeout)
            raise TimeoutError("timed out (blackholed by the test)")
        raise ConnectionRefusedError(f"network blocked by the test: {address!r}")

    def connect(self, address):
        return _guard(self, address, _real_connect)

    def connect_ex(self, address):
        return _guard(self, address, _real_connect_ex)

    def _numeric(host):
        try:
            ipaddress.ip_address(str(host).split("%")[0])
            return True
        except ValueError:
            return False

    def getaddrinfo(host, *args, **kwargs):
        if _local(host) or _numeric(host):  # no lookup happens: the connect that follows is what is guarded
            return _real_getaddrinfo(host, *args, **kwargs)
        _log(f"attempt pid={os.getpid()} resolve {host!r}")
        if _MODE == "blackhole":  # DNS answers with a documentation address nobody routes (RFC 5737)
            return _real_getaddrinfo("192.0.2.1", *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"network blocked by the test: {host}")

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    _log(f"loaded pid={os.getpid()}")
''')


@pytest.fixture
def blocked(tmp_path, monkeypatch):
    """Subprocesses started from now on run with the blocker; returns the log (a list of lines, read on demand)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.log"
    log.touch()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("DLLAB_NET_LOG", str(log))
    monkeypatch.setenv("DLLAB_NET_MODE", "refuse")
    return log


def attempts(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith("attempt")]


def run_python(code: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


def test_the_blocker_refuses_and_counts_but_lets_loopback_through(blocked):
    """The control: without it, 'zero attempts' below could mean a blocker that never ran."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        result = run_python(
            textwrap.dedent(f"""
            import socket
            socket.create_connection(("127.0.0.1", {port}), timeout=5).close()  # loopback: allowed
            for target in [("192.0.2.1", 80), ("example.org", 443)]:
                try:
                    socket.create_connection(target, timeout=5)
                except OSError as err:
                    print(type(err).__name__)
                else:
                    print("CONNECTED")
        """)
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ConnectionRefusedError", "gaierror"]
    assert len(attempts(blocked)) == 2 and "192.0.2.1" in attempts(blocked)[0] and "example.org" in attempts(blocked)[1]
    assert any(line.startswith("loaded") for line in blocked.read_text().splitlines())


# ----------------------------------------------------------------------------- optional fetches
# tests/test_fetch.py checks fetch.main() in-process (DNS refused by conftest). Here: the real command line,
# for every target, in a separate process, with DNS refused and with a network that swallows packets.


@pytest.mark.parametrize("target", list(fetch.TARGETS))
def test_fetch_command_fails_fast_and_clearly_with_no_network(blocked, target):
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "core.fetch", target], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )
    elapsed = time.perf_counter() - t0
    host = fetch.urlparse(fetch.TARGETS[target]).hostname
    assert result.returncode == 1, result.stderr
    assert elapsed < 10, elapsed
    assert f"Cannot reach {host}" in result.stderr and "offline" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(attempts(blocked)) == 1 and host in attempts(blocked)[0]  # one try, then a message


def test_fetch_command_gives_up_on_a_network_that_swallows_packets(blocked, monkeypatch):
    monkeypatch.setenv("DLLAB_NET_MODE", "blackhole")
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "core.fetch", "resnet18"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )
    elapsed = time.perf_counter() - t0
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "Cannot reach download.pytorch.org" in result.stderr and "timed out" in result.stderr
    # bounded by the check's own timeout (3 s), not by the 30 s transfer timeout or forever
    assert fetch.CONNECT_TIMEOUT_S <= elapsed < fetch.CONNECT_TIMEOUT_S + 5, elapsed
    assert any("connect" in line and "192.0.2.1" in line for line in attempts(blocked))


# ----------------------------------------------------------------------------- the app, every page, in a browser

QUICK = "Quick (S, 1 epoch, 2k images)"


def _elsewhere(url: str, base: str) -> bool:
    """True for a request to any host but the lab's own server (data: and blob: URLs stay in the page)."""
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob") and parts.netloc != urlsplit(base).netloc


def test_a_request_to_a_font_cdn_counts_as_elsewhere_and_the_server_does_not():
    base = "http://127.0.0.1:8501"
    assert _elsewhere("https://fonts.gstatic.com/s/i/short-term/release/x/24px.svg", base)
    assert not _elsewhere(f"{base}/_stcore/health", base) and not _elsewhere("data:image/png;base64,AA", base)


@pytest.mark.browser
def test_every_page_and_a_measured_training_make_zero_connection_attempts(blocked, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    opened, outside = [], []
    with lab_server(tmp_path / "lab") as (base, proc, _), sync_api.sync_playwright() as p:
        server_pid = proc.pid
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # The browser side: nothing the app serves may make it reach another host (favicons and icons
            # from a font CDN did, issue #13 defect 6). Every request the page makes is checked.
            page.on("request", lambda r: outside.append(r.url) if _elsewhere(r.url, base) else None)
            for demo in all_pages():
                page.goto(f"{base}/{'' if demo.slug == 'home' else demo.slug}", timeout=60000)
                wait_until_rendered(page)
                assert page.locator('[data-testid="stException"]').count() == 0, demo.slug
                opened.append(demo.slug)
            # The CO2 page: a live training measured by codecarbon (an online tracker would call out here).
            page.get_by_role("button", name=QUICK).click()
            wait_until_rendered(page)
            page.get_by_role("button", name="Train and measure").click()
            page.wait_for_function("() => /Average power|Not measured/.test(document.body.innerText)", timeout=120000)
            wait_until_rendered(page)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
        assert proc.poll() is None  # the server is still up
    log = blocked.read_text().splitlines()
    assert f"loaded pid={server_pid}" in log, "the blocker did not load in the server process"
    assert opened == [d.slug for d in all_pages()]
    assert attempts(blocked) == []
    assert outside == [], f"the browser was made to reach other hosts: {sorted(set(outside))}"
    print(
        f"\n{len(opened)} pages and one measured training with the network blocked in the server "
        f"(pid {server_pid}): {len(attempts(blocked))} connection attempts"
    )
