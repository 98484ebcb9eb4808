"""Known answers of the biased-decisions demo: hiring, representation, asthma (the risk scores: test_biased_decisions_risk.py)."""

import numpy as np
import pytest

from core.demos.biased_decisions import asthma, fitting, hiring, representation
from core.demos.biased_decisions.fitting import fit_logistic
from core.errors import BadInput


def test_a_fair_history_gives_a_ratio_near_one():
    result = hiring.train(hiring.HiringConfig(bias=0.0))
    assert 0.9 <= result.ratio() <= 1.1
    assert 0.9 <= result.ratio("merit") <= 1.1  # the skills really are the same for both groups


def test_a_biased_history_falls_under_four_fifths_and_removing_the_proxies_shrinks_the_gap():
    with_proxies = hiring.train(hiring.HiringConfig(bias=0.6))
    without = hiring.train(hiring.HiringConfig(bias=0.6, remove_proxies=True))
    assert with_proxies.ratio() < hiring.FOUR_FIFTHS
    assert abs(1 - without.ratio()) < abs(1 - with_proxies.ratio()) / 3
    assert with_proxies.model.weight("name_femininity") < 0  # the proxy carries the bias


def test_a_history_with_no_hired_woman_and_a_fair_one_give_finite_rates():
    for bias in (0.0, 1.0):
        rates = hiring.train(hiring.HiringConfig(bias=bias)).rates
        assert np.isfinite(rates.to_numpy(dtype=float)).all()
    assert hiring.train(hiring.HiringConfig(bias=1.0)).ratio("history") == 0.0


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others():
    a = hiring.history(0.6, 2_000, seed=3)
    assert a.equals(hiring.history(0.6, 2_000, seed=3))
    assert not a.equals(hiring.history(0.6, 2_000, seed=4))
    r1 = representation.train(representation.RepresentationConfig(seed=5))
    assert r1.accuracy == representation.train(representation.RepresentationConfig(seed=5)).accuracy


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_a_bias_outside_0_1_is_refused(bad):
    with pytest.raises(BadInput):
        hiring.HiringConfig(bias=bad)


def test_one_class_training_data_gives_a_constant_model_not_an_error():
    model = fit_logistic(np.zeros((5, 2)), np.zeros(5), ("a", "b"))
    assert (model.predict_proba(np.ones((3, 2))) < 1e-6).all()


@pytest.mark.parametrize("separable", [False, True])
def test_our_newton_fit_is_sklearn_s_logistic_regression(separable):
    """scikit-learn as the oracle: the same objective (C = 100, intercept unpenalised), the same answer."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)) * [1.0, 5.0, 0.2]  # unequal scales, as the CV columns have
    noise = 0.0 if separable else rng.normal(size=200)  # separable: only the penalty keeps the weights finite
    y = (x @ [1.0, -2.0, 0.5] + noise > 0).astype(int)
    ours = fit_logistic(x, y, ("a", "b", "c"))
    theirs = LogisticRegression(C=fitting.C, tol=1e-10, max_iter=10_000).fit(x, y)
    assert np.allclose(ours.coef, theirs.coef_[0], rtol=1e-4, atol=1e-4)
    assert np.allclose(ours.predict_proba(x), theirs.predict_proba(x)[:, 1], atol=1e-6)


def test_the_minority_loses_accuracy_as_its_share_shrinks():
    balanced = representation.train(representation.RepresentationConfig(minority_share=0.5))
    rare = representation.train(representation.RepresentationConfig(minority_share=0.01))
    assert balanced.accuracy["minority"] > rare.accuracy["minority"] + 0.15
    assert rare.accuracy["majority"] > balanced.accuracy["majority"]
    assert rare.accuracy["minority"] < rare.baseline["minority"] + 0.1  # barely better than the constant answer


@pytest.mark.parametrize("share", [0.0, 0.0005])  # no minority example, one minority example
def test_a_share_of_none_or_one_example_still_gives_finite_accuracies(share):
    config = representation.RepresentationConfig(minority_share=share)
    assert config.n_minority == round(share * 2000)
    result = representation.train(config)
    assert all(0 <= a <= 1 for a in result.accuracy.values())


def test_the_asthma_model_learns_the_wrong_sign_and_the_right_one_without_the_icu_policy():
    treated = asthma.train(asthma.HospitalConfig(icu_for_asthma=True))
    untreated = asthma.train(asthma.HospitalConfig(icu_for_asthma=False))
    assert asthma.TRUE_WEIGHTS["asthma"] > 0
    assert treated.learned_asthma_weight < 0 < untreated.learned_asthma_weight
    home = treated.policy.loc["asthma"]
    assert home["true risk at home"] > 2 * home["predicted risk at home"]  # the policy harms exactly them


def test_a_send_home_threshold_of_zero_sends_nobody_and_says_so():
    policy = asthma.train(asthma.HospitalConfig(home_below=0.0)).policy
    assert (policy["sent home"] == 0).all() and policy["true risk at home"].isna().all()
