"""The scale-out recipe on loopback: a throwaway PostgreSQL, N Streamlit replicas and nginx in front, on this machine.

    with local_cluster(replicas=2, tmp=tmp_path) as cluster:
        cluster.url                    # nginx, the one address a browser uses
        cluster.replicas[0].process    # a replica's Popen (kill -9 it to test failover)
        cluster.database_url           # postgresql://dllab:<password>@127.0.0.1:<port>/dllab

Everything listens on 127.0.0.1 only and is stopped and deleted on exit, even on error. PostgreSQL comes from Debian's
``postgresql`` package (initdb refuses to run as root: as root it runs as the ``postgres`` user), nginx from Debian's
``nginx``; both are looked up first and their absence is said at once. Run it by hand with
``python -m deploy.scale_out.local`` (Ctrl-C stops it); ``--render-compose`` rewrites nginx.conf for compose.yaml.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import grp
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.database import safe_url

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
TEMPLATE = HERE / "nginx.conf.template"
COMPOSE_NGINX_CONF = HERE / "nginx.conf"
# compose.yaml's replicas: service name = host name, each on its own port (the port names the replica in nginx).
COMPOSE_REPLICAS = (("app1", "app1", 8501), ("app2", "app2", 8502))
COMPOSE_LISTEN = 8080
REPLICA_HEADER = "X-Lab-Replica"
REPLICA_COOKIE = "dllab_replica"
DB_NAME = DB_USER = "dllab"


class ClusterUnavailable(RuntimeError):
    """A binary the cluster needs is missing, or a part did not start (the message says which and why)."""


# --------------------------------------------------------------------------------------------------- nginx config
def render_nginx_conf(
    replicas: Sequence[tuple[str, str, int]],
    *,
    listen: str,
    pid_path: str,
    error_log: str,
    access_log: str,
    temp_dir: str,
    user: str | None = None,
) -> str:
    """nginx.conf.template filled in for ``replicas`` = (name, host, port) triples; ports must differ (they name the
    replica that answered). ``user`` is the worker user ("nobody nogroup"); None leaves nginx's default."""
    if not replicas:
        raise ValueError("at least one replica")
    names = [name for name, _, _ in replicas]
    ports = [port for _, _, port in replicas]
    if len(set(ports)) != len(ports) or len(set(names)) != len(names):
        raise ValueError("replica names and ports must be distinct")
    if not all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names):
        raise ValueError("replica names: lower-case letters, digits and _")
    share = int(10000 / len(replicas)) / 100  # split_clients takes two decimals; the last one takes the rest ("*")
    split = [f"        {share:g}% {name};" for name in names[:-1]] + [f"        * {names[-1]};"]
    sticky = [f"        {name} {name};" for name in names]
    answered = [f'        "~:{port}$" {name};' for name, _, port in replicas]
    upstreams = []
    for i, (name, host, port) in enumerate(replicas):
        lines = [f"    upstream {name} {{", f"        server {host}:{port} max_fails=1 fail_timeout=10s;"]
        lines += [f"        server {h}:{p} backup;" for j, (_, h, p) in enumerate(replicas) if j != i]
        upstreams.append("\n".join([*lines, "    }"]))
    values = dict(
        user_line=f"user {user};" if user else "# user: the image's / nginx's default worker user",
        pid_path=pid_path,
        error_log=error_log,
        access_log=access_log,
        temp_dir=temp_dir,
        listen=listen,
        split_lines="\n".join(split),
        sticky_lines="\n".join(sticky),
        answered_lines="\n".join(answered),
        upstreams="\n".join(upstreams),
    )
    # {{field}} placeholders: nginx's own $variables and ${variables} pass through untouched.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], TEMPLATE.read_text())


def render_compose_conf() -> str:
    """The nginx.conf that compose.yaml mounts into the official nginx image."""
    return render_nginx_conf(
        COMPOSE_REPLICAS,
        listen=str(COMPOSE_LISTEN),
        pid_path="/tmp/nginx.pid",
        error_log="/dev/stderr",
        access_log="/dev/stdout",
        temp_dir="/tmp",
        user="nginx",
    )


# --------------------------------------------------------------------------------------------------- binaries
def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path))


