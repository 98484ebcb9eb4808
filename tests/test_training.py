"""The shared model and trainer: shapes, determinism, progress, carbon ledger."""

import json

import pytest
import torch
import torch.nn.functional as F

from core import data, models, training
from core.ledger import Ledger


@pytest.fixture(scope="module")
def digits_split():
    return data.train_test_split(data.digits(), 0.3, seed=0)


def small_config():
    return models.CNNConfig(in_channels=1, num_classes=10, image_size=8, widths=(8, 16), hidden=32)


def test_cnn_shapes_and_seeded_init():
    cfg = models.CNNConfig()
    out = models.build_cnn(cfg, seed=1)(torch.rand(5, 1, 28, 28))
    assert out.shape == (5, 10)
    a, b, c = (models.build_cnn(cfg, seed=s).state_dict() for s in (1, 1, 2))
    assert all(torch.equal(a[k], b[k]) for k in a) and not torch.equal(a["conv1.weight"], c["conv1.weight"])
    with pytest.raises(ValueError, match="divisible by 4"):
        models.CNNConfig(image_size=30)


def test_batch_norm_adds_normalisation_without_changing_the_other_weights():
    plain, normed = (models.CNNConfig(batch_norm=flag) for flag in (False, True))
    a, b = models.build_cnn(plain, seed=3), models.build_cnn(normed, seed=3)
    assert isinstance(b.norm1, torch.nn.BatchNorm2d) and a.norm1 is None
    shared = a.state_dict()
    assert all(torch.equal(shared[k], b.state_dict()[k]) for k in shared)  # BN draws no random numbers
    assert normed.describe().endswith(",BN)") and "BN" not in plain.describe()
    b.eval()
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(b(x), b(x))  # eval mode: running statistics, no batch dependence
    assert torch.allclose(b(x[:1]), b(x)[:1], atol=1e-6)


def test_colour_config_builds():
    cfg = models.CNNConfig(in_channels=3, num_classes=2, image_size=64)
    assert models.build_cnn(cfg)(torch.rand(2, 3, 64, 64)).shape == (2, 2)


def _fit(split, seed, **kw):
    train, test = split
    cfg = training.TrainConfig(epochs=4, batch_size=64, lr=1e-2, seed=seed)
    return training.fit(
        models.build_cnn(small_config(), seed=seed), train, test, cfg, demo="test", label="digits", **kw
    )


def test_same_seed_gives_identical_weights_and_metrics(digits_split):
    a, b = _fit(digits_split, 3), _fit(digits_split, 3)
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    strip = lambda h: [{k: v for k, v in e.items() if k != "seconds"} for e in h]  # noqa: E731
    assert strip(a.history) == strip(b.history)
    c = _fit(digits_split, 4)
    assert not torch.equal(c.model.state_dict()["fc2.weight"], sa["fc2.weight"])


def test_cosine_schedule_is_deterministic_and_changes_the_training(digits_split):
    with pytest.raises(ValueError, match="schedule"):
        training.TrainConfig(schedule="linear")
    train, test = digits_split

    def run(schedule):
        cfg = training.TrainConfig(epochs=2, batch_size=64, lr=1e-2, seed=0, schedule=schedule)
        return training.fit(models.build_cnn(small_config(), seed=0), train, test, cfg, demo="test", label="digits")

    cosine_a, cosine_b, constant = run("cosine"), run("cosine"), run("constant")
    assert all(torch.equal(p, q) for p, q in zip(cosine_a.model.parameters(), cosine_b.model.parameters()))
    assert not torch.equal(cosine_a.model.fc2.weight, constant.model.fc2.weight)
    schedules = [json.loads(c)["train"]["schedule"] for c in Ledger().rows()["config_json"].iloc[-3:]]
    assert schedules == ["cosine", "cosine", "constant"]  # the ledger says how each run was trained


