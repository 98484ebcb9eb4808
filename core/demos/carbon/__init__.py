"""Training a model costs energy, and energy x the grid's carbon intensity is CO2: our runs cost grams, published giants cost tonnes.

The CO2 demo (``pages/carbon.py``) in two parts; the meter every training goes through is the
building block :mod:`core.carbon` (codecarbon, offline), and the run ledger is :mod:`core.ledger`.

* :mod:`core.demos.carbon.footprint` — published footprints with their citations, the calculator,
  grids and everyday equivalents.
* :mod:`core.demos.carbon.workloads` — the page's own experiment: seeded reference workloads trained
  and measured here, an energy-vs-compute fit, and its extrapolation as a range.
"""
