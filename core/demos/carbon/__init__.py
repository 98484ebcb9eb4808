"""Training a model costs energy, and energy x the grid's carbon intensity is CO2: our runs cost grams, published giants cost tonnes.

The CO2 demo (``pages/carbon.py``), one module per lesson; the meter every training goes through
is the building block :mod:`core.carbon` (codecarbon, offline), and the run ledger is :mod:`core.ledger`.

* :mod:`~core.demos.carbon.published` — published footprints with their citations and scope
  (Strubell 2019, Patterson 2021, BLOOM, Llama 2), GPT-3's compute, a brain vs AlphaGo in watts.
* :mod:`~core.demos.carbon.calculator` — kWh to CO2: grid intensities from codecarbon's data,
  the same energy on other grids, the TDP x hours x PUE calculator, everyday equivalents.
* :mod:`~core.demos.carbon.lab_runs` — this lab's own runs: the ledger read as data (sums per
  demo, ladder points, measured runs with their metrics) and its provenance.
* :mod:`~core.demos.carbon.workloads` — the page's experiment: seeded workloads trained and
  measured here (a live run, the reference set), their store keys and jobs.
* :mod:`~core.demos.carbon.live` — codecarbon's running totals drawn while a run trains.
* :mod:`~core.demos.carbon.fit` — the energy-vs-compute fit through the reference runs, and its
  extrapolation to GPT-3 as a range.
* :mod:`~core.demos.carbon.figures` — the charts: grams to tonnes, the fit, accuracy vs energy.

:func:`jobs` and :func:`warm_up_jobs` are the demo's trainings as the page's Train button and
the lecture warm-up run them; they import :mod:`.workloads` (and torch) only when called, so the
published figures and the calculator stay light to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.demos.carbon.workloads import Workload
    from core.training import Job


def jobs(workload: Workload) -> list[Job]:
    """What the page's *Train and measure* needs for ``workload``: its live run (:func:`.workloads.jobs`)."""
    from core.demos.carbon import workloads

    return workloads.jobs(workload)


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the page for ``seed``, then the reference set of the energy fit (:func:`.workloads.warm_up_jobs`)."""
    from core.demos.carbon import workloads

    return workloads.warm_up_jobs(seed)
