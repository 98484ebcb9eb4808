"""core.demos.overfitting.memorise: an MLP memorises shuffled labels (Zhang et al. 2017) and learns nothing.

The page's presets trained once per module (three runs of the MLP 1x512 on 500 images, ~3 s each on
2 quiet cores): the honest full-size check that all-shuffled labels are fitted to >= 95 %; small runs
where a property needs no full training.
"""

import dataclasses

import pytest
import torch

from core.demos.overfitting import memorise as mem
from core.errors import BadInput
from core.provenance import Provenance


@pytest.fixture(scope="module")
def presets():
    return {share: mem.train(mem.MemoriseConfig(shuffled=share)) for share in mem.PRESETS.values()}


def test_all_shuffled_labels_are_memorised_with_the_preset(presets):
    run = presets[1.0]
    assert run.config == mem.MemoriseConfig()  # the preset itself, full size
    assert run.train_accuracy >= 0.95 and run.result.history[-1]["train_acc"] >= 0.95
    assert run.true_label_accuracy < 0.3  # what it fitted is noise: the images' true labels are mostly missed


def test_test_accuracy_falls_to_chance_as_labels_are_shuffled(presets):
    true, half, shuffled = presets[0.0], presets[0.5], presets[1.0]
    majority = shuffled.result.majority_baseline
    assert 0.09 <= majority <= 0.13  # ten roughly equal classes
    assert shuffled.test_accuracy <= majority + 0.05
    assert true.test_accuracy >= 0.7 and true.train_accuracy >= 0.95
    assert shuffled.test_accuracy < half.test_accuracy < true.test_accuracy


def test_random_labels_take_longer_to_fit_but_only_a_small_factor(presets):
    true, shuffled = mem.epochs_to_fit(presets[0.0]), mem.epochs_to_fit(presets[1.0])
    assert true is not None and shuffled is not None
    assert 1.0 < shuffled / true < 6.0  # Zhang et al. (Fig. 1b): "a small constant factor"
    assert mem.slowdown(presets[1.0], presets[0.0]) == shuffled / true


def test_the_slowdown_compares_only_runs_that_differ_in_their_labels(presets):
    with pytest.raises(BadInput):
        mem.slowdown(presets[1.0], presets[0.5])  # the reference is not on true labels
    other_seed = dataclasses.replace(presets[0.0], config=dataclasses.replace(presets[0.0].config, seed=1))
    with pytest.raises(BadInput):
        mem.slowdown(presets[1.0], other_seed)  # other images, other initialisation: not a slowdown


def test_shuffling_keeps_the_class_counts_and_the_share():
    train, _ = mem.load_split(200, 50, 0)
    noisy, picked = mem.shuffle_labels(train, 0.5, seed=3)
    assert int(picked.sum()) == 100
    assert torch.equal(noisy.labels[~picked], train.labels[~picked])
    assert torch.equal(torch.bincount(noisy.labels, minlength=10), torch.bincount(train.labels, minlength=10))
    again, _ = mem.shuffle_labels(train, 0.5, seed=3)
    assert torch.equal(again.labels, noisy.labels)
    assert torch.equal(mem.shuffle_labels(train, 0.0, 0)[0].labels, train.labels)


def test_same_seed_same_history():
    config = mem.MemoriseConfig(n_train=100, n_test=100, epochs=3, hidden=32)
    first, second = mem.train(config), mem.train(config)
    assert first.result.history and [{k: v for k, v in h.items() if k != "seconds"} for h in first.result.history] == [
        {k: v for k, v in h.items() if k != "seconds"} for h in second.result.history
    ]
    other = mem.train(dataclasses.replace(config, seed=1))
    assert other.result.history[-1]["train_loss"] != first.result.history[-1]["train_loss"]


@pytest.mark.parametrize("share", [-0.01, 1.01, float("nan")])
def test_shares_outside_zero_one_are_bad_input(share):
    with pytest.raises(BadInput):
        mem.MemoriseConfig(shuffled=share)


def test_jobs_and_warm_up_are_keyed_by_run_key():
    config = mem.MemoriseConfig(shuffled=0.25)
    (job,) = mem.jobs(config)
    assert job.key == mem.run_key(config)
    assert [j.key for j in mem.warm_up_jobs(seed=2)] == [
        mem.run_key(mem.MemoriseConfig(shuffled=s, seed=2)) for s in mem.PRESETS.values()
    ]
    assert mem.PRESETS == {"True labels": 0.0, "Half shuffled": 0.5, "All shuffled": 1.0}


def test_a_job_runs_train_with_its_config(monkeypatch):
    seen = []
    monkeypatch.setattr(mem, "train", lambda config, on_progress=None: seen.append(config) or "run")
    config = mem.MemoriseConfig(shuffled=0.5)
    assert mem.jobs(config)[0].run(None, None) == "run" and seen == [config]


def test_curves_figure_has_both_curves_chance_and_majority(presets):
    run = presets[1.0]
    provenance = run.provenance("2,000 test images")
    assert isinstance(provenance, Provenance) and provenance.kind == "measured" and provenance.seed == 0
    fig = mem.curves_figure(run, provenance)
    names = [t.name for t in fig.data]
    assert names[:2] == ["training accuracy (labels trained on)", "test accuracy (true labels)"]
    assert "chance (10 classes)" in names and any(n.startswith("majority-class baseline") for n in names)
    assert len(fig.data[0].x) == run.config.epochs
    assert fig.layout.meta["provenance"]["what"] == "measured"
    assert "Zhang" in mem.ZHANG_2017 and "random labels" in mem.ZHANG_2017_FINDING
