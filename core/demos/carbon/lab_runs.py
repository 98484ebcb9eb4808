"""This lab's own runs: every training the ledger recorded, read as data for the tables and charts.

Every training in the lab goes through :func:`core.training.fit`, which measures it with
codecarbon (:mod:`core.carbon`) and appends one row to the ledger (:mod:`core.ledger`).
Here those rows become what the CO2 page shows: sums per demo (:func:`per_demo_frame`),
points for the grams-to-tonnes ladder (:func:`ladder_runs`), and the measured runs with their
metrics unpacked (:func:`measured_runs`), which the energy fit and the accuracy chart read.

Only rows codecarbon *measured* count: a run that was not measured has no energy, and
counting it as zero would understate the total.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from core.provenance import Provenance, library_version

if TYPE_CHECKING:  # imported lazily below: pandas costs ~0.5 s at import
    import pandas as pd

DEMO = "carbon"  # how the ledger names this demo's own runs
CODECARBON = "codecarbon"
LADDER_RUNS = 12  # the most recent runs on the ladder; the total stands for the rest (hundreds would not fit)


def codecarbon_name() -> str:
    """``"codecarbon 3.3.2"``: how a caption names the tool that measured a run (the installed version, read now)."""
    return f"{CODECARBON} {library_version(CODECARBON)}"


def ledger_provenance() -> Provenance:
    """What the ledger's rows are: measured by codecarbon, on this installation, by every demo."""
    return Provenance(
        "measured",
        model=f"{codecarbon_name()} offline tracker (see each row's method)",
        data="this installation's ledger, all demos and sessions",
    )


def accuracy_provenance(runs: pd.DataFrame) -> Provenance:
    """What the accuracy-vs-energy chart of ``runs`` (from :func:`measured_runs`) shows."""
    return ledger_provenance().but(
        data=f"{int(runs['test_acc'].notna().sum())} ledger runs that recorded a "
        "test accuracy (each on its own demo's task)"
    )


def per_demo_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Measured ledger rows summed per demo: columns ``demo, runs, energy_kwh, emissions_kg``.

    Only ``status == "measured"`` rows count: a run that was not measured has no
    energy, and counting it as zero would understate the total.
    """
    import pandas as pd

    measured = rows[rows["status"] == "measured"] if len(rows) else rows
    if measured.empty:
        return pd.DataFrame({"demo": [], "runs": [], "energy_kwh": [], "emissions_kg": []})
    grouped = measured.groupby("demo", sort=True).agg(
        runs=("id", "count"), energy_kwh=("energy_kwh", "sum"), emissions_kg=("emissions_kg", "sum")
    )
    return grouped.reset_index()


def ladder_points(rows: pd.DataFrame) -> list[tuple[str, float]]:
    """(``"#id demo: label"``, kg CO2e) for each measured run, ready for :func:`scale_ladder_figure`."""
    if not len(rows):
        return []
    measured = rows[(rows["status"] == "measured") & rows["emissions_kg"].notna()]
    # The run id keeps labels unique: two runs called "train" must stay two points.
    return [(f"#{r.id} {r.demo}: {_short(r.label)}", float(r.emissions_kg)) for r in measured.itertuples()]


def _short(label: str, width: int = 36) -> str:
    """Labels on the ladder's axis stay short, or they squeeze the plot (the hover and ledger keep them whole)."""
    return label if len(label) <= width else label[: width - 1] + "…"


def ladder_runs(rows: pd.DataFrame, total_kg: float, last: int = LADDER_RUNS) -> list[tuple[str, float]]:
    """The ladder's points for this lab: its ``last`` measured runs, then ``total_kg``, the total of all of them."""
    return ladder_points(rows)[-last:] + ([("all measured runs of this lab, total", total_kg)] if total_kg else [])


def measured_runs(rows: pd.DataFrame) -> pd.DataFrame:
    """Measured ledger rows with their metrics unpacked.

    Columns: ``id, demo, label, seed, method, duration_s, energy_kwh, emissions_kg, test_acc,
    train_flops, parameters`` (NaN where a run did not record a metric, e.g. runs from
    before metrics were stored, or adversarial training whose attack compute is not counted).
    """
    import pandas as pd

    columns = [
        "id",
        "demo",
        "label",
        "seed",
        "method",
        "duration_s",
        "energy_kwh",
        "emissions_kg",
        "test_acc",
        "train_flops",
        "parameters",
    ]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    rows = rows[(rows["status"] == "measured") & rows["energy_kwh"].notna()].copy()
    if "seed" not in rows:
        rows["seed"] = math.nan
    metrics = [_metrics(text) for text in rows.get("metrics_json", pd.Series([None] * len(rows)))]
    for name in ("test_acc", "train_flops", "parameters"):
        rows[name] = [m.get(name, math.nan) for m in metrics]
    return rows[columns].reset_index(drop=True).astype({"test_acc": float, "train_flops": float, "parameters": float})


def _metrics(text) -> dict:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
