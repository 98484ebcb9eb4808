"""One score, two groups: when base rates differ, no threshold can equalise every error rate and keep calibration.

ProPublica (Larson, Mattu, Kirchner & Angwin 2016, "How We Analyzed the COMPAS Recidivism Algorithm") compared
COMPAS scores of defendants in Broward County, Florida with who was charged again within two years. Calling
"Medium" or "High" a prediction of reoffending, the errors fell differently on the two largest groups
(:data:`PROPUBLICA_2016`): defendants who did *not* reoffend were flagged 44.85 % of the time if Black and 23.45 %
if white (false positive rates); those who *did* were missed 27.99 % vs 47.72 % (false negative rates). The
page's text rounds them to "45 percent vs. 23 percent" and "48 percent vs. 28 percent". Northpointe answered
that the score is equally *calibrated*: at a given score, Black and white defendants reoffend at about the
same rate. Both are true at once, and cannot be otherwise:

* Chouldechova (2017, "Fair prediction with disparate impact", Big Data 5(2), eq. 2.6): for a group with base
  rate ``p``, ``FPR = p / (1 - p) · (1 - PPV) / PPV · (1 - FNR)``. With different ``p``, equal predictive
  values (PPV) and equal FNR force unequal FPR.
* Kleinberg, Mullainathan & Raghavan (2016, "Inherent trade-offs in the fair determination of risk scores",
  arXiv:1609.05807, Theorem 1.1): calibration within groups, balance for the positive class and balance for
  the negative class can hold together only with equal base rates or a perfect predictor.

The synthetic cohort here (seeded; nobody's record): two groups of the sizes of ProPublica's filtered data
(3,175 Black and 2,103 white defendants, their notebook's ``summary(df$race)``), named A and B. Each person
has a true risk ``r ~ Beta(a, b)`` of their group and reoffends with probability ``r``; the score *is* ``r``,
so it is perfectly calibrated within each group by construction. The Beta parameters (:data:`BETA`) were
solved for (scipy.optimize, once, offline) so that one threshold, 0.5, gives ProPublica's four error rates in
expectation; the base rates that follow (54 % and 43 %) are a consequence, not a published figure
(ProPublica's groups: ~51 % and ~39 %).

Metrics per group through fairlearn's :class:`~fairlearn.metrics.MetricFrame` (checked against hand counts in
tests/test_biased_decisions_risk.py); the "fix it" button is fairlearn's
:class:`~fairlearn.postprocessing.ThresholdOptimizer` under equalized odds (Hardt, Price & Srebro 2016), which
equalises FPR and FNR by group-specific, *randomised* thresholds — and pays with predictive parity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from core.errors import BadInput
from core.provenance import Provenance

GROUPS = ("A", "B")
# Black vs white defendants, 2-year general recidivism, "Medium or High" = flagged.
PROPUBLICA_2016 = {"A": {"FPR": 0.4485, "FNR": 0.2799}, "B": {"FPR": 0.2345, "FNR": 0.4772}}
PROPUBLICA_SOURCE = (
    "Larson, Mattu, Kirchner & Angwin 2016, 'How We Analyzed the COMPAS Recidivism Algorithm', ProPublica, "
    "23 May 2016 (Black vs white defendants: FPR 44.85 % vs 23.45 %, FNR 27.99 % vs 47.72 %)"
)
GROUP_LABEL = {"A": "group A (sized and erring like Black defendants)", "B": "group B (like white defendants)"}
BETA = {"A": (4.181, 3.545), "B": (2.789, 3.641)}  # solved so that threshold 0.5 gives PROPUBLICA_2016
TOLERANCE = 0.02  # two rates "agree" within 2 points: the sampling spread of a rate over ~2,000 people is ~1
METRICS = ("FPR", "FNR", "PPV", "selection rate")


@dataclass(frozen=True)
class CohortConfig:
    """The synthetic cohort.

    Attributes:
        n_a, n_b: people per group (ProPublica's 3,175 and 2,103).
        seed: who has which risk and who reoffends.
    """

    n_a: int = 3_175
    n_b: int = 2_103
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.n_a, self.n_b) < 20 or max(self.n_a, self.n_b) > 1_000_000:
            raise BadInput(f"each group needs 20 to 1,000,000 people; got {self.n_a} and {self.n_b}")


@lru_cache(maxsize=8)
def cohort(config: CohortConfig) -> pd.DataFrame:
    """One row a person: ``group`` ("A"/"B"), ``score`` in (0, 1) (= true risk) and ``reoffended`` (bool)."""
    rng = np.random.default_rng(config.seed)
    parts = []
    for group, n in zip(GROUPS, (config.n_a, config.n_b)):
        risk = rng.beta(*BETA[group], size=n)
        parts.append(pd.DataFrame({"group": group, "score": risk, "reoffended": rng.random(n) < risk}))
    return pd.concat(parts, ignore_index=True)


def check_thresholds(thresholds: dict[str, float]) -> None:
    if set(thresholds) != set(GROUPS) or not all(0.0 <= t <= 1.0 for t in thresholds.values()):
        raise BadInput(f"one threshold in [0, 1] per group {GROUPS}; got {thresholds}")


def flag(frame: pd.DataFrame, thresholds: dict[str, float]) -> np.ndarray:
    """``(N,)`` bool: flagged "high risk" when the score reaches its group's threshold."""
    check_thresholds(thresholds)
    return (frame["score"] >= frame["group"].map(thresholds)).to_numpy()


def confusion(frame: pd.DataFrame, flagged: np.ndarray) -> pd.DataFrame:
    """Counts by hand, one row per group: ``TN, FP, FN, TP`` (positive = reoffended / flagged)."""
    y = frame["reoffended"].to_numpy()
    rows = {}
    for group in GROUPS:
        g = (frame["group"] == group).to_numpy()
        rows[group] = {
            "TN": int((g & ~y & ~flagged).sum()),
            "FP": int((g & ~y & flagged).sum()),
            "FN": int((g & y & ~flagged).sum()),
            "TP": int((g & y & flagged).sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def metric_frame(frame: pd.DataFrame, flagged: np.ndarray) -> pd.DataFrame:
    """FPR, FNR, PPV and selection rate per group with fairlearn's ``MetricFrame`` (``.by_group``).

    PPV (the share of the flagged who reoffended: predictive parity) is undefined when a group has nobody
    flagged: it is NaN here, and the page says so in words.
    """
    from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate, selection_rate

    def ppv(y_true, y_pred) -> float:  # sklearn's precision_score warns and says 0 on no flag: NaN is honest
        flagged_here = np.asarray(y_pred, dtype=bool)
        return float(np.asarray(y_true)[flagged_here].mean()) if flagged_here.any() else float("nan")

    mf = MetricFrame(
        metrics={
            "FPR": false_positive_rate,
            "FNR": false_negative_rate,
            "PPV": ppv,
            "selection rate": selection_rate,
        },
        y_true=frame["reoffended"].to_numpy().astype(int),
        y_pred=flagged.astype(int),
        sensitive_features=frame["group"].to_numpy(),
    )
    return mf.by_group.loc[list(GROUPS)].astype(float).rename_axis("group")


def kleinberg_balance(frame: pd.DataFrame) -> pd.DataFrame:
    """Kleinberg et al.'s balance per group: mean score of those who reoffended (positive class) and who did not."""
    return frame.groupby("group").apply(
        lambda g: pd.Series(
            {"positive class": g.score[g.reoffended].mean(), "negative class": g.score[~g.reoffended].mean()}
        ),
        include_groups=False,
    )


def calibration_table(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Share who reoffended per score decile bin and group (calibrated: it tracks the bin's score)."""
    edges = np.linspace(0, 1, bins + 1)
    binned = frame.assign(bin=pd.cut(frame.score, edges, include_lowest=True, labels=(edges[:-1] + edges[1:]) / 2))
    table = binned.groupby(["group", "bin"], observed=True).agg(
        reoffended=("reoffended", "mean"), people=("reoffended", "size")
    )
    return table.reset_index().rename(columns={"bin": "score"}).astype({"score": float})


@dataclass(frozen=True)
class Criterion:
    """One fairness criterion, whether this setting meets it (None: undefined here) and the numbers behind it."""

    name: str
    met: bool | None
    detail: str


def _pct(x: float) -> str:
    return "undefined" if x != x else f"{100 * x:.1f} %"


def criteria(rates: pd.DataFrame, thresholds: dict[str, float], tolerance: float = TOLERANCE) -> list[Criterion]:
    """Which criteria a threshold pair meets: equal FPR, equal FNR, predictive parity, one rule for all."""

    def gap(metric: str) -> Criterion:
        a, b = (float(rates.loc[g, metric]) for g in GROUPS)
        detail = f"A {_pct(a)} · B {_pct(b)}"
        if a != a or b != b:  # NaN: a group with nobody flagged has no PPV
            return Criterion(metric, None, detail + " (a group has nobody flagged)")
        return Criterion(metric, abs(a - b) <= tolerance, detail)

    fpr, fnr, ppv = gap("FPR"), gap("FNR"), gap("PPV")
    same = thresholds["A"] == thresholds["B"]
    return [
        Criterion("Equal false positive rates (ProPublica's test)", fpr.met, fpr.detail),
        Criterion("Equal false negative rates", fnr.met, fnr.detail),
        Criterion(
            "Predictive parity: equal share of the flagged who reoffend (Northpointe's test)", ppv.met, ppv.detail
        ),
        Criterion(
            "One rule for all: the same threshold for both groups",
            same,
            f"A ≥ {thresholds['A']:.2f} · B ≥ {thresholds['B']:.2f}",
        ),
    ]


def matching_threshold(config: CohortConfig, metric: str, threshold_a: float = 0.5) -> float:
    """The threshold for group B (on a 0.01 grid) whose ``metric`` ("FPR" or "FNR") is closest to group A's at ``threshold_a``."""
    frame = cohort(config)
    target = _rate(frame, "A", threshold_a, metric)
    grid = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    return float(grid[np.argmin([abs(_rate(frame, "B", t, metric) - target) for t in grid])])


def _rate(frame: pd.DataFrame, group: str, threshold: float, metric: str) -> float:
    g = frame[frame.group == group]
    flagged = g.score >= threshold
    if metric == "FPR":
        return float(flagged[~g.reoffended].mean())
    return float((~flagged[g.reoffended]).mean())


def impossibility_grid(config: CohortConfig, step: float = 0.02) -> pd.DataFrame:
    """Every threshold pair on a grid: the absolute FPR, FNR and PPV gaps between the groups (numpy, by hand).

    The known answer (Chouldechova 2017): no pair that uses the score (:func:`pairs_meeting`) has all three gaps
    within :data:`TOLERANCE`. Pairs that flag nobody in a group have no PPV and are left out. Columns:
    ``threshold_A, threshold_B, FPR gap, FNR gap, PPV gap, selected_A, selected_B``.
    """
    frame = cohort(config)
    grid = np.round(np.arange(step, 1.0, step), 4)
    per_group = {}
    for group in GROUPS:
        g = frame[frame.group == group]
        s, y = g.score.to_numpy(), g.reoffended.to_numpy()
        flagged = s[None, :] >= grid[:, None]  # (thresholds, people)
        n_flag = flagged.sum(1)
        per_group[group] = {
            "FPR": (flagged & ~y).sum(1) / (~y).sum(),
            "FNR": (~flagged & y).sum(1) / y.sum(),
            "PPV": np.where(n_flag > 0, (flagged & y).sum(1) / np.maximum(n_flag, 1), np.nan),
            "selected": n_flag / len(s),
        }
    ta, tb = np.meshgrid(grid, grid, indexing="ij")
    out = pd.DataFrame({"threshold_A": ta.ravel(), "threshold_B": tb.ravel()})
    for metric in ("FPR", "FNR", "PPV"):
        out[f"{metric} gap"] = np.abs(per_group["A"][metric][:, None] - per_group["B"][metric][None, :]).ravel()
    out["selected_A"] = np.repeat(per_group["A"]["selected"], len(grid))
    out["selected_B"] = np.tile(per_group["B"]["selected"], len(grid))
    return out.dropna()


def pairs_meeting(grid: pd.DataFrame, metrics: tuple[str, ...], tolerance: float = TOLERANCE) -> pd.DataFrame:
    """The threshold pairs of ``grid`` whose ``metrics`` gaps are all within ``tolerance``, among the pairs that use
    the score: each group between 10 % and 90 % flagged (outside, nearly everyone or nobody is flagged, and
    every rate is trivially equal: the degenerate corners of Kleinberg et al.'s theorem)."""
    used = grid.selected_A.between(0.1, 0.9) & grid.selected_B.between(0.1, 0.9)
    ok = np.logical_and.reduce([grid[f"{m} gap"] <= tolerance for m in metrics])
    return grid[used & ok]


@lru_cache(maxsize=4)
def equalized_odds(config: CohortConfig) -> tuple[np.ndarray, pd.DataFrame]:
    """fairlearn's ``ThresholdOptimizer(constraints="equalized_odds")`` on the score: its flags ``(N,)`` and rates.

    Fitted and evaluated on the same cohort (a demonstration of what the constraint does, not a held-out
    estimate); its decisions are randomised between two thresholds per group, seeded by ``config.seed``.
    """
    from fairlearn.postprocessing import ThresholdOptimizer
    from sklearn.base import BaseEstimator

    class ScoreIsTheModel(BaseEstimator):
        """A fitted "estimator" whose prediction is the score column itself (ThresholdOptimizer wants an estimator)."""

        def fit(self, x, y):
            return self

        def predict(self, x):
            return np.asarray(x)[:, 0]

        def __sklearn_is_fitted__(self) -> bool:
            return True

    frame = cohort(config)
    x = frame[["score"]].to_numpy()
    optimizer = ThresholdOptimizer(
        estimator=ScoreIsTheModel(), constraints="equalized_odds", prefit=True, predict_method="predict"
    )
    optimizer.fit(x, frame.reoffended.to_numpy().astype(int), sensitive_features=frame.group.to_numpy())
    flagged = optimizer.predict(x, sensitive_features=frame.group.to_numpy(), random_state=config.seed).astype(bool)
    return flagged, metric_frame(frame, flagged)


def provenance(config: CohortConfig, what: str) -> Provenance:
    return Provenance(
        "measured",
        model=f"risk score = true risk (calibrated by construction); {what}",
        data=f"synthetic cohort, group A {config.n_a:,}, group B {config.n_b:,} people, Beta risks {BETA}",
        seed=config.seed,
        source=PROPUBLICA_SOURCE + "; Chouldechova 2017; Kleinberg et al. 2016",
    )
