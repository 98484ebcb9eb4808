"""Tab 3, "Ridge = a prior": the deck's 4-point cubic, fitted by maximum likelihood and with a Gaussian prior.

Deck 004 (Galiez) fits y = β0 + β1 x + β2 x² + β3 x³ to four points and publishes two coefficient vectors:

* maximum likelihood (least squares): β = (5.169, −54.388, 155.755, −114.487);
* maximum a posteriori with a prior β ~ N(0, η² I): β = (−0.1279, 2.2561, −1.5779, 0.3180).

With Gaussian noise of variance σ², the MAP estimate is ridge regression with λ = σ² / η²:
β_λ = (XᵀX + λI)⁻¹ Xᵀy (every coefficient penalised, the intercept too, as the prior says). λ = 0 is maximum
likelihood; λ → ∞ shrinks every coefficient to 0.

**What is recovered, and what is not.** The deck's four points are not given. A cubic through four points
interpolates them, so the published ML cubic *is* the curve through the deck's points: we choose four positions
x = 0.2, 0.4, 0.6, 0.8 (our choice, evenly spaced in [0, 1]; the deck's are unknown) and read y off the
published ML cubic. Our λ = 0 fit then reproduces the published ML β exactly (a test).

The published MAP β cannot be reproduced by ridge on *any* four points of that cubic, for any λ: ridge gives
XᵀX (β_ML − β_MAP) = λ β_MAP, so (β_ML − β_MAP)ᵀ XᵀX (β_ML − β_MAP) = λ (β_ML − β_MAP)ᵀ β_MAP, whose left side is
≥ 0 while (β_ML − β_MAP)ᵀ β_MAP = −413 < 0 for the published vectors (:func:`map_gap`; a test). The deck's MAP
must come from other data or another prior (e.g. a different noise model). So the page shows the published MAP
beside ours, labelled, and does not pretend the slider reaches it: what it shows is the same mechanism —
a prior pulls the wild ML coefficients towards 0 and the curve towards a flat one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import BadInput
from core.provenance import Provenance

PUBLISHED_ML = (5.169, -54.388, 155.755, -114.487)  # deck 004: maximum likelihood β0..β3
PUBLISHED_MAP = (-0.1279, 2.2561, -1.5779, 0.3180)  # deck 004: MAP with a N(0, η²) prior
PUBLISHED = "published (Galiez, deck 004)"
POSITIONS = (0.2, 0.4, 0.6, 0.8)  # our choice (the deck's are not given): evenly spaced in [0, 1]
LOG_LAMBDA_MIN, LOG_LAMBDA_MAX = -8.0, 6.0  # the slider (log10 λ); its left end means λ = 0 exactly
PRESET_LOG_LAMBDA = -2.0  # λ = 0.01: the coefficients already shrink by orders of magnitude


def design(x) -> np.ndarray:
    """The cubic's design matrix: columns 1, x, x², x³."""
    return np.vander(np.asarray(x, dtype=float), 4, increasing=True)


def points() -> pd.DataFrame:
    """The four points: our positions, y read off the published ML cubic (see the module docstring)."""
    x = np.array(POSITIONS)
    return pd.DataFrame({"x": x, "y": design(x) @ np.array(PUBLISHED_ML)})


def ridge(x, y, lam: float) -> np.ndarray:
    """β minimising ‖y − Xβ‖² + λ‖β‖² for the cubic (λ = 0: least squares, i.e. maximum likelihood)."""
    if not (lam >= 0 and np.isfinite(lam)):
        raise BadInput(f"λ must be a finite number >= 0, got {lam}")
    X = design(x)
    return np.linalg.solve(X.T @ X + lam * np.eye(4), X.T @ np.asarray(y, dtype=float))


def lam_of(log_lambda: float) -> float:
    """The slider's value (log10 λ) as λ; its left end is λ = 0 exactly (maximum likelihood)."""
    return 0.0 if log_lambda <= LOG_LAMBDA_MIN else float(10.0**log_lambda)


def coefficients(lam: float) -> pd.DataFrame:
    """Our β at λ = 0 and at ``lam`` beside the published ML and MAP vectors: one row each, columns β0..β3."""
    data = points()
    rows = {
        f"{PUBLISHED}: maximum likelihood": PUBLISHED_ML,
        "ours, λ = 0 (maximum likelihood)": ridge(data.x, data.y, 0.0),
        f"ours, λ = {lam:.3g}": ridge(data.x, data.y, lam),
        f"{PUBLISHED}: MAP, prior N(0, η²)": PUBLISHED_MAP,
    }
    frame = pd.DataFrame(
        [np.round(np.asarray(v, dtype=float), 4) for v in rows.values()], columns=["β0", "β1", "β2", "β3"]
    )
    frame.insert(0, "fit", list(rows))
    return frame


def curves(lam: float, n: int = 201) -> pd.DataFrame:
    """On x in [0, 1]: the published ML cubic (= ours at λ = 0), ours at ``lam`` and the published MAP cubic."""
    data = points()
    x = np.linspace(0.0, 1.0, n)
    return pd.DataFrame(
        {
            "x": x,
            "maximum likelihood": design(x) @ np.array(PUBLISHED_ML),
            "ridge": design(x) @ ridge(data.x, data.y, lam),
            "published MAP": design(x) @ np.array(PUBLISHED_MAP),
        }
    )


def path(log_lambdas=None) -> pd.DataFrame:
    """Our coefficients along λ (log10 λ, by default from −6 to 6): ``log_lambda``, ``β0``..``β3``, ``norm``."""
    log_lambdas = np.arange(-6.0, 6.01, 0.25) if log_lambdas is None else np.asarray(log_lambdas, dtype=float)
    data = points()
    betas = np.array([ridge(data.x, data.y, 10.0**s) for s in log_lambdas])
    frame = pd.DataFrame(betas, columns=["β0", "β1", "β2", "β3"])
    frame.insert(0, "log_lambda", log_lambdas)
    frame["norm"] = np.linalg.norm(betas, axis=1)
    return frame


def map_gap() -> float:
    """(β_ML − β_MAP)ᵀ β_MAP of the published vectors: ridge on any points of the ML cubic needs it >= 0."""
    ml, mp = np.array(PUBLISHED_ML), np.array(PUBLISHED_MAP)
    return float((ml - mp) @ mp)


def provenance(lam: float) -> Provenance:
    return Provenance(
        "measured",
        model=f"cubic, ridge λ = {lam:.3g} (λ = 0: maximum likelihood); published vectors beside",
        data=f"4 points at x = {', '.join(map(str, POSITIONS))} (our choice), y on the published ML cubic",
        source="coefficients published in Galiez, deck 004 'Why deep learning?'",
    )
