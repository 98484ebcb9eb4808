"""A model trained on past decisions reproduces their bias even when the protected attribute is removed, and when base rates differ no single threshold can equalise every error rate.

Decks 000, 001, 003 and 004 come back to it (Amazon's recruiting tool, COMPAS, speech recognition trained on
male voices, crash-test dummies, pneumonia and asthma). The word-embeddings page shows bias in
representations; this page shows it in **decisions**, in four tabs, every model fitted live on seeded
synthetic data (no real person's record), the published numbers beside ours:

1. *Hiring from history* (:mod:`.hiring`): the gender column is dropped, proxies on the CV carry the past
   recruiters' bias into the model; the disparate-impact ratio against the four-fifths rule.
2. *One score, two groups* (:mod:`.risk_scores`): a score calibrated within each group, per-group thresholds,
   confusion matrices and which fairness criterion each setting meets, beside ProPublica's 2016 error rates;
   fairlearn's MetricFrame and ThresholdOptimizer.
3. *Who is in the data* (:mod:`.representation`): the minority's share of the training set from 50 % to none;
   per-group accuracy beside Gender Shades and Koenecke et al.
4. *The asthma paradox* (:mod:`.asthma`): Caruana et al. 2015; the model learns that asthma lowers the risk.

All models are logistic regressions fitted by Newton's method (:mod:`.fitting`; scikit-learn's objective,
checked against it in the tests) in milliseconds: not networks, so not through :func:`core.training.fit`,
and no Train button (every tab computes on open). :mod:`.figures` holds the plotly figures. fairlearn (and
with it scikit-learn) is imported inside the functions of tab 2 that use it.
"""

from __future__ import annotations

from core.demos.biased_decisions import asthma, figures, fitting, hiring, representation, risk_scores

__all__ = ["asthma", "figures", "fitting", "hiring", "representation", "risk_scores", "warm_up_jobs"]


def warm_up_jobs(seed: int = 0) -> list:
    """Nothing to precompute for the lecture: every tab's preset computes on open in a few seconds at most."""
    return []
