"""Shared test fixtures.

* The network is blocked for the whole session: any connection to a non-loopback
  address fails the test that made it (tests never touch the network).
* The lab's data dir (the carbon ledger) points at a temporary folder.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest


def pytest_configure(config):
    """Under pytest-xdist (two workers on two cores: pytest.ini), each worker's torch uses one thread.

    Why: torch's OpenMP threads spin while they wait; two processes with two threads each on two cores spend
    their time spinning against each other (a preset measured 5.9 s with one thread and 49.7 s with two under
    load). Set before any test module imports torch; the Streamlit servers the tests start inherit it.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")


class NetworkBlocked(OSError):
    pass


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, (str, bytes))  # AF_UNIX paths are local


@pytest.fixture(autouse=True, scope="session")
def block_network():
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self, address):
        if not _is_loopback(address):
            raise NetworkBlocked(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self, address):
        if not _is_loopback(address):
            raise NetworkBlocked(f"test tried to connect to {address!r}")
        return real_connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost") and not _is_loopback((host,)):
            raise socket.gaierror(socket.EAI_NONAME, f"network blocked in tests: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = guarded_connect, guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
    socket.getaddrinfo = real_getaddrinfo


@pytest.fixture(autouse=True, scope="session")
def lab_data_dir(tmp_path_factory):
    """All ledger writes of the session go to a temporary data dir."""
    path = tmp_path_factory.mktemp("lab_data")
    mp = pytest.MonkeyPatch()
    mp.setenv("DLLAB_DATA_DIR", str(path))
    # The default engines, whatever the machine running the tests has set: the SQLite ledger, no shared models.
    mp.delenv("DLLAB_LEDGER_URL", raising=False)
    mp.delenv("DLLAB_MODEL_STORE", raising=False)
    yield path
    mp.undo()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """The lab's data dir for this test only (pages read the ledger from here): a Path."""
    from core import carbon

    path = tmp_path / "lab"
    path.mkdir()
    monkeypatch.setenv("DLLAB_DATA_DIR", str(path))
    carbon.active_method()  # the real probe, once per process, so that what monkeypatch restores is real
    monkeypatch.setattr(carbon, "_probe_result", ("cpu_load", ""))  # the home page shows a method at once
    return path


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session (deploy/scale_out/local.py); its URL (a role that may
    create databases, one per test)."""
    from deploy.scale_out.local import missing_binaries, throwaway_postgres

    missing = [m for m in missing_binaries() if "nginx" not in m]
    if missing:
        pytest.skip("; ".join(missing) + " (.ci/run installs Debian's postgresql)")
    with throwaway_postgres(role_options="CREATEDB") as server:
        yield server.url


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database on the session's server, for one test: its URL."""
    import uuid

    import psycopg

    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by playwright, for one test module (tests/browser.py has the flags)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_FLAGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch on one thread for a test module, restored after: the module's numbers then do not depend on how many
    threads the machine gives (float sums are ordered by thread), and its small trainings do not spin a second
    thread against the other worker (pytest.ini runs two)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
