"""Double descent: past the interpolation threshold N = n, more parameters make the test error fall again.

Belkin, Hsu, Ma & Mandal (2019), "Reconciling modern machine-learning practice and the classical
bias-variance trade-off", PNAS 116(32):15849-15854. Their Fig. 1 draws the two curves side by side:
the classical U (panel A) and the "double descent" curve (panel B), whose peak sits at the
*interpolation threshold*, the smallest model that fits the training data exactly; for N random
features and n training points fitted by least squares that is N = n. Their Fig. 2 measures it with
N random Fourier features on a 10^4-image subset of MNIST, fitted by minimum-norm least squares
(zero-one loss, squared loss and the norm of the solution against N): the test error peaks at
N = n = 10^4 and falls again beyond it. The paper reports the same shape with random ReLU features,
the features used here.

Here, live: ``n`` Fashion-MNIST images (shipped split, pixels centred on the training mean), N random
ReLU features ``max(0, <v_j, x>)`` with ``v_j`` drawn uniformly on the unit sphere, and one-hot targets
fitted by the minimum-norm least-squares solution (``numpy.linalg.lstsq``: the pseudo-inverse, whose
singular values below machine precision x the largest are treated as zero, numpy's documented
default; nothing else is cut or clipped). Below N = n the fit is the ordinary least-squares one; from
N = n on it interpolates (training error 0 to rounding) and, among all interpolating solutions, has the
smallest norm: the "implicit regularisation" that makes the error fall again. At N = n exactly the
square feature matrix is badly conditioned and the test error is largest, yet finite.

Numpy only (no torch): the tab stays light; about 1 s for the preset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import plots
from core.errors import BadInput
from core.provenance import Provenance

BELKIN_2019 = (
    "Belkin, Hsu, Ma & Mandal 2019, 'Reconciling modern machine-learning practice and the classical "
    "bias-variance trade-off', PNAS 116(32):15849-15854 (Fig. 1: the double-descent curve; Fig. 2: random "
    "Fourier features on MNIST, test error peaking at N = n)"
)
CLAIM_LABEL = "published claim: peak at N ≈ n (Belkin et al. 2019)"
IMAGES = 10_000  # images in the shipped Fashion-MNIST split: training and test points are drawn from it
CLASSES = 10
PIXELS = 28 * 28
MODEL = "min-norm least squares on N random ReLU features"


@dataclass(frozen=True)
class DoubleDescentConfig:
    """One sweep of the number of random features N for a fixed training set.

    Attributes:
        n_train: training images n; 200 puts the peak at N = 200 and the whole sweep (N up to 2,000)
            in about a second on 2 cores. At least 10, so that the sweep's first point n/10 is one feature.
        n_test: test images, disjoint from the training ones; 2,000 makes the test error's sampling noise
            small beside the peak (hundreds of times the error at N = 10n).
        noise: share of training labels replaced by a seeded uniformly random class; 0 as in the
            paper's MNIST experiment (the peak is there without any), higher values raise it.
        seed: which images, which features, which labels are corrupted.
        points: log-spaced values of N from n/10 to 10n (N = n is always added); 25 draws the curve.
        max_ratio: the sweep ends at N = max_ratio x n; 10, as the issue asks (the paper goes further).
    """

    n_train: int = 200
    n_test: int = 2_000
    noise: float = 0.0
    seed: int = 0
    points: int = 25
    max_ratio: float = 10.0

    def __post_init__(self) -> None:
        if not 10 <= self.n_train <= 1_000:
            raise BadInput(
                f"n_train must be between 10 and 1,000 images (N goes up to 10 n features), got {self.n_train}"
            )
        if self.n_test < 10 or self.n_train + self.n_test > IMAGES:
            raise BadInput(
                f"n_test must be at least 10 and n_train + n_test at most {IMAGES:,} (the shipped split); "
                f"got {self.n_train} + {self.n_test}"
            )
        if not 0.0 <= self.noise <= 1.0:
            raise BadInput(f"noise is a share of the labels, in [0, 1]; got {self.noise}")
        if not 3 <= self.points <= 100:
            raise BadInput(f"points must be between 3 and 100, got {self.points}")
        if not 1.0 < self.max_ratio <= 20.0:
            raise BadInput(f"max_ratio must be in (1, 20], got {self.max_ratio}")

    def describe(self) -> str:
        noise = f", {self.noise:.0%} noisy labels" if self.noise else ""
        return f"n = {self.n_train} training images{noise}"


PRESET = DoubleDescentConfig()


def feature_counts(config: DoubleDescentConfig) -> np.ndarray:
    """The values of N swept: ``points`` log-spaced from n/10 to ``max_ratio`` x n, rounded, plus N = n itself."""
    n = config.n_train
    grid = np.rint(np.geomspace(n / 10, config.max_ratio * n, config.points)).astype(int)
    return np.unique(np.append(grid, n))


@lru_cache(maxsize=1)
def _fashion_pixels() -> tuple[np.ndarray, np.ndarray]:
    """The shipped split as float64 pixels in [0, 1], ``(10000, 784)``, and labels (read-only; ~63 MB, kept once)."""
    from core.data import read_idx
    from core.paths import ASSETS

    folder = ASSETS / "fashion_mnist"
    pixels = read_idx(folder / "t10k-images-idx3-ubyte.gz").reshape(-1, PIXELS) / 255.0
    labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    pixels.flags.writeable = labels.flags.writeable = False
    return pixels, labels


def _data(config: DoubleDescentConfig, rng: np.random.Generator):
    """Centred training and test pixels, one-hot training targets (with the label noise) and test labels."""
    pixels, labels = _fashion_pixels()
    order = rng.permutation(IMAGES)
    train, test = order[: config.n_train], order[config.n_train : config.n_train + config.n_test]
    mean = pixels[train].mean(axis=0)
    y_train = labels[train].copy()
    noisy = rng.permutation(config.n_train)[: int(round(config.noise * config.n_train))]
    y_train[noisy] = rng.integers(0, CLASSES, len(noisy))
    return pixels[train] - mean, pixels[test] - mean, np.eye(CLASSES)[y_train], labels[test]


def sweep(config: DoubleDescentConfig = PRESET) -> pd.DataFrame:
    """Fit min-norm least squares on N random ReLU features for every N of :func:`feature_counts`.

    Returns:
        one row per N: ``features`` (N), ``ratio`` (N / n), ``train_error`` and ``test_error`` (mean
        squared error on the one-hot targets, summed over the 10 outputs), ``test_zero_one`` (share of
        test images whose largest output is not their class) and ``norm`` (the solution's Frobenius
        norm, which the paper plots too). Training errors are measured on the (possibly noisy) labels
        fitted, test errors on the true test labels.
    """
    rng = np.random.default_rng(config.seed)
    x_train, x_test, targets, y_test = _data(config, rng)
    counts = feature_counts(config)
    directions = rng.standard_normal((PIXELS, int(counts.max())))
    directions /= np.linalg.norm(directions, axis=0)  # uniform on the unit sphere
    # Features are nested: the first N columns are the model with N features, so the curve is one draw.
    f_train, f_test = np.maximum(x_train @ directions, 0.0), np.maximum(x_test @ directions, 0.0)
    rows = []
    with _one_blas_thread():
        for n_features in counts:
            coef = np.linalg.lstsq(f_train[:, :n_features], targets, rcond=None)[0]
            fitted, predicted = f_train[:, :n_features] @ coef, f_test[:, :n_features] @ coef
            rows.append(
                {
                    "features": int(n_features),
                    "ratio": n_features / config.n_train,
                    "train_error": float(((fitted - targets) ** 2).sum(axis=1).mean()),
                    "test_error": float(((predicted - np.eye(CLASSES)[y_test]) ** 2).sum(axis=1).mean()),
                    "test_zero_one": float((predicted.argmax(axis=1) != y_test).mean()),
                    "norm": float(np.linalg.norm(coef)),
                }
            )
    return pd.DataFrame(rows)


def _one_blas_thread():
    """Linear algebra on one thread. OpenBLAS's threads spin while they wait for each other: on 2 cores shared
    with a server (or a training) one 200 x 2,000 solve took 0.97 s on 2 threads and 0.017 s on one."""
    from threadpoolctl import threadpool_limits  # installed with scikit-learn; imports no numerical library

    return threadpool_limits(limits=1, user_api="blas")


def peak(frame: pd.DataFrame) -> int:
    """The N with the highest test error (the first one on a tie)."""
    return int(frame.loc[frame["test_error"].idxmax(), "features"])


def provenance(config: DoubleDescentConfig) -> Provenance:
    """What the sweep's numbers are: measured here, this model, these images, this seed."""
    return Provenance(
        "measured",
        model=f"{MODEL}, numpy lstsq",
        data=f"Fashion-MNIST 10k (shipped): {config.describe()}, {config.n_test:,} test images",
        seed=config.seed,
        source=BELKIN_2019,
    )


