"""Hiring from history: a model trained on past hiring decisions learns the recruiters' bias through proxies.

In 2018 Reuters reported that Amazon had dropped a CV-screening model trained on ten years of its own hiring:
it had learned to mark down CVs containing the word "women's" (as in "women's chess club captain"). Decks
000/001/004: *if you only hired white middle-aged men in the past, the AI will discard all the others*.

The synthetic history (seeded; no real person): ``n`` past applicants, half of them women. Assumptions, each
made on purpose so that the known answer is known:

* **skills are the same for both groups**: an aptitude test score ~ N(0, 1), years of experience ~ Gamma(4, 1.5)
  (mean 6) and a degree (60 %), drawn from the same distributions for women and men;
* a **fair recruiter** would hire on skill alone: ``merit = 1.2 test + 0.25 (experience - 6) + 0.8 degree - 0.6``
  plus logistic noise (scale 0.5); about half the applicants merit a job, women and men alike;
* the **past recruiters were biased**: each woman who merited the job was turned down with probability
  ``bias`` (0 = a fair history, 1 = no woman was ever hired);
* the gender column is **dropped** before training, but three **proxies** stay on the CV, none of which says
  anything about skill here:
    - ``womens_club``: a line such as "captain, women's chess club" (35 % of women's CVs, 2 % of men's);
    - ``career_gap``: a gap of a year or more, e.g. parental leave (30 % of women, 8 % of men);
    - ``name_femininity``: derived from the first name, the share of women among people with that name
      (women ~ Beta(8, 2), mean 0.8; men ~ Beta(2, 8), mean 0.2).

A logistic regression (:mod:`.fitting`) learns "hired" from the first 3/4 of the history; on the last 1/4
(new applicants) it shortlists everyone whose predicted probability is at least 0.5. The **selection rate**
of each group, and their ratio (women's over men's, the *disparate-impact ratio*), are set against the US
EEOC's **four-fifths rule**: a group selected at less than 4/5 (80 %) of the rate of the most selected group
is evidence of adverse impact (Uniform Guidelines on Employee Selection Procedures, 29 CFR § 1607.4(D)).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from core.demos.biased_decisions.fitting import Logistic, fit_logistic
from core.errors import BadInput
from core.provenance import Provenance

FOUR_FIFTHS = 0.8  # 29 CFR § 1607.4(D)
SKILLS = ("test_score", "experience", "degree")
PROXIES = ("womens_club", "career_gap", "name_femininity")
WHAT = {
    "test_score": "aptitude test score (skill)",
    "experience": "years of experience (skill)",
    "degree": "has a degree (skill)",
    "womens_club": '"women\'s … club" line on the CV (proxy)',
    "career_gap": "career gap of a year or more (proxy)",
    "name_femininity": "first name's share of women (proxy)",
}
PRESET_BIAS = 0.6  # 60 % of the qualified women turned away: the model's ratio falls well under 4/5
REUTERS_2018 = (
    "Dastin 2018, 'Amazon scraps secret AI recruiting tool that showed bias against women', Reuters, 10 October 2018"
)


@dataclass(frozen=True)
class HiringConfig:
    """One history and one model.

    Attributes:
        bias: share of the women who merited a job whom the past recruiters turned down, in [0, 1].
        remove_proxies: train on the three skills only (True) or on skills and proxies (False).
        n: applicants in the history; 8,000: ~1,000 new applicants of each group, so a rate is measured to ±1.5
            points (with 4,000, a fair history's ratio wandered 0.84-1.04 over seeds).
        seed: which applicants and which decisions.
    """

    bias: float = PRESET_BIAS
    remove_proxies: bool = False
    n: int = 8_000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.bias <= 1.0:
            raise BadInput(f"bias is the share of qualified women turned away, in [0, 1]; got {self.bias}")
        if not 40 <= self.n <= 200_000:
            raise BadInput(f"the history needs between 40 and 200,000 applicants; got {self.n}")

    @property
    def features(self) -> tuple[str, ...]:
        return SKILLS if self.remove_proxies else SKILLS + PROXIES


@lru_cache(maxsize=32)
def history(bias: float, n: int = 8_000, seed: int = 0) -> pd.DataFrame:
    """The seeded past applicants: skills, proxies, ``woman``, ``merited`` (a fair decision) and ``hired`` (the real one).

    Everything but ``bias`` is drawn from the same random stream, so two histories with different ``bias``
    hold the very same people: only who was turned away differs.
    """
    rng = np.random.default_rng(seed)
    woman = rng.random(n) < 0.5
    test_score = rng.normal(0.0, 1.0, n)
    experience = rng.gamma(4.0, 1.5, n)
    degree = rng.random(n) < 0.6
    womens_club = rng.random(n) < np.where(woman, 0.35, 0.02)
    career_gap = rng.random(n) < np.where(woman, 0.30, 0.08)
    name_femininity = rng.beta(np.where(woman, 8.0, 2.0), np.where(woman, 2.0, 8.0))
    merit = 1.2 * test_score + 0.25 * (experience - 6.0) + 0.8 * degree - 0.6 + rng.logistic(0.0, 0.5, n)
    turned_away = woman & (rng.random(n) < bias)  # the recruiters' bias: one coin per woman
    merited = merit > 0
    return pd.DataFrame(
        {
            "woman": woman,
            "test_score": test_score,
            "experience": experience,
            "degree": degree.astype(float),
            "womens_club": womens_club.astype(float),
            "career_gap": career_gap.astype(float),
            "name_femininity": name_femininity,
            "merited": merited,
            "hired": merited & ~turned_away,
        }
    )


@dataclass(frozen=True)
class HiringResult:
    """What the model learned and whom it shortlists.

    Attributes:
        config: the settings.
        model: the fitted logistic regression (its weights per feature).
        rates: one row per group ("women", "men"): ``merit`` (share a fair recruiter would hire), ``history``
            (share the past recruiters hired), ``model`` (share the model shortlists), measured on the new
            applicants (the last quarter), and ``n``.
    """

    config: HiringConfig
    model: Logistic
    rates: pd.DataFrame

    def ratio(self, column: str = "model") -> float | None:
        """Disparate-impact ratio: women's rate over men's in ``column``; None when men's rate is 0 (undefined)."""
        women, men = (float(self.rates.loc[g, column]) for g in ("women", "men"))
        return women / men if men > 0 else None


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first 3/4 of the history (the model learns from it) and the last 1/4 (new applicants)."""
    cut = (3 * len(frame)) // 4
    return frame.iloc[:cut], frame.iloc[cut:]


@lru_cache(maxsize=64)
def train(config: HiringConfig) -> HiringResult:
    """Fit "hired" on the CV columns (no gender column) and measure selection rates per group on new applicants."""
    past, new = split(history(config.bias, config.n, config.seed))
    features = config.features
    model = fit_logistic(past[list(features)].to_numpy(), past["hired"].to_numpy(), features)
    shortlisted = model.predict_proba(new[list(features)].to_numpy()) >= 0.5
    rows = {}
    for group, mask in (("women", new["woman"].to_numpy()), ("men", ~new["woman"].to_numpy())):
        if not mask.any():
            raise BadInput(f"no {group} among the new applicants: use a larger history")
        rows[group] = {
            "merit": float(new["merited"][mask].mean()),
            "history": float(new["hired"][mask].mean()),
            "model": float(shortlisted[mask].mean()),
            "n": int(mask.sum()),
        }
    return HiringResult(config, model, pd.DataFrame.from_dict(rows, orient="index"))


def weights_table(result: HiringResult) -> pd.DataFrame:
    """The model's weight on each CV column, with what the column is (negative = counts against the applicant)."""
    return pd.DataFrame(
        {
            "CV column": list(result.model.features),
            "what it is": [WHAT[f] for f in result.model.features],
            "weight (log-odds per unit)": [round(c, 2) for c in result.model.coef],
        }
    )


def ratio_sweep(remove_proxies: bool, n: int = 8_000, seed: int = 0, steps: int = 21) -> pd.DataFrame:
    """The model's disparate-impact ratio for ``steps`` biases from 0 to 1 (one fit each, 10-80 ms).

    21 steps are the page's slider stops (every 5 %): once the tab has drawn this curve, a slider move finds its
    fit in :func:`train`'s cache.
    """
    rows = []
    for bias in np.linspace(0.0, 1.0, steps):
        result = train(HiringConfig(bias=round(float(bias), 3), remove_proxies=remove_proxies, n=n, seed=seed))
        rows.append({"bias": float(bias), "ratio": result.ratio(), "ratio_history": result.ratio("history")})
    return pd.DataFrame(rows)


def provenance(config: HiringConfig) -> Provenance:
    features = "skills only" if config.remove_proxies else "skills + proxies"
    return Provenance(
        "measured",
        model=f"logistic regression (L2, C = 100) on {features}, shortlist at p ≥ 0.5",
        data=f"synthetic CV history, {config.n:,} applicants, {config.bias:.0%} of qualified women turned away",
        seed=config.seed,
        source=REUTERS_2018 + "; four-fifths rule: 29 CFR § 1607.4(D)",
    )
