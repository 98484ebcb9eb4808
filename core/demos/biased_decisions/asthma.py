"""The asthma paradox: a model of recorded outcomes learns that asthma lowers the risk, because asthmatics were treated.

Caruana, Lou, Gehrke, Koch, Sturm & Elhadad (2015), "Intelligible models for healthcare: predicting pneumonia
risk and hospital 30-day readmission", KDD (doi:10.1145/2783258.2788613), section 2: in a 1990s study meant to
decide which pneumonia patients could be treated at home, a rule-based model learned
``HasAsthma(x) ⇒ LowerRisk(x)``. The data were right: asthmatic pneumonia patients were usually admitted
straight to intensive care, and the aggressive care lowered their death rate below that of other patients. A
model deployed to send "low-risk" patients home would have sent home the very patients who needed the ICU
most. (The same section: the most accurate models, neural nets, AUC 0.86 vs 0.77 for logistic regression on
one data set, were judged too risky to deploy for that reason.) Deck 004: correlation is not causation.

The synthetic hospital here (seeded; no patient's record), its assumptions:

* ``n`` pneumonia patients: age ~ U(20, 90), a severity score ~ N(0, 1), asthma in ``asthma_share`` of them;
* the **true** risk of dying *without* intensive care: ``logit = -3 + 0.04 (age - 60) + 1.2 severity + 1.0 asthma``
  (asthma *raises* the risk: the truth the model should find);
* the **hospital's policy** (the history): every asthmatic goes to the ICU when ``icu_for_asthma``; others go
  when severity > 1.5; the ICU multiplies the odds of dying by ``icu_odds`` (0.15: a strong treatment);
* the **recorded** outcome is death under the care actually given; the treatment is not a column the model
  sees (as in the study, which predicted from what is known at admission).

A logistic regression (:mod:`.fitting`) of recorded death on age, severity and asthma then gets a *negative*
asthma weight. The policy "send home everyone the model puts under ``home_below``" is judged against the
truth: at home nobody is treated, so the true risk of those sent home is their untreated risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from core.demos.biased_decisions.fitting import Logistic, fit_logistic
from core.errors import BadInput
from core.provenance import Provenance

CARUANA_2015 = (
    "Caruana et al. 2015, 'Intelligible models for healthcare: predicting pneumonia risk and hospital 30-day "
    "readmission', KDD, section 2 (HasAsthma(x) ⇒ LowerRisk(x))"
)
FEATURES = ("age", "severity", "asthma")
TRUE_WEIGHTS = {"intercept": -3.0, "age": 0.04, "severity": 1.2, "asthma": 1.0}  # untreated log-odds (age - 60)
PRESET_HOME_BELOW = 0.05  # send home under a 5 % predicted risk of death


@dataclass(frozen=True)
class HospitalConfig:
    """The synthetic hospital and the policy built on the model.

    Attributes:
        icu_for_asthma: the hospital sends every asthmatic to the ICU (the cause of the paradox).
        home_below: the policy sends home patients whose *predicted* risk is below this, in [0, 1].
        n: patients; 20,000 so that ~1,000 asthmatics pin their weight down.
        asthma_share: share of patients with asthma (~5 %).
        icu_odds: odds ratio of dying in the ICU vs untreated (0.15: strong care).
        seed: which patients and which outcomes.
    """

    icu_for_asthma: bool = True
    home_below: float = PRESET_HOME_BELOW
    n: int = 20_000
    asthma_share: float = 0.05
    icu_odds: float = 0.15
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.home_below <= 1.0:
            raise BadInput(f"the send-home threshold is a risk in [0, 1]; got {self.home_below}")
        if not 0.0 < self.asthma_share < 1.0 or not 0.0 < self.icu_odds <= 1.0 or not 100 <= self.n <= 1_000_000:
            raise BadInput(f"asthma share in (0, 1), ICU odds ratio in (0, 1], 100 to 1,000,000 patients; got {self}")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@lru_cache(maxsize=4)
def patients(icu_for_asthma: bool, n: int = 20_000, asthma_share: float = 0.05, icu_odds: float = 0.15, seed: int = 0):
    """The seeded patients: features, ``icu``, ``risk_untreated`` (truth), ``risk_given_care`` and ``died`` (recorded)."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 90, n)
    severity = rng.normal(0, 1, n)
    asthma = (rng.random(n) < asthma_share).astype(float)
    w = TRUE_WEIGHTS
    logit = w["intercept"] + w["age"] * (age - 60) + w["severity"] * severity + w["asthma"] * asthma
    icu = (severity > 1.5) | ((asthma == 1) & icu_for_asthma)
    given_care = _sigmoid(logit + np.log(icu_odds) * icu)
    return pd.DataFrame(
        {
            "age": age,
            "severity": severity,
            "asthma": asthma,
            "icu": icu,
            "risk_untreated": _sigmoid(logit),
            "risk_given_care": given_care,
            "died": rng.random(n) < given_care,
        }
    )