def test_training_learns_reports_progress_and_is_ledgered(digits_split):
    calls = []
    before = len(Ledger().rows())
    result = _fit(digits_split, 0, on_progress=lambda step, total, m: calls.append((step, total, m)))
    steps = 4 * -(-len(digits_split[0]) // 64)
    assert [c[0] for c in calls if "test_acc" not in c[2]] == list(range(1, steps + 1))
    assert all(c[1] == steps for c in calls)
    assert result.test_accuracy > 0.6  # chance is 0.1; 4 epochs on 1.2k digits reach ~0.9
    test_labels = digits_split[1].labels
    assert result.majority_baseline == pytest.approx(
        torch.bincount(test_labels).max().item() / len(test_labels)
    )  # the line the accuracy must clear
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert not result.model.training
    c = result.carbon  # honest either way: numbers exactly when measured
    assert c.duration_s > 0 and (c.energy_kwh is None) == (c.status == "not measured") == (c.emissions_kg is None)
    rows = Ledger().rows()
    assert len(rows) == before + 1 and rows.iloc[-1]["demo"] == "test" and rows.iloc[-1]["seed"] == 0
    # what the run achieved travels with its energy (the CO2 page plots one against the other)
    metrics = json.loads(rows.iloc[-1]["metrics_json"])
    assert metrics["test_acc"] == result.test_accuracy
    assert metrics["test_majority"] == result.majority_baseline
    assert metrics["samples_seen"] == 4 * len(digits_split[0])
    assert metrics["parameters"] == sum(p.numel() for p in result.model.parameters())
    assert json.loads(rows.iloc[-1]["config_json"])["model"] == small_config().describe()
    assert metrics["train_flops"] == 6 * metrics["forward_macs"] * metrics["samples_seen"]
    assert result.metrics == metrics  # the result carries what the ledger got: nobody recounts it
    assert f"trained in {result.seconds:.1f} s" in result.summary()
    prov = result.provenance("digits test split")
    assert (prov.kind, prov.model, prov.seed) == ("measured", small_config().describe(), 0)


def test_forward_macs_match_a_hand_count():
    cfg = models.CNNConfig()  # 28x28 grey: conv 1->16 3x3 at 28x28, conv 16->32 at 14x14, 1568->64, 64->10
    hand = 28 * 28 * 16 * 1 * 9 + 14 * 14 * 32 * 16 * 9 + 32 * 7 * 7 * 64 + 64 * 10
    model = models.build_cnn(cfg)
    assert models.forward_macs(model, torch.zeros(5, 1, 28, 28)) == hand == 1_117_056  # per image, not per batch
    assert not model._forward_hooks and not model.conv1._forward_hooks  # the counting hooks are gone


def test_adversarial_training_records_no_flop_count(digits_split):
    rows_before = len(Ledger().rows())
    _fit(digits_split, 0, perturb=lambda model, x, y: x)
    rows = Ledger().rows()
    assert len(rows) == rows_before + 1
    metrics = json.loads(rows.iloc[-1]["metrics_json"])
    assert "train_flops" not in metrics and "test_acc" in metrics  # the attack's compute is not counted


def test_progress_carries_live_carbon_readings_that_only_grow(digits_split):
    batches = []
    result = _fit(digits_split, 0, on_progress=lambda step, total, m: "loss" in m and batches.append(m["carbon"]))
    if not result.carbon.is_measured:  # no tracker here: then there is no live number either, never a made-up one
        assert all(r is None for r in batches)
        return
    assert all(r is not None for r in batches)
    assert all(b.energy_kwh >= a.energy_kwh and b.elapsed_s >= a.elapsed_s for a, b in zip(batches, batches[1:]))
    assert all(r.power_w >= 0 for r in batches) and batches[-1].energy_kwh <= result.carbon.energy_kwh


def test_accuracy_of_known_predictions():
    class Constant(torch.nn.Module):
        def forward(self, x):
            return torch.tensor([[0.0, 1.0]]).repeat(len(x), 1)

    ds = data.ImageDataset(torch.zeros(4, 1, 4, 4), torch.tensor([1, 1, 0, 1]), ("a", "b"), data.DIGITS_INFO)
    assert training.accuracy(Constant(), ds) == 0.75
    with pytest.raises(ValueError):
        training.accuracy(Constant(), ds.subset(slice(0, 0)))


def test_shared_runs_train_once_for_concurrent_identical_requests():
    import threading
    import time

    runs, calls = training.SharedRuns(), []

    def slow_training():
        calls.append(1)
        time.sleep(0.2)
        return object()

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(runs.get_or_run(("demo", 1), slow_training))) for _ in range(8)
    ]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1 and len(results) == 8 and all(r is results[0] for r in results)
    assert runs.get_or_run(("demo", 2), slow_training) is not results[0] and len(calls) == 2
    assert runs.peek(("demo", 3)) is None


def test_shared_runs_do_not_cache_a_failure():
    runs, attempts = training.SharedRuns(), []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("out of memory")
        return "ok"

    with pytest.raises(RuntimeError):
        runs.get_or_run("k", flaky)
    assert runs.get_or_run("k", flaky) == "ok" and len(attempts) == 2


