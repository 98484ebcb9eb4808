"""Attacks: torchattacks as the oracle, the properties every attack must keep, and the noise control."""

import pytest
import torch

from core import attacks
from core.data import fashion_mnist_10k, train_test_split
from core.demos import adversarial as adv
from core.training import accuracy, predict, predict_proba

torchattacks = pytest.importorskip("torchattacks", reason="torchattacks 3.3.0 is a test extra (the oracle)")


@pytest.fixture(scope="module")
def small_split():
    train, test = train_test_split(fashion_mnist_10k(), 0.2, 0)
    return train.subset(slice(0, 3000)), test.subset(slice(0, 400))


@pytest.fixture(scope="module")
def run(small_split):
    """The demo's SmallCNN, trained for 2 quick epochs on 3,000 images (~75 % accurate)."""
    return adv.train_model(adv.ModelPreset(epochs=2), split=small_split)


@pytest.fixture(scope="module")
def batch(run):
    return run.test.images[:64], run.test.labels[:64]


def test_fgsm_equals_torchattacks_bit_for_bit(run, batch):
    x, y = batch
    for eps in (0.03, 0.1):
        assert torch.equal(attacks.fgsm(run.model, x, y, eps), torchattacks.FGSM(run.model, eps=eps)(x, y))


def test_pgd_without_random_start_equals_torchattacks_bit_for_bit(run, batch):
    x, y = batch
    ours = attacks.pgd(run.model, x, y, 0.1, alpha=0.01, steps=7, random_start=False)
    theirs = torchattacks.PGD(run.model, eps=0.1, alpha=0.01, steps=7, random_start=False)(x, y)
    assert torch.equal(ours, theirs)


def test_targeted_versions_equal_torchattacks(run, batch):
    x, y = batch
    target = torch.full((len(x),), 8)
    for ours, oracle in (
        (lambda: attacks.fgsm(run.model, x, target, 0.1, targeted=True), torchattacks.FGSM(run.model, eps=0.1)),
        (
            lambda: attacks.pgd(run.model, x, target, 0.1, alpha=0.02, steps=5, random_start=False, targeted=True),
            torchattacks.PGD(run.model, eps=0.1, alpha=0.02, steps=5, random_start=False),
        ),
    ):
        oracle.set_mode_targeted_by_function(lambda images, labels: torch.full_like(labels, 8))
        assert torch.equal(ours(), oracle(x, y))  # torchattacks maps the true labels to the target itself


@pytest.mark.parametrize("name", ["fgsm", "pgd", "pgd_random", "noise", "universal"])
def test_change_stays_within_eps_and_pixels_in_range(run, batch, name):
    x, y = batch
    eps = 0.07
    make = {
        "fgsm": lambda: attacks.fgsm(run.model, x, y, eps),
        "pgd": lambda: attacks.pgd(run.model, x, y, eps, steps=5, random_start=False),
        "pgd_random": lambda: attacks.pgd(run.model, x, y, eps, steps=5, generator=torch.Generator().manual_seed(1)),
        "noise": lambda: attacks.sign_noise(x, eps, torch.Generator().manual_seed(1)),
        "universal": lambda: torch.clamp(x + attacks.universal_perturbation(run.model, x, y, eps, steps=5), 0, 1),
    }
    out = make[name]()
    assert out.shape == x.shape and float(out.min()) >= 0 and float(out.max()) <= 1
    assert float((out - x).abs().max()) <= eps + 1e-6
    assert float((out - x).abs().max()) > eps / 2  # it did change something


def test_targeted_attack_raises_the_targets_probability(run, batch):
    x, y = batch
    keep = y != 8
    x, target = x[keep], torch.full((int(keep.sum()),), 8)
    before = predict_proba(run.model, x)[:, 8]
    for attack in (attacks.fgsm, attacks.pgd):
        after = predict_proba(run.model, attack(run.model, x, target, 0.1, targeted=True))[:, 8]
        assert float(after.mean()) > float(before.mean()) + 0.1
        assert float((after > before).float().mean()) > 0.9


def test_pgd_random_start_is_seeded(run, batch):
    x, y = batch
    a, b, c = (
        attacks.pgd(run.model, x, y, 0.1, steps=2, generator=torch.Generator().manual_seed(s)) for s in (3, 3, 4)
    )
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_curves_start_at_clean_accuracy_and_the_attack_beats_noise(run):
    x, y = run.test.images[:300], run.test.labels[:300]
    curves = attacks.epsilon_curves(run.model, x, y, (0.0, 0.1), pgd_steps=3, seed=0, batch_size=128)
    clean = accuracy(run.model, run.test.subset(slice(0, 300)))
    at = curves.set_index(["attack", "epsilon"])
    for attack in ("FGSM", "PGD", "noise"):
        assert at.loc[(attack, 0.0), "accuracy"] == pytest.approx(clean, abs=1e-6)  # float32 mean vs an exact fraction
        assert at.loc[(attack, 0.0), "success_rate"] == 0
    assert at.loc[("FGSM", 0.1), "accuracy"] < at.loc[("noise", 0.1), "accuracy"] - 0.3
    assert at.loc[("PGD", 0.1), "accuracy"] <= at.loc[("FGSM", 0.1), "accuracy"]
    assert curves.equals(attacks.epsilon_curves(run.model, x, y, (0.0, 0.1), pgd_steps=3, seed=0, batch_size=128))