def find_postgres_bin(name: str) -> str:
    """initdb/pg_ctl from Debian's postgresql package (the newest under /usr/lib/postgresql), else from PATH."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    found = shutil.which(name)
    if not found:
        raise ClusterUnavailable(f"PostgreSQL's {name} not found: install Debian's postgresql package")
    return found


def find_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not found:
        raise ClusterUnavailable("nginx not found: install Debian's nginx package")
    return found


def missing_binaries() -> list[str]:
    """What this machine lacks for a local cluster (empty when it can start one)."""
    missing = []
    for check in (lambda: find_postgres_bin("initdb"), lambda: find_postgres_bin("pg_ctl"), find_nginx):
        try:
            check()
        except ClusterUnavailable as e:
            missing.append(str(e))
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser not found (util-linux): needed to run initdb as postgres when root")
    return missing


# --------------------------------------------------------------------------------------------------- helpers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _wait_healthy(url: str, what: str, timeout: float, procs: Sequence[subprocess.Popen], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not _healthy(url):
        dead = [p for p in procs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            why = f"exited with {dead[0].returncode}" if dead else f"not healthy after {timeout:.0f} s"
            raise ClusterUnavailable(f"{what} {why}; last lines of {log.name}:\n{_tail(log)}")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------------------------------- PostgreSQL
@dataclass
class _Postgres:
    root: Path  # owned by the server's user; data/, sockets/, postgres.log
    port: int
    password: str
    pg_ctl: str
    as_owner: list[str]  # command prefix that runs a program as the cluster's owner ([] unless root)

    @property
    def url(self) -> str:
        return f"postgresql://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{DB_NAME}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_owner, self.pg_ctl, "-D", str(self.root / "data"), "-m", "fast", "-w", "-t", "30", "stop"],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


@contextlib.contextmanager
def throwaway_postgres(role_options: str = "") -> Iterator[_Postgres]:
    """A PostgreSQL server on 127.0.0.1 in a private temporary directory, stopped and deleted on exit.

    Its ``url`` logs in as the lab's role (``role_options``, e.g. ``"CREATEDB"`` for tests that make a database
    each) with a random password. The cluster below and the ledger's tests (tests/conftest.py) both use it.
    """
    missing = [m for m in missing_binaries() if "nginx" not in m]
    if missing:
        raise ClusterUnavailable("cannot start PostgreSQL: " + "; ".join(missing))
    with contextlib.ExitStack() as stack:
        runtime = Path(tempfile.mkdtemp(prefix="dllab-pg-"))
        stack.callback(shutil.rmtree, runtime, ignore_errors=True)
        runtime.chmod(0o711)  # the postgres user traverses it to its own subdirectory
        yield _start_postgres(runtime / "postgres", stack, role_options)


def _start_postgres(root: Path, stack: contextlib.ExitStack, role_options: str = "") -> _Postgres:
    initdb, pg_ctl = find_postgres_bin("initdb"), find_postgres_bin("pg_ctl")
    psql = find_postgres_bin("psql")
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root.mkdir(mode=0o700)
    (root / "sockets").mkdir(mode=0o700)
    if as_owner:
        pw = pwd.getpwnam("postgres")
        for p in (root, root / "sockets"):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    log = root / "postgres.log"

    def as_postgres(*command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        # In the owner's own directory: runuser keeps the caller's, which the postgres user may not enter.
        return subprocess.run([*as_owner, *command], input=stdin, cwd=root, capture_output=True, text=True)

    # Local (socket) connections: trust, the socket directory is private to the cluster's owner (and root);
    # TCP on 127.0.0.1: password (SCRAM) only.
    done = as_postgres(
        initdb, "-D", str(root / "data"), "-U", "postgres", "-E", "UTF8", "--locale=C",
        "--auth-local=trust", "--auth-host=scram-sha-256",
    )  # fmt: skip
    if done.returncode:
        raise ClusterUnavailable(f"initdb failed: {done.stderr.strip()[-800:]}")
    port = free_port()
    with open(root / "data" / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# dllab local cluster: loopback only, small.\n"
            f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{root / 'sockets'}'\n"
            "shared_buffers = 32MB\nmax_connections = 60\npassword_encryption = 'scram-sha-256'\n"
        )
    pg = _Postgres(root, port, secrets.token_hex(16), pg_ctl, as_owner)
    started = as_postgres(pg_ctl, "-D", str(root / "data"), "-l", str(log), "-w", "-t", "60", "start")
    stack.callback(pg.stop)
    if started.returncode:
        raise ClusterUnavailable(f"PostgreSQL did not start: {started.stderr.strip()[-400:]}\n{_tail(log)}")
    # The role's password goes in on stdin, never on a command line (ps shows those).
    sql = (
        f"CREATE ROLE {DB_USER} LOGIN {role_options} PASSWORD '{pg.password}';\n"
        f"CREATE DATABASE {DB_NAME} OWNER {DB_USER};\n"
        f"REVOKE ALL ON DATABASE {DB_NAME} FROM PUBLIC;\n"
    )
    made = as_postgres(
        psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(root / "sockets"), "-p", str(port),
        "-U", "postgres", "-d", "postgres", stdin=sql,
    )  # fmt: skip
    if made.returncode:
        raise ClusterUnavailable(f"could not create the lab's role and database: {made.stderr.strip()[-400:]}")
    return pg


# --------------------------------------------------------------------------------------------------- the cluster
@dataclass
class Replica:
    name: str  # app1, app2, ...: what nginx's X-Lab-Replica header and dllab_replica cookie say
    url: str  # the replica itself, bypassing nginx
    port: int
    process: subprocess.Popen
    data_dir: Path
    log: Path

    def kill(self) -> None:
        """kill -9, as a crash would."""
        self.process.kill()
        self.process.wait()


@dataclass
class LocalCluster:
    url: str  # nginx: the address browsers use
    replicas: list[Replica]
    database_url: str  # postgresql://dllab:<password>@127.0.0.1:<port>/dllab (secret: do not log it)
    models_dir: Path  # DLLAB_MODEL_STORE, shared by the replicas
    tmp: Path  # replicas' data dirs, logs, models (deleted on exit)
    nginx: subprocess.Popen
    nginx_conf: Path
    _psql: str = field(repr=False, default="psql")

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def psql(self, sql: str) -> str:
        """Run ``sql`` as the lab's role over TCP with its password (given in the environment, not argv);
        returns psql's unaligned, tuples-only output."""
        from urllib.parse import urlsplit

        u = urlsplit(self.database_url)
        done = subprocess.run(
            [self._psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", u.hostname, "-p", str(u.port)]
            + ["-U", u.username, "-d", u.path.lstrip("/"), "-c", sql],
            env={**os.environ, "PGPASSWORD": u.password, "PGCONNECT_TIMEOUT": "5"},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()


def streamlit_command(port: int, app_args: Sequence[str] = ()) -> list[str]:
    """``streamlit run app.py`` on 127.0.0.1:``port``, headless (the replicas here and the tests' servers)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # No file watcher: a deployed replica never reloads its source (and polling would cost CPU).
        "--server.fileWatcherType",
        "none",
        *(("--", *app_args) if app_args else ()),
    ]


@contextlib.contextmanager
def local_cluster(
    replicas: int = 2,
    *,
    tmp: str | os.PathLike | None = None,
    app_args: Sequence[str] = (),
    extra_env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[LocalCluster]:
    """Start PostgreSQL, ``replicas`` Streamlit replicas sharing it and a model store, and nginx in front, all on
    127.0.0.1; yield a :class:`LocalCluster` once /_stcore/health answers through nginx; stop everything and delete
    the temporary directories on exit (also when starting fails).

    ``tmp``: a directory for the replicas' data dirs, models and logs (a fresh subdirectory is made in it; default:
    the system's). PostgreSQL's data and nginx's runtime files go in a private directory under the system's temp dir,
    as the postgres and nginx worker users must reach them. ``app_args`` go to app.py after ``--``; ``extra_env`` is
    added to the replicas' environment (after the cluster's own variables, so a test may override them)."""
    if replicas < 1:
        raise ValueError("replicas >= 1")
    missing = missing_binaries()
    if missing:
        raise ClusterUnavailable("cannot start a local cluster: " + "; ".join(missing))
    nginx_bin = find_nginx()
    with contextlib.ExitStack() as stack:
        base = Path(tempfile.mkdtemp(prefix="dllab-cluster-", dir=tmp))
        stack.callback(shutil.rmtree, base, ignore_errors=True)
        runtime = Path(tempfile.mkdtemp(prefix="dllab-cluster-rt-"))
        stack.callback(shutil.rmtree, runtime, ignore_errors=True)
        runtime.chmod(0o711)  # the nginx worker user traverses it to its own subdirectory

        pg = stack.enter_context(throwaway_postgres())

        models = base / "models"
        models.mkdir()
        cookie_secret = secrets.token_hex(32)
        started: list[Replica] = []
        for i in range(1, replicas + 1):
            port = free_port()
            data_dir = base / f"app{i}-data"
            data_dir.mkdir()
            log = base / f"app{i}.log"
            env = {
                **os.environ,
                "DLLAB_DATA_DIR": str(data_dir),
                "DLLAB_LEDGER_URL": pg.url,
                "DLLAB_MODEL_STORE": str(models),
                # One cookie secret for all replicas (Streamlit's docs for several replicas): a session that fails
                # over keeps a valid XSRF cookie.
                "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret,
                **(extra_env or {}),
            }
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    streamlit_command(port, app_args), cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            stack.callback(_stop, proc)
            started.append(Replica(f"app{i}", f"http://127.0.0.1:{port}", port, proc, data_dir, log))
        for r in started:
            _wait_healthy(r.url, f"replica {r.name}", timeout, [r.process], r.log)

        ngx = runtime / "nginx"
        ngx.mkdir()
        (ngx / "temp").mkdir()
        user = None
        if os.geteuid() == 0:  # workers drop to nobody: they must write the temp paths
            nobody = pwd.getpwnam("nobody")
            user = f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"
            os.chown(ngx / "temp", nobody.pw_uid, nobody.pw_gid)
        listen_port = free_port()
        conf = ngx / "nginx.conf"
        conf.write_text(
            render_nginx_conf(
                [(r.name, "127.0.0.1", r.port) for r in started],
                listen=f"127.0.0.1:{listen_port}",
                pid_path=str(ngx / "nginx.pid"),
                error_log=str(ngx / "error.log"),
                access_log=str(ngx / "access.log"),
                temp_dir=str(ngx / "temp"),
                user=user,
            )
        )
        nginx_cmd = [nginx_bin, "-e", str(ngx / "error.log"), "-p", str(ngx), "-c", str(conf)]
        checked = subprocess.run([*nginx_cmd, "-t", "-q"], capture_output=True, text=True, check=False)
        if checked.returncode:
            raise ClusterUnavailable(f"nginx -t rejected the configuration: {checked.stderr.strip()}")
        nginx = subprocess.Popen(
            [*nginx_cmd, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        stack.callback(_stop, nginx)
        url = f"http://127.0.0.1:{listen_port}"
        _wait_healthy(url, "nginx", timeout, [nginx], ngx / "error.log")
        yield LocalCluster(
            url=url,
            replicas=started,
            database_url=pg.url,
            models_dir=models,
            tmp=base,
            nginx=nginx,
            nginx_conf=conf,
            _psql=find_postgres_bin("psql"),
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--render-compose", action="store_true", help=f"rewrite {COMPOSE_NGINX_CONF.name} and stop")
    args = ap.parse_args(argv)
    if args.render_compose:
        COMPOSE_NGINX_CONF.write_text(render_compose_conf())
        print(f"wrote {COMPOSE_NGINX_CONF}")
        return 0
    try:
        with local_cluster(args.replicas) as cluster:
            print(f"lab through nginx: {cluster.url}")
            for r in cluster.replicas:
                print(f"  {r.name}: {r.url} (pid {r.process.pid}, log {r.log})")
            print(f"ledger: {safe_url(cluster.database_url)}\nCtrl-C stops everything.")
            while all(r.process.poll() is None for r in cluster.replicas) and cluster.nginx.poll() is None:
                time.sleep(1)
            print("a replica or nginx exited; stopping")
    except KeyboardInterrupt:
        pass
    except ClusterUnavailable as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
