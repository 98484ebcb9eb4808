"""The carbon ledger: every training run the lab has done, in one SQLite file.

Why SQLite: each append is one transaction, so it is atomic — a crash or a
``kill -9`` in the middle of a run or of a write loses at most that run's own row,
never an earlier one (SQLite's rollback journal restores the last committed state
on the next open). Concurrent sessions and server processes can append safely.

The file lives in the lab's data directory (``core.paths.data_dir()``, settable
with ``DLLAB_DATA_DIR``). If it cannot be read or written (read-only disk, full
disk, a corrupt file) the lab keeps working and says the ledger is unavailable:
methods raise :class:`LedgerUnavailable` with a message fit for a user.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import Unavailable
from core.paths import data_dir

if TYPE_CHECKING:
    import pandas as pd

LEDGER_FILE = "ledger.sqlite3"


class LedgerUnavailable(Unavailable):
    """The ledger cannot be read or written; the message says why."""


# Why the latest append to each ledger file failed, by path ('' once one succeeds again). Kept for the
# whole process on purpose: a full or read-only disk is the same for every session, so the app's frame
# can tell every user that runs are not being recorded (see Ledger.write_problem and ui.shell).
_write_problems: dict[str, str] = {}
_write_problems_lock = threading.Lock()


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

    @staticmethod
    def now() -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")


_COLUMNS = [f.name for f in fields(LedgerRow)]
_TYPES = {
    "seed": "INTEGER",
    "duration_s": "REAL",
    "energy_kwh": "REAL",
    "emissions_kg": "REAL",
    "intensity_g_per_kwh": "REAL",
}
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    + ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in _COLUMNS)
    + ")"
)


class Ledger:
    """Append-only table of runs in ``path`` (default: ``<data_dir>/ledger.sqlite3``)."""

    def __init__(self, path: Path | str | None = None) -> None:
        if path is None:
            try:
                path = data_dir() / LEDGER_FILE
            except OSError as err:  # e.g. a read-only home directory on a hosted demo
                raise LedgerUnavailable(
                    f"The lab's data directory cannot be created ({err}); set DLLAB_DATA_DIR to a writable folder."
                ) from err
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        # A new connection per call: sqlite3 connections must not cross threads, and
        # Streamlit runs each session in its own thread.
        try:
            con = sqlite3.connect(self.path, timeout=10.0)
            con.execute("PRAGMA synchronous=FULL")  # a committed row survives a power cut
            con.execute(_SCHEMA)
            _add_missing_columns(con)
            return con
        except sqlite3.DatabaseError as err:
            raise LedgerUnavailable(f"The carbon ledger at {self.path} cannot be opened ({err}).") from err

    def append(self, row: LedgerRow) -> int:
        """Write one row atomically; returns its id."""
        values = asdict(row)
        values["started_utc"] = values["started_utc"] or LedgerRow.now()
        sql = f"INSERT INTO runs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
        try:
            with contextlib.closing(self._connect()) as con, con:  # one transaction: all or nothing
                cur = con.execute(sql, [values[c] for c in _COLUMNS])
        except LedgerUnavailable as err:  # the file cannot be opened (corrupt, unwritable folder)
            self._note_write(str(err))
            raise
        except sqlite3.Error as err:  # read-only, disk full, locked too long, corrupt
            message = f"Could not record the run in the carbon ledger at {self.path} ({err})."
            self._note_write(message)
            raise LedgerUnavailable(message) from err
        self._note_write("")
        return int(cur.lastrowid)

    def write_problem(self) -> str:
        """Why the latest append to this file (by any session of this process) failed; '' if it
        succeeded or none was tried. A later successful append clears it (e.g. space was freed)."""
        with _write_problems_lock:
            return _write_problems.get(str(self.path), "")

    def _note_write(self, problem: str) -> None:
        with _write_problems_lock:
            if problem:
                _write_problems[str(self.path)] = problem
            else:
                _write_problems.pop(str(self.path), None)

    def rows(self) -> pd.DataFrame:
        """All runs, oldest first (an empty frame with the columns if none)."""
        import pandas as pd  # lazily: the home page needs only totals(), and pandas costs ~0.5 s to import

        if not self.path.exists():
            return pd.DataFrame(columns=["id", *_COLUMNS])
        try:
            with contextlib.closing(self._connect()) as con:
                return pd.read_sql_query("SELECT * FROM runs ORDER BY id", con)
        except (sqlite3.Error, pd.errors.DatabaseError) as err:
            raise LedgerUnavailable(f"The carbon ledger at {self.path} cannot be read ({err}).") from err

    def totals(self) -> dict:
        """Run count; energy (kWh) and emissions (kg CO2e) summed over measured runs, per demo too;
        and the distinct methods and grids those sums mix (a sum must say what it adds up)."""
        if not self.path.exists():
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
        try:
            with contextlib.closing(self._connect()) as con:
                runs = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
                count, energy, emissions = con.execute(
                    f"SELECT COUNT(*), COALESCE(SUM(energy_kwh), 0), COALESCE(SUM(emissions_kg), 0) {measured}"
                ).fetchone()
                per_demo = {
                    demo: {"energy_kwh": e, "emissions_kg": c}
                    for demo, e, c in con.execute(
                        f"SELECT demo, SUM(energy_kwh), SUM(emissions_kg) {measured} GROUP BY demo ORDER BY demo"
                    )
                }
                methods = [m for (m,) in con.execute(f"SELECT DISTINCT method {measured} ORDER BY method")]
                countries = [c for (c,) in con.execute(f"SELECT DISTINCT country {measured} ORDER BY country")]
        except sqlite3.Error as err:
            raise LedgerUnavailable(f"The carbon ledger at {self.path} cannot be read ({err}).") from err
        return {
            "runs": runs,
            "measured_runs": count,
            "energy_kwh": float(energy),
            "emissions_kg": float(emissions),
            "per_demo": per_demo,
            "methods": methods,
            "countries": countries,
        }


def _add_missing_columns(con: sqlite3.Connection) -> None:
    """Upgrade a ledger written by an older version of the lab: add new columns, keep every row."""
    present = {name for _, name, *_ in con.execute("PRAGMA table_info(runs)")}
    defaults = {f.name: f.default for f in fields(LedgerRow) if isinstance(f.default, str)}
    for column in _COLUMNS:
        if column not in present:  # old rows get the field's default, e.g. metrics_json = '{}'
            default = f" DEFAULT '{defaults[column]}'" if column in defaults else ""
            con.execute(f"ALTER TABLE runs ADD COLUMN {column} {_TYPES.get(column, 'TEXT')}{default}")
    con.commit()


def config_to_json(config) -> str:
    """Stable JSON of a config dataclass (or dict) for the ledger."""
    data = asdict(config) if hasattr(config, "__dataclass_fields__") else dict(config)
    return json.dumps(data, sort_keys=True, default=str)
