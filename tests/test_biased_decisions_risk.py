"""One score, two groups: fairlearn's MetricFrame against hand counts, the impossibility, ThresholdOptimizer."""

import numpy as np
import pandas as pd
import pytest

from core.demos.biased_decisions import risk_scores as rs
from core.errors import BadInput

CONFIG = rs.CohortConfig()


def test_metric_frame_agrees_with_hand_counts_on_a_tiny_known_cohort():
    frame = pd.DataFrame(
        {
            "group": ["A"] * 5 + ["B"] * 4,
            "score": [0.9, 0.8, 0.3, 0.6, 0.1, 0.7, 0.2, 0.4, 0.9],
            "reoffended": [True, False, True, False, False, True, False, True, False],
        }
    )
    flagged = rs.flag(frame, {"A": 0.5, "B": 0.5})
    counts = rs.confusion(frame, flagged)
    # A: TP 1 (0.9), FP 2 (0.8, 0.6), FN 1 (0.3), TN 1 (0.1); B: TP 1 (0.7), FP 1 (0.9), FN 1 (0.4), TN 1 (0.2)
    assert counts.loc["A"].to_dict() == {"TN": 1, "FP": 2, "FN": 1, "TP": 1}
    assert counts.loc["B"].to_dict() == {"TN": 1, "FP": 1, "FN": 1, "TP": 1}
    rates = rs.metric_frame(frame, flagged)
    assert rates.loc["A", "FPR"] == pytest.approx(2 / 3) and rates.loc["A", "FNR"] == pytest.approx(1 / 2)
    assert rates.loc["A", "PPV"] == pytest.approx(1 / 3) and rates.loc["A", "selection rate"] == pytest.approx(3 / 5)
    assert rates.loc["B"].tolist() == pytest.approx([0.5, 0.5, 0.5, 0.5])


def test_metric_frame_matches_sklearn_confusion_matrix_on_the_preset():
    from sklearn.metrics import confusion_matrix

    frame = rs.cohort(CONFIG)
    flagged = rs.flag(frame, {"A": 0.45, "B": 0.55})
    rates = rs.metric_frame(frame, flagged)
    for group in rs.GROUPS:
        g = (frame.group == group).to_numpy()
        tn, fp, fn, tp = confusion_matrix(frame.reoffended[g], flagged[g]).ravel()
        assert rates.loc[group, "FPR"] == pytest.approx(fp / (fp + tn))
        assert rates.loc[group, "FNR"] == pytest.approx(fn / (fn + tp))
        assert rates.loc[group, "PPV"] == pytest.approx(tp / (tp + fp))


def test_one_threshold_reproduces_propublica_s_error_rates_within_sampling_error():
    frame = rs.cohort(CONFIG)
    rates = rs.metric_frame(frame, rs.flag(frame, {"A": 0.5, "B": 0.5}))
    for group, published in rs.PROPUBLICA_2016.items():
        for metric, value in published.items():
            assert rates.loc[group, metric] == pytest.approx(value, abs=0.03), (group, metric)


def test_the_score_is_calibrated_within_each_group_but_base_rates_differ():
    frame = rs.cohort(CONFIG)
    table = rs.calibration_table(frame)
    big = table[table.people >= 100]
    assert (big.reoffended - big.score).abs().max() < 0.06
    base = frame.groupby("group").reoffended.mean()
    assert base["A"] - base["B"] > 0.05


def test_no_threshold_pair_equalises_fpr_fnr_and_predictive_parity():
    """Chouldechova 2017 / Kleinberg et al. 2016 on the preset: FPR and FNR can be equalised, but then PPV differs."""
    grid = rs.impossibility_grid(CONFIG)
    assert len(rs.pairs_meeting(grid, ("FPR", "FNR"))) > 0
    assert len(rs.pairs_meeting(grid, ("FPR", "FNR", "PPV"))) == 0
    assert len(rs.pairs_meeting(grid, ("FPR", "PPV"))) == 0


def test_thresholds_0_and_1_give_defined_error_rates_and_an_undefined_ppv():
    frame = rs.cohort(CONFIG)
    thresholds = {"A": 0.0, "B": 1.0}
    rates = rs.metric_frame(frame, rs.flag(frame, thresholds))
    assert rates.loc["A", "FPR"] == 1 and rates.loc["A", "FNR"] == 0
    assert rates.loc["B", "FPR"] == 0 and rates.loc["B", "FNR"] == 1 and np.isnan(rates.loc["B", "PPV"])
    ppv = next(c for c in rs.criteria(rates, thresholds) if c.name.startswith("Predictive parity"))
    assert ppv.met is None and "nan" not in ppv.detail.lower()


@pytest.mark.parametrize("bad", [{"A": -0.1, "B": 0.5}, {"A": 0.5, "B": 1.2}, {"A": 0.5}])
def test_bad_thresholds_are_refused(bad):
    with pytest.raises(BadInput):
        rs.flag(rs.cohort(CONFIG), bad)


def test_threshold_optimizer_equalises_both_error_rates_and_breaks_predictive_parity():
    _, rates = rs.equalized_odds(CONFIG)
    assert abs(rates.loc["A", "FPR"] - rates.loc["B", "FPR"]) < rs.TOLERANCE
    assert abs(rates.loc["A", "FNR"] - rates.loc["B", "FNR"]) < rs.TOLERANCE
    assert abs(rates.loc["A", "PPV"] - rates.loc["B", "PPV"]) > 0.05


def test_the_same_seed_gives_the_same_cohort():
    assert rs.cohort(rs.CohortConfig(seed=7)).equals(rs.cohort(rs.CohortConfig(seed=7)))
