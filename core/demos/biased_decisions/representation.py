"""Who is in the data: a model fitted mostly on one group works for that group, and worse for the one it rarely saw.

Decks 001 and 003: speech recognition trained on male US voices; cars tested with crash-test dummies of an
average man. Published measurements of the same effect on real systems (:data:`PUBLISHED`), each checked
against the paper's abstract:

* Buolamwini & Gebru 2018, "Gender Shades", FAT* (PMLR 81), abstract: commercial gender classifiers erred on
  up to 34.7 % of darker-skinned women, at most 0.8 % of lighter-skinned men;
* Koenecke et al. 2020, "Racial disparities in automated speech recognition", PNAS 117(14), abstract: five
  commercial systems, average word error rate 0.35 for Black speakers vs 0.19 for white speakers.

Neither paper traces the gap to training shares alone (Koenecke et al. point to the acoustic models); the toy
below isolates that one cause. Two seeded synthetic groups with two features each; they differ in how their
features spread *and* in which feature carries the answer (assumptions of the generator):

* majority: features ~ N(0, diag(1, 1)), label = 1 when ``x1 > 0``;
* minority: features ~ N(0, diag(0.6², 1.4²)), label = 1 when ``x2 > 0``;
* 5 % of labels flipped at random in both (so 95 % is the best possible accuracy).

No straight line serves both rules: trained 50/50 the boundary is a compromise (~77 % for each group); the
fewer minority examples, the more it becomes the majority's rule (~95 % for them, ~50 %, a coin, for the
minority).

One logistic regression (:mod:`.fitting`), without a group column, is fitted on ``n_train`` examples of which
a ``minority_share`` come from the minority, and tested on 1,000 fresh examples of *each* group, beside each
group's majority-class baseline (~50 %: both labels are equally common).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from core.baselines import majority_baseline
from core.demos.biased_decisions.fitting import Logistic, fit_logistic
from core.errors import BadInput
from core.provenance import Provenance

PUBLISHED = pd.DataFrame(
    [
        ("Buolamwini & Gebru 2018, Gender Shades (abstract)", "error, darker-skinned women", 34.7, "%"),
        ("Buolamwini & Gebru 2018, Gender Shades (abstract)", "error, lighter-skinned men", 0.8, "%"),
        ("Koenecke et al. 2020, PNAS (abstract)", "word error rate, Black speakers", 0.35, "WER"),
        ("Koenecke et al. 2020, PNAS (abstract)", "word error rate, white speakers", 0.19, "WER"),
    ],
    columns=["source", "what", "value", "unit"],
)
SHARES = (0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.001, 0.0005, 0.0)  # the slider's stops
PRESET_SHARE = 0.02
FEATURES = ("x1", "x2")


@dataclass(frozen=True)
class RepresentationConfig:
    """One training set.

    Attributes:
        minority_share: share of the training examples from the minority group, in [0, 0.5].
        n_train: training examples; 2,000, so 0.05 % is one minority example.
        n_test: fresh test examples per group; 1,000 puts an accuracy within ±3 points.
        flip: share of labels flipped at random (the noise floor).
        seed: which examples.
    """

    minority_share: float = PRESET_SHARE
    n_train: int = 2_000
    n_test: int = 1_000
    flip: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.minority_share <= 0.5:
            raise BadInput(f"the minority's share is in [0, 0.5]; got {self.minority_share}")
        if not 10 <= self.n_train <= 1_000_000 or not 10 <= self.n_test <= 1_000_000:
            raise BadInput(f"n_train and n_test between 10 and 1,000,000; got {self.n_train}, {self.n_test}")

    @property
    def n_minority(self) -> int:
        return int(round(self.minority_share * self.n_train))


def sample(group: str, n: int, flip: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` examples of ``group`` ("majority"/"minority"): features ``(n, 2)`` and labels ``(n,)`` in {0, 1}."""
    if group == "majority":
        x = rng.normal(0.0, 1.0, (n, 2))
        y = x[:, 0] > 0
    else:
        x = rng.normal(0.0, 1.0, (n, 2)) * [0.6, 1.4]
        y = x[:, 1] > 0
    return x, (y ^ (rng.random(n) < flip)).astype(int)


@dataclass(frozen=True)
class RepresentationResult:
    """Per-group test accuracy of the model trained at ``config.minority_share``.

    Attributes:
        config: the settings.
        model: the fitted logistic regression.
        accuracy: {"majority": a, "minority": a} on the fresh test examples, in [0, 1].
        baseline: the same groups' majority-class baselines.
    """

    config: RepresentationConfig
    model: Logistic
    accuracy: dict[str, float]
    baseline: dict[str, float]


@lru_cache(maxsize=64)
def train(config: RepresentationConfig) -> RepresentationResult:
    """Draw the training set with ``minority_share``, fit, and test on fresh examples of each group."""
    rng = np.random.default_rng(config.seed)
    n_min = config.n_minority
    x_maj, y_maj = sample("majority", config.n_train - n_min, config.flip, rng)
    x_min, y_min = sample("minority", n_min, config.flip, rng)
    model = fit_logistic(np.vstack([x_maj, x_min]), np.concatenate([y_maj, y_min]), FEATURES)
    test_rng = np.random.default_rng(config.seed + 1_000_003)  # the same test set whatever the share
    accuracy, baseline = {}, {}
    for group in ("majority", "minority"):
        x, y = sample(group, config.n_test, config.flip, test_rng)
        accuracy[group] = float(((model.predict_proba(x) >= 0.5) == y).mean())
        baseline[group] = majority_baseline(y)
    return RepresentationResult(config, model, accuracy, baseline)


def sweep(config: RepresentationConfig) -> pd.DataFrame:
    """Per-group accuracy at every stop of :data:`SHARES` (one fit each), for the curve."""
    rows = []
    for share in SHARES:
        result = train(RepresentationConfig(share, config.n_train, config.n_test, config.flip, config.seed))
        rows += [
            {"minority share": share, "group": g, "accuracy": result.accuracy[g], "baseline": result.baseline[g]}
            for g in ("majority", "minority")
        ]
    return pd.DataFrame(rows)


def provenance(config: RepresentationConfig) -> Provenance:
    return Provenance(
        "measured",
        model="logistic regression (L2, C = 100) on 2 features, no group column",
        data=f"synthetic two-group data, {config.n_train:,} training examples, {config.n_test:,} test per group, "
        f"{config.flip:.0%} labels flipped",
        seed=config.seed,
        source="published beside it: Buolamwini & Gebru 2018; Koenecke et al. 2020",
    )
