"""Baselines an accuracy must beat: known answers on label vectors small enough to count by hand."""

import doctest
from pathlib import Path

import numpy as np
import pytest
import torch

from core import baselines


def test_majority_baseline_is_the_share_of_the_commonest_class():
    # Wu & Zhang's class counts: 1,126 "non-criminal" (0), 730 "criminal" (1).
    labels = np.array([0] * 1126 + [1] * 730)
    assert baselines.majority_baseline(labels) == pytest.approx(1126 / 1856)  # 60.7 %, not 50 %
    assert round(baselines.majority_baseline(labels), 3) == 0.607
    assert baselines.majority_class(labels) == 0
    assert baselines.majority_baseline([1, 1, 1, 0]) == 0.75 and baselines.majority_class([1, 1, 1, 0]) == 1
    assert baselines.majority_baseline([0, 1] * 5) == 0.5
    assert baselines.majority_class([1, 0, 1, 0]) == 0  # a tie: the smallest label, deterministically


def test_a_constant_answer_scores_the_majority_rate_but_balanced_accuracy_one_half():
    labels = np.array([0] * 1126 + [1] * 730)
    always_majority = np.zeros_like(labels)
    r = baselines.report(labels, always_majority)
    assert r.accuracy == pytest.approx(1126 / 1856) and r.lift == pytest.approx(0.0)
    assert r.balanced_accuracy == 0.5 and r.chance_balanced == 0.5 and r.n == 1856
    assert baselines.balanced_accuracy(labels, np.ones_like(labels)) == 0.5  # the minority answer too
    # Three classes: any constant answer scores 1/3.
    assert baselines.balanced_accuracy([0, 0, 0, 0, 1, 2], [0] * 6) == pytest.approx(1 / 3)
    assert baselines.chance_balanced_accuracy([0, 0, 0, 0, 1, 2]) == pytest.approx(1 / 3)


def test_balanced_accuracy_is_the_mean_recall_and_equals_accuracy_on_balanced_labels():
    labels = [0, 0, 0, 0, 1, 1]
    predictions = [0, 0, 0, 1, 1, 0]  # recall: 3/4 on class 0, 1/2 on class 1
    assert baselines.balanced_accuracy(labels, predictions) == pytest.approx((3 / 4 + 1 / 2) / 2)
    balanced = [0, 0, 1, 1]
    assert baselines.balanced_accuracy(balanced, [0, 1, 1, 1]) == baselines.report(balanced, [0, 1, 1, 1]).accuracy


def test_tensors_are_accepted_and_bad_input_is_refused():
    labels, predictions = torch.tensor([0, 0, 1]), torch.tensor([0, 0, 0])
    assert baselines.report(labels, predictions).majority_baseline == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="non-empty"):
        baselines.majority_baseline([])
    with pytest.raises(ValueError, match="differ in length"):
        baselines.balanced_accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="1-D"):
        baselines.report(np.zeros((2, 2)), np.zeros((2, 2)))


def test_the_docstring_examples_hold():
    result = doctest.testmod(baselines)
    assert result.attempted >= 2 and result.failed == 0


def test_balanced_accuracy_equals_scikit_learns_to_the_bit():
    # The lab computes it with numpy (scikit-learn costs ~150 MB of server memory); the numbers on
    # screen must not move: same value as balanced_accuracy_score on random and edge-case labels.
    from sklearn.metrics import balanced_accuracy_score

    rng = np.random.default_rng(0)
    for n, k in ((1856, 2), (2000, 10), (7, 3), (50, 5)):
        labels, predictions = rng.integers(0, k, n), rng.integers(0, k, n)
        assert baselines.balanced_accuracy(labels, predictions) == balanced_accuracy_score(labels, predictions)
    with pytest.warns(UserWarning):  # a class predicted but never true: both leave it out
        expected = balanced_accuracy_score([0, 0, 1], [0, 2, 1])
    assert baselines.balanced_accuracy([0, 0, 1], [0, 2, 1]) == expected == 0.75


def test_importing_baselines_loads_no_scikit_learn():
    import subprocess
    import sys

    code = "import sys, core.baselines as b; b.report([0, 1, 1], [0, 1, 0]); print('sklearn' in sys.modules)"
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.strip() == "False"
