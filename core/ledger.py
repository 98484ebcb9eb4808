"""The carbon ledger: every training run the lab has done, in one table of one database.

Where: an SQLite file in the lab's data directory by default (``core.paths.data_dir()``, settable with
``DLLAB_DATA_DIR``), or the PostgreSQL database named by ``DLLAB_LEDGER_URL`` when several servers share one
ledger (see :mod:`core.database` for the choice and why). The same SQL runs on both.

Why a database: each append is one transaction, so it is atomic — a crash or a ``kill -9`` in the middle
of a run or of a write loses at most that run's own row, never an earlier one (SQLite's journal and
PostgreSQL's write-ahead log restore the last committed state). Concurrent sessions, server processes and
replicas append safely; each row carries a random ``run_id``, so a row sent twice is stored once.

If the ledger cannot be read or written (read-only or full disk, a corrupt file, a database that is down or
refuses the password) the lab keeps working and says the ledger is unavailable: methods raise
:class:`LedgerUnavailable` with a message fit for a user (never with a password in it). A run that a
PostgreSQL server could not take is not lost: it waits in a small SQLite *outbox* in this server's data
directory and is sent with the next append that reaches the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.database import (
    DatabaseUnavailable,
    Engine,
    PostgresEngine,
    SQLiteEngine,
    configured_url,
    engine_from_url,
    redact,
)
from core.errors import Unavailable
from core.paths import data_dir

if TYPE_CHECKING:
    import pandas as pd

LEDGER_FILE = "ledger.sqlite3"
OUTBOX_FILE = "ledger-outbox.sqlite3"  # runs a PostgreSQL ledger could not take yet (this server only)


class LedgerUnavailable(Unavailable):
    """The ledger cannot be read or written; the message says why."""


# Why the latest append to each ledger failed, by where it is ('' once one succeeds again). Kept for the
# whole process on purpose: a full or read-only disk, or a database that is down, is the same for every
# session, so the app's frame can tell every user that runs are not being recorded (see Ledger.write_problem
# and ui.shell).
_write_problems: dict[str, str] = {}
_write_problems_lock = threading.Lock()
# PostgreSQL ledgers whose table this process has already created or upgraded (SQLite checks on every open:
# the file may have been replaced, and the check costs microseconds).
_schema_ready: set[str] = set()


@dataclass(frozen=True)
class LedgerRow:
    """One measured (or not measured) training run."""

    demo: str
    label: str
    config_json: str
    seed: int | None
    duration_s: float
    energy_kwh: float | None
    emissions_kg: float | None
    country: str
    intensity_g_per_kwh: float | None
    method: str
    status: str  # "measured" or "not measured"
    started_utc: str = ""
    # What the run achieved, as JSON, e.g. {"test_acc": 0.89, "parameters": 421642, "samples_seen": 24000}:
    # the CO2 page plots accuracy against energy and fits energy against workload from these.
    metrics_json: str = "{}"
    # A random name given at the first append (None in rows from ledgers older than it): a row sent again
    # after a lost connection, or imported twice from an old file, is stored once.
    run_id: str | None = None

    @staticmethod
    def now() -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")


_COLUMNS = [f.name for f in fields(LedgerRow)]
_REAL = {"duration_s", "energy_kwh", "emissions_kg", "intensity_g_per_kwh"}


def _column_type(column: str, engine: Engine) -> str:
    return engine.real if column in _REAL else "INTEGER" if column == "seed" else "TEXT"


class Ledger:
    """Append-only table of runs: the SQLite file ``path``, else the database of ``url`` or ``DLLAB_LEDGER_URL``,
    else ``<data_dir>/ledger.sqlite3``."""

    def __init__(self, path: Path | str | None = None, *, url: str | None = None) -> None:
        url = configured_url() if path is None and url is None else url
        if path is not None:
            engine: Engine = SQLiteEngine(path)
        elif url:
            try:
                engine = engine_from_url(url)
            except DatabaseUnavailable as err:  # a typo in the URL, or psycopg missing
                raise LedgerUnavailable(f"The carbon ledger cannot be opened: {err}.") from err
        else:
            try:
                engine = SQLiteEngine(data_dir() / LEDGER_FILE)
            except OSError as err:  # e.g. a read-only home directory on a hosted demo
                raise LedgerUnavailable(
                    f"The lab's data directory cannot be created ({err}); set DLLAB_DATA_DIR to a writable folder."
                ) from err
        self.engine = engine
        self.where = engine.where  # the file, or the URL with its password hidden: safe to show
        self.path = getattr(engine, "path", None)  # the SQLite file, or None for a database server

    @contextlib.contextmanager
    def _transaction(self, doing: str):
        """A cursor inside one transaction: committed if the block ends, rolled back if it raises.

        ``doing`` completes the message of a failure: "The carbon ledger at X cannot be <doing> (why)."
        """
        try:
            con = self.engine.connect()
        except DatabaseUnavailable as err:
            raise LedgerUnavailable(f"The carbon ledger at {err}.") from err
        try:
            cursor = con.cursor()
            self._ensure_table(cursor)
            yield cursor
            con.commit()
        except self.engine.errors as err:
            with contextlib.suppress(*self.engine.errors):
                con.rollback()
            message = redact(str(err).strip(), getattr(self.engine, "url", ""))
            raise LedgerUnavailable(f"The carbon ledger at {self.where} cannot be {doing} ({message}).") from err
        except BaseException:
            with contextlib.suppress(*self.engine.errors):
                con.rollback()
            raise
        finally:
            con.close()

    def _ensure_table(self, cursor) -> None:
        """Create the table if it is missing, and upgrade one written by an older version of the lab."""
        if isinstance(self.engine, PostgresEngine) and self.where in _schema_ready:
            return
        self.engine.lock_schema(cursor)
        columns = ", ".join(f"{c} {_column_type(c, self.engine)}" for c in _COLUMNS)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS runs ({self.engine.id_column}, {columns})")
        _add_missing_columns(cursor, self.engine)
        cursor.execute("CREATE UNIQUE INDEX IF NOT EXISTS runs_run_id ON runs (run_id)")
        if isinstance(self.engine, PostgresEngine):
            _schema_ready.add(self.where)

    def append(self, row: LedgerRow) -> int:
        """Write one row atomically; returns its id.

        On a PostgreSQL ledger that cannot take it, the row waits in this server's outbox (sent with the
        next append that succeeds) and :class:`LedgerUnavailable` says so.
        """
        row = replace(row, started_utc=row.started_utc or LedgerRow.now(), run_id=row.run_id or uuid.uuid4().hex)
        try:
            with self._transaction("written to") as cursor:
                row_id = self._insert(cursor, row)
        except LedgerUnavailable as err:
            message = str(err)
            if isinstance(self.engine, PostgresEngine):
                message += " " + _keep_in_outbox(row)
            self._note_write(message)
            raise LedgerUnavailable(message) from err
        self._note_write("")
        if isinstance(self.engine, PostgresEngine):
            self.send_outbox()
        return row_id

    def _insert(self, cursor, row: LedgerRow) -> int | None:
        """INSERT one row (skipped if its run_id is already stored); its id, or None when skipped."""
        marks = ", ".join(self.engine.param for _ in _COLUMNS)
        cursor.execute(
            f"INSERT INTO runs ({', '.join(_COLUMNS)}) VALUES ({marks}) ON CONFLICT (run_id) DO NOTHING RETURNING id",
            [getattr(row, c) for c in _COLUMNS],
        )
        found = cursor.fetchone()
        return int(found[0]) if found else None

    def send_outbox(self) -> int:
        """Send the runs waiting in this server's outbox to this (PostgreSQL) ledger; how many were sent.

        Sent first, deleted from the outbox after the database committed them: a crash in between sends
        them again next time, and their run_id makes the second copy a no-op.
        """
        outbox = _outbox()
        if outbox is None or not outbox.engine.exists():
            return 0
        try:
            waiting = outbox.every_row()
            if not waiting:
                return 0
            with self._transaction("written to") as cursor:
                for row in waiting:
                    self._insert(cursor, row)
            outbox.forget([row.run_id for row in waiting])
        except LedgerUnavailable:
            return 0  # still unreachable: they wait for the next try
        return len(waiting)

    def every_row(self) -> list[LedgerRow]:
        """Every row, oldest first, as :class:`LedgerRow` (for the outbox, and an old ledger being imported;
        :meth:`rows` gives a DataFrame for pages)."""
        with self._transaction("read") as cursor:
            cursor.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs ORDER BY id")
            return [LedgerRow(*values) for values in cursor.fetchall()]

    def forget(self, run_ids: list[str]) -> None:
        """Delete the rows with these run_ids (the outbox, once the database has them)."""
        with self._transaction("written to") as cursor:
            for run_id in run_ids:
                cursor.execute(f"DELETE FROM runs WHERE run_id = {self.engine.param}", [run_id])

    def write_problem(self) -> str:
        """Why the latest append to this ledger (by any session of this process) failed; '' if it
        succeeded or none was tried. A later successful append clears it (e.g. space was freed)."""
        with _write_problems_lock:
            return _write_problems.get(self.where, "")

    def _note_write(self, problem: str) -> None:
        with _write_problems_lock:
            if problem:
                _write_problems[self.where] = problem
            else:
                _write_problems.pop(self.where, None)

    def rows(self) -> pd.DataFrame:
        """All runs, oldest first (an empty frame with the columns if none)."""
        import pandas as pd  # lazily: the home page needs only totals(), and pandas costs ~0.5 s to import

        if not self.engine.exists():
            return pd.DataFrame(columns=["id", *_COLUMNS])
        with self._transaction("read") as cursor:
            cursor.execute(f"SELECT id, {', '.join(_COLUMNS)} FROM runs ORDER BY id")
            records = cursor.fetchall()
        return pd.DataFrame.from_records(records, columns=["id", *_COLUMNS], coerce_float=True)

    def totals(self) -> dict:
        """Run count; energy (kWh) and emissions (kg CO2e) summed over measured runs, per demo too;
        and the distinct methods and grids those sums mix (a sum must say what it adds up)."""
        if not self.engine.exists():
            return {
                "runs": 0,
                "measured_runs": 0,
                "energy_kwh": 0.0,
                "emissions_kg": 0.0,
                "per_demo": {},
                "methods": [],
                "countries": [],
            }
        measured = "FROM runs WHERE status = 'measured'"

        def query(sql: str) -> list[tuple]:
            cursor.execute(sql)
            return cursor.fetchall()

        with self._transaction("read") as cursor:
            [(runs,)] = query("SELECT COUNT(*) FROM runs")
            [(count, energy, emissions)] = query(
                f"SELECT COUNT(*), COALESCE(SUM(energy_kwh), 0), COALESCE(SUM(emissions_kg), 0) {measured}"
            )
            per_demo = {
                demo: {"energy_kwh": e, "emissions_kg": c}
                for demo, e, c in query(
                    f"SELECT demo, SUM(energy_kwh), SUM(emissions_kg) {measured} GROUP BY demo ORDER BY demo"
                )
            }
            methods = [m for (m,) in query(f"SELECT DISTINCT method {measured} ORDER BY method")]
            countries = [c for (c,) in query(f"SELECT DISTINCT country {measured} ORDER BY country")]
        return {
            "runs": int(runs),
            "measured_runs": int(count),
            "energy_kwh": float(energy),
            "emissions_kg": float(emissions),
            "per_demo": per_demo,
            "methods": methods,
            "countries": countries,
        }

    def import_from(self, old: Ledger) -> int:
        """Copy every row of ``old`` (e.g. a lecture laptop's SQLite file) into this ledger; how many were new.

        Rows from ledgers older than ``run_id`` get one made from their content, so importing the same
        file twice adds nothing the second time.
        """
        rows = [row if row.run_id else replace(row, run_id=_content_id(row)) for row in old.every_row()]
        with self._transaction("written to") as cursor:
            return sum(self._insert(cursor, row) is not None for row in rows)


def _content_id(row: LedgerRow) -> str:
    return "imported-" + hashlib.sha256(json.dumps(asdict(row), sort_keys=True).encode()).hexdigest()[:32]


def _outbox() -> Ledger | None:
    """This server's outbox (an SQLite ledger in its data directory), or None if that cannot be created."""
    try:
        return Ledger(data_dir() / OUTBOX_FILE)
    except OSError:
        return None


def _keep_in_outbox(row: LedgerRow) -> str:
    """Put ``row`` in the outbox; the sentence that says what became of it."""
    outbox = _outbox()
    try:
        if outbox is None:
            raise LedgerUnavailable("the data directory cannot be created")
        outbox.append(row)
    except LedgerUnavailable as err:
        return f"This run could not be kept on this server either ({err}), so it is missing from the ledger."
    return "The run is kept on this server and will be added when the database answers again."


def _add_missing_columns(cursor, engine: Engine) -> None:
    """Upgrade a ledger written by an older version of the lab: add new columns, keep every row."""
    present = engine.columns(cursor, "runs")
    defaults = {f.name: f.default for f in fields(LedgerRow) if isinstance(f.default, str)}
    for column in _COLUMNS:
        if column not in present:  # old rows get the field's default, e.g. metrics_json = '{}' (run_id: NULL)
            default = f" DEFAULT '{defaults[column]}'" if column in defaults else ""
            cursor.execute(f"ALTER TABLE runs ADD COLUMN {column} {_column_type(column, engine)}{default}")


def config_to_json(config) -> str:
    """Stable JSON of a config dataclass (or dict) for the ledger."""
    data = asdict(config) if hasattr(config, "__dataclass_fields__") else dict(config)
    return json.dumps(data, sort_keys=True, default=str)


def main(argv: list[str] | None = None) -> int:
    """``python -m core.ledger import OLD.sqlite3``: copy an old SQLite ledger into the configured one."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m core.ledger", description=main.__doc__)
    parser.add_argument("command", choices=["import"])
    parser.add_argument("old", type=Path, help="an SQLite ledger file, e.g. ~/.dl-limits-lab/ledger.sqlite3")
    args = parser.parse_args(argv)
    if not args.old.is_file():
        parser.error(f"{args.old} is not a file")
    try:
        target = Ledger()
        added = target.import_from(Ledger(args.old))
    except LedgerUnavailable as err:
        print(err)
        return 1
    print(f"{added} run(s) added to the ledger at {target.where}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