def figure(frame: pd.DataFrame, config: DoubleDescentConfig, provenance: Provenance) -> go.Figure:
    """Training and test error against N (both axes logarithmic), N = n marked with the paper's claim.

    Right of N = n the training error is 0 up to rounding (1e-25 or below): drawn on a log axis it would
    squash the curve, so the y axis starts just below the smallest error above 1e-6, and a note on the
    chart says where the training error went; the CSV holds every value as computed.
    """
    n = config.n_train
    visible = frame[["train_error", "test_error"]].to_numpy().ravel()
    visible = visible[visible > 1e-6]
    low, high = math.log10(visible.min()) - 0.3, math.log10(visible.max()) + 0.3
    top = peak(frame)
    fig = plots.figure(
        title=f"Test error peaks at N = {top} features for n = {n} images",
        # One tick per decade: plotly's default labels 2 and 5 inside each decade crowd a log axis at 20 px.
        xaxis=dict(type="log", title="random ReLU features N (log scale)", dtick=1),
        yaxis=dict(type="log", title="squared error (log scale)", range=[low, high], dtick=1),
        legend_below=True,
    )
    fig.add_scatter(
        x=frame["features"], y=frame["test_error"], mode="lines+markers", name="test error", line_color=plots.VERMILION
    )
    fig.add_scatter(
        x=frame["features"], y=frame["train_error"], mode="lines+markers", name="training error", line_color=plots.BLUE
    )
    fig.add_scatter(
        x=[n, n], y=[10**low, 10**high], mode="lines", name=CLAIM_LABEL, line=dict(color=plots.BLACK, dash="dash")
    )
    fig.add_scatter(
        x=[top],
        y=[float(frame["test_error"].max())],
        mode="markers",
        name=f"measured peak: N = {top}",
        marker=dict(color=plots.VERMILION, size=16, symbol="star"),
    )
    fig.add_annotation(
        x=math.log10(config.max_ratio * n),
        y=low,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        text="from N = n on, the training error is 0 (below this axis): the fit interpolates",
    )
    return plots.finish(fig, provenance)