def test_fgsm_curve_equals_fgsm_per_epsilon(run, batch):
    x, y = batch
    curves = attacks.epsilon_curves(run.model, x, y, (0.05,), attacks=("FGSM",))
    manual = float((predict(run.model, attacks.fgsm(run.model, x, y, 0.05)) == y).float().mean())
    assert curves["accuracy"].iloc[0] == pytest.approx(manual)


@pytest.mark.parametrize("k", [1, 3])
def test_one_pixel_changes_at_most_k_pixels(run, k):
    image, label = run.test.images[0], int(run.test.labels[0])
    result = attacks.one_pixel(run.model, image, label, k, max_iter=5, population=60, seed=0)
    changed = (result.adversarial[0] != image).any(dim=0).sum()
    assert int(changed) <= k and len(result.pixels) == int(changed)
    assert result.queries > 0 and float(result.adversarial.min()) >= 0 and float(result.adversarial.max()) <= 1


def test_one_pixel_finds_some_fooling_pixels(run):
    probs = predict_proba(run.model, run.test.images)
    right = probs.argmax(1) == run.test.labels
    margin = torch.where(right, probs.max(1).values, 2.0)  # the least confident correct predictions first
    found = [
        attacks.one_pixel(
            run.model, run.test.images[i], int(run.test.labels[i]), 5, max_iter=30, population=200
        ).success
        for i in margin.argsort()[:6].tolist()
    ]
    assert any(found)


def test_simba_uses_only_its_budget_and_fools_with_scores(run):
    results = [attacks.simba(run.model, run.test.images[i], int(run.test.labels[i]), 0.2, 1500) for i in range(5)]
    assert all(r.queries <= 1500 for r in results)
    assert sum(r.success for r in results) >= 3
    for r, i in zip(results, range(5)):
        assert float((r.adversarial[0] - run.test.images[i]).abs().max()) <= 0.2 + 1e-6


def test_universal_perturbation_fools_unseen_images_more_than_noise(run, small_split):
    train, _ = small_split
    delta = attacks.universal_perturbation(run.model, train.images[:1000], train.labels[:1000], 0.15, steps=40)
    noise = attacks.sign_noise(torch.full_like(delta, 0.5), 0.15, torch.Generator().manual_seed(0)) - 0.5
    unseen = run.test.images
    assert attacks.fooling_rate(run.model, unseen, delta) > attacks.fooling_rate(run.model, unseen, noise) + 0.15


def test_paste_puts_the_patch_exactly_there():
    images, patch = torch.zeros(2, 1, 28, 28), torch.ones(1, 4, 4)
    out = attacks.paste(images, patch, torch.tensor([0, 24]), torch.tensor([3, 0]))
    assert out[0, 0, 0:4, 3:7].eq(1).all() and out[1, 0, 24:28, 0:4].eq(1).all() and out.sum() == 32
    assert images.sum() == 0  # a copy


def test_patch_turns_images_into_the_target_more_than_a_random_patch(run, small_split):
    train, _ = small_split
    sticker = attacks.adversarial_patch(run.model, train.images[:1000], 8, size=14, steps=60, step_size=0.05)
    assert sticker.shape == (1, 14, 14) and float(sticker.min()) >= 0 and float(sticker.max()) <= 1
    random_sticker = torch.rand(sticker.shape, generator=torch.Generator().manual_seed(0))
    test = run.test
    assert (
        attacks.patch_success(run.model, test.images, test.labels, sticker, 8)
        > attacks.patch_success(run.model, test.images, test.labels, random_sticker, 8) + 0.1
    )


def test_adversarial_training_buys_robustness(run, small_split):
    defended = adv.train_model(adv.ModelPreset(defence_eps=0.1, epochs=2), split=small_split)
    x, y = run.test.images, run.test.labels

    def fgsm_accuracy(model):
        return float((predict(model, attacks.fgsm(model, x, y, 0.1)) == y).float().mean())

    assert fgsm_accuracy(defended.model) > fgsm_accuracy(run.model) + 0.1
    assert defended.result.carbon is not None and "adversarially trained" in defended.preset.describe()


def test_change_size_reports_linf_l2_l0():
    x = torch.zeros(1, 3, 4, 4)
    y = x.clone()
    y[0, :, 1, 2] = 0.3
    y[0, 0, 3, 3] = 0.4
    size = attacks.change_size(x, y)
    assert size["linf"] == pytest.approx(0.4) and size["l0"] == 2
    assert size["l2"] == pytest.approx((3 * 0.09 + 0.16) ** 0.5)


def test_attacks_use_the_lab_s_one_prediction_helper_and_progress_callback():
    """One of each primitive (issue #14): no private softmax helper or callback type beside core.training's."""
    from core import training

    assert not hasattr(attacks, "probabilities")
    assert attacks.ProgressCallback is training.ProgressCallback


def test_scipy_optimize_is_imported_only_when_a_one_pixel_search_runs():
    # ~35 MB of server memory (bench/bench_memory.py): opening the adversarial page must not pay it.
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, torch\n"
        "from core import attacks\n"
        "from core.demos import adversarial\n"
        "from core.models import CNNConfig, build_cnn\n"
        "before = 'scipy.optimize' in sys.modules\n"
        "model = build_cnn(CNNConfig(), seed=0).eval()\n"
        "attacks.one_pixel(model, torch.rand(1, 28, 28), 0, max_iter=1, population=10)\n"
        "print(before, 'scipy.optimize' in sys.modules)\n"
    )
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.split("\n")[-2] == "False True"
