"""A throwaway PostgreSQL server for tests: Debian's ``postgresql`` binaries, a temporary directory, loopback only.

``.ci/run`` installs the package; nothing here needs a running system service. The server lives in a
temporary directory owned by the user it runs as (``postgres`` when the tests run as root: ``initdb`` refuses
root), listens on a free port of 127.0.0.1 only, asks for a password (SCRAM), and is stopped and deleted
on exit. Durability settings are relaxed (``fsync=off``): the tests kill app processes, never this server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def postgres_bin() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl`` (Debian keeps them off PATH), or None if not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    found = shutil.which("initdb")
    candidates += [str(Path(found).parent)] if found else []
    return next((Path(c) for c in candidates if (Path(c) / "pg_ctl").exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_postgres(user: str = "lab", database: str = "lab") -> Iterator[str]:
    """Start a PostgreSQL server; yields its URL ``postgresql://lab:<random>@127.0.0.1:<port>/lab``."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (.ci/run does)")
    as_root = os.geteuid() == 0
    owner = pwd.getpwnam("postgres") if as_root else None
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    home = Path(tempfile.mkdtemp(prefix="dllab-pg-"))
    password, port = secrets.token_hex(12), free_port()
    try:
        (home / "password").write_text(password)
        if owner is not None:
            os.chown(home, owner.pw_uid, owner.pw_gid)
            os.chown(home / "password", owner.pw_uid, owner.pw_gid)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
        subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(home / "data"), "-U", user, "--auth=scram-sha-256",
             f"--pwfile={home / 'password'}", "-E", "UTF8", "--locale=C.UTF-8"],
            **quiet,
        )  # fmt: skip
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(home / "data"), "-o", options, "-l", str(home / "log"),
             "-w", "-t", "60", "start"],
            **quiet,
        )  # fmt: skip
        url = f"postgresql://{user}:{password}@127.0.0.1:{port}/postgres"
        import psycopg

        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {database}")
        yield url.rsplit("/", 1)[0] + f"/{database}"
    finally:
        if (home / "data" / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "-D", str(home / "data"), "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(home, ignore_errors=True)