@dataclass(frozen=True)
class AsthmaResult:
    """The learned model and the policy's outcome.

    Attributes:
        config: the settings.
        model: logistic regression of recorded death on age, severity, asthma.
        policy: one row per group ("asthma", "no asthma"): ``patients``, ``sent home`` (share), ``predicted``
            (the model's mean risk for those sent home) and ``true`` (their mean untreated risk: what happens at
            home), and ``expected deaths at home`` (per 1,000 patients of the group).
    """

    config: HospitalConfig
    model: Logistic
    policy: pd.DataFrame

    @property
    def learned_asthma_weight(self) -> float:
        return self.model.weight("asthma")


@lru_cache(maxsize=8)
def _fitted(icu_for_asthma: bool, n: int, asthma_share: float, icu_odds: float, seed: int):
    """The hospital's patients, their centred features and the model fitted on them (a threshold move reuses it)."""
    frame = patients(icu_for_asthma, n, asthma_share, icu_odds, seed)
    x = frame[list(FEATURES)].to_numpy() - [60.0, 0.0, 0.0]  # age centred as in the true model
    return frame, x, fit_logistic(x, frame["died"].to_numpy(), FEATURES)


@lru_cache(maxsize=32)
def train(config: HospitalConfig) -> AsthmaResult:
    """Fit recorded death on the admission features, then apply "send home below ``home_below``" to the same patients."""
    c = config
    frame, x, model = _fitted(c.icu_for_asthma, c.n, c.asthma_share, c.icu_odds, c.seed)
    predicted = model.predict_proba(x)
    home = predicted < config.home_below
    rows = {}
    for name, mask in (("asthma", frame.asthma.to_numpy() == 1), ("no asthma", frame.asthma.to_numpy() == 0)):
        sent = mask & home
        rows[name] = {
            "patients": int(mask.sum()),
            "sent home": float(sent.sum() / mask.sum()),
            "predicted risk at home": float(predicted[sent].mean()) if sent.any() else None,
            "true risk at home": float(frame.risk_untreated[sent].mean()) if sent.any() else None,
            "deaths at home per 1,000": float(1000 * frame.risk_untreated[sent].sum() / mask.sum()),
        }
    return AsthmaResult(config, model, pd.DataFrame.from_dict(rows, orient="index"))


def weights_table(result: AsthmaResult) -> pd.DataFrame:
    """The learned weights beside the true (untreated) ones: asthma's has the wrong sign when the ICU hid it."""
    return pd.DataFrame(
        {
            "feature": list(FEATURES),
            "true weight (untreated risk)": [TRUE_WEIGHTS[f] for f in FEATURES],
            "learned weight (recorded outcome)": [round(c, 2) for c in result.model.coef],
        }
    )


def provenance(config: HospitalConfig) -> Provenance:
    policy = "every asthmatic to the ICU" if config.icu_for_asthma else "ICU by severity only"
    return Provenance(
        "measured",
        model="logistic regression (L2, C = 100) of recorded death on age, severity, asthma",
        data=f"synthetic hospital, {config.n:,} pneumonia patients, {config.asthma_share:.0%} asthmatic; {policy}",
        seed=config.seed,
        source=CARUANA_2015,
    )