def test_shared_runs_keep_at_most_max_entries_dropping_the_oldest():
    with pytest.raises(ValueError):
        training.SharedRuns(max_entries=0)
    runs, calls = training.SharedRuns(max_entries=2), []

    def run(key):
        calls.append(key)
        return f"model {key}"

    for key in ("a", "b", "c"):  # three slider positions
        assert runs.get_or_run(key, lambda k=key: run(k)) == f"model {key}"
    assert runs.peek("a") is None and runs.peek("b") == "model b" and runs.peek("c") == "model c"
    assert runs.get_or_run("c", lambda: run("c")) == "model c" and calls == ["a", "b", "c"]  # kept: not rerun
    runs.get_or_run("a", lambda: run("a"))  # dropped earlier: trained again, and now "b" is the oldest
    assert calls == ["a", "b", "c", "a"] and runs.peek("b") is None
    unbounded = training.SharedRuns()
    for key in range(50):
        unbounded.get_or_run(key, lambda k=key: k)
    assert all(unbounded.peek(key) == key for key in range(50))


def test_progress_estimates_time_left_from_the_first_epoch():
    now = [100.0]
    say = training.ProgressText("model", clock=lambda: now[0])
    now[0] = 102.0
    assert "left" not in say(10, 30, {"epoch": 1, "loss": 1.0})  # no epoch measured yet: no estimate
    now[0] = 104.0
    assert "left" not in say(10, 30, {"epoch": 1, "loss": 1.0})
    text = say(10, 30, {"epoch": 1, "test_acc": 0.8})  # first epoch done after 4 s: 20 steps left, 8 s
    assert "≈ 8 s left" in text and "estimated" in text
    assert "left" not in say(30, 30, {"epoch": 3, "test_acc": 0.9})


def test_predict_is_the_argmax_of_predict_proba_and_leaves_the_model_s_mode_alone(digits_split):
    model = models.build_cnn(small_config(), seed=0)
    images = digits_split[1].images[:300]
    model.train()  # a shared model is only read: predicting must not switch it to eval behind its owner's back
    probs = training.predict_proba(model, images, batch_size=64)
    assert model.training
    assert probs.shape == (300, 10) and torch.allclose(probs.sum(1), torch.ones(300))
    assert torch.equal(training.predict(model, images, batch_size=64), probs.argmax(1))


def test_a_penalty_is_added_to_the_loss_and_none_changes_nothing(digits_split):
    """fit's ``penalty`` hook (issue #18, EWC): None is plain training; a zero penalty the same weights; a strong
    pull towards zero keeps every weight small."""
    train, test = digits_split
    config = training.TrainConfig(epochs=1, batch_size=32, seed=0)

    def trained(**kwargs):
        model = models.build_cnn(small_config(), seed=0)
        return training.fit(model, train, test, config, demo="test", label="penalty", **kwargs).model.state_dict()

    plain = trained()
    zero = trained(penalty=lambda m: sum(p.sum() for p in m.parameters()) * 0.0)
    assert all(torch.equal(plain[k], zero[k]) for k in plain)
    pulled = trained(penalty=lambda m: 1e3 * sum((p**2).sum() for p in m.parameters()))
    size = sum(float(v.abs().sum()) for k, v in plain.items() if "weight" in k)
    assert sum(float(v.abs().sum()) for k, v in pulled.items() if "weight" in k) < size / 3


def test_an_objective_replaces_the_cross_entropy_and_none_changes_nothing(digits_split):
    """fit's ``objective`` hook (issue #19, distillation): cross-entropy passed in is plain training, weight for
    weight; an objective that ignores the labels (push every logit of class 0 up) learns something else."""
    train, test = digits_split
    config = training.TrainConfig(epochs=1, batch_size=32, seed=0)

    def trained(**kwargs):
        model = models.build_cnn(small_config(), seed=0)
        return training.fit(model, train, test, config, demo="test", label="objective", **kwargs)

    plain, same = trained().model.state_dict(), trained(objective=lambda z, x, y: F.cross_entropy(z, y))
    assert all(torch.equal(plain[k], same.model.state_dict()[k]) for k in plain)
    zeros = trained(objective=lambda z, x, y: F.cross_entropy(z, torch.zeros_like(y)))
    assert bool((training.predict(zeros.model, test.images) == 0).all())
