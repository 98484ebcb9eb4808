"""core.demos.forgetting: A then B forgets A; replay keeps it, EWC does not (class-incremental), joint is the ceiling.

The page's preset (MLP 784-256-256-10, 2,500 images per task, 2 epochs each) is trained once per module: task A,
then B with no remedy, EWC λ = 1e4, a replay of 1,000 images, and joint training (~3 s on one quiet core). Small
configurations (200 images) wherever a property needs no full training.

One torch thread for the module: these MLPs are too small for two threads to help, and on a shared machine two
threads made a training 10-20x slower (OpenMP threads spin while another process holds the other core; measured
0.35 s with one, 5.7 s with two). Restored afterwards.
"""

import dataclasses
import math

import pytest
import torch
from torch import nn

import core.demos.forgetting as fg
from core.demos.forgetting import figures, remedies, sequential, tasks
from core.demos.forgetting.remedies import Remedy
from core.errors import BadInput
from core.training import SharedRuns

SMALL = fg.ForgettingConfig(n_train=200, n_test=100, epochs=1, hidden=32, eval_every=2)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def preset():
    """The page's two tabs' runs, through the same jobs and store the page uses."""
    store = SharedRuns()
    config = fg.ForgettingConfig()
    for job in fg.jobs(config, fg.preset_remedies()):
        store.get_or_run(job.key, lambda job=job: job.run(store, None))
    runs = {r.kind: store.peek(fg.run_key(config, r)) for r in fg.preset_remedies()}
    return store.peek(fg.phase_a_key(config)), runs


def test_after_b_with_no_remedy_task_a_is_gone(preset):
    phase_a, runs = preset
    assert phase_a.acc_a >= 0.7  # task A was learned ...
    none = runs["none"]
    assert none.acc_a <= 0.02  # ... and is forgotten: class-incremental, A's accuracy ~0
    assert none.acc_b >= 0.7
    assert figures.share_called_b(none) >= 0.98  # every A image is called one of B's classes
    # Within a quarter of B's first epoch (measured: 76 % -> 49 % after 4 batches, 0 % after 24 of 80).
    after = {p["step"] - none.b_starts: p["acc_a"] for p in none.curve if p["phase"] == "B"}
    assert after[4] < 0.75 * phase_a.acc_a and after[40] <= 0.05


def test_replay_of_1000_images_keeps_a_well_above_no_remedy(preset):
    _, runs = preset
    assert runs["replay"].remedy.replay == 1_000
    assert runs["replay"].acc_a >= 0.5 and runs["replay"].acc_a >= runs["none"].acc_a + 0.4
    assert runs["replay"].acc_b >= 0.7


def test_ewc_does_little_when_the_tasks_are_new_classes(preset):
    _, runs = preset
    assert runs["ewc"].acc_a <= 0.1  # the lesson: Hsu et al. 2018's 19.80 % vs Adam's 19.71 %


def test_joint_training_is_at_least_every_sequential_variant_on_both_tasks(preset):
    _, runs = preset
    joint = runs["joint"].acc_both
    assert all(joint >= run.acc_both for kind, run in runs.items() if kind != "joint")
    assert runs["joint"].b_starts is None and runs["joint"].acc_a >= 0.7


def test_the_curves_span_both_phases_as_planned(preset):
    phase_a, runs = preset
    a_steps, total = sequential.planned_steps(phase_a.config)
    assert phase_a.steps == a_steps == 80 and runs["none"].curve[-1]["step"] == total == 160
    assert (
        sequential.planned_steps(phase_a.config, Remedy("replay", replay=1_000))[1] == runs["replay"].curve[-1]["step"]
    )
    assert sequential.planned_steps(phase_a.config, Remedy("joint"))[1] == runs["joint"].curve[-1]["step"]
    assert runs["none"].curve[: len(phase_a.curve)] == phase_a.curve  # B continues A's curve


def test_the_confusion_matrix_counts_every_test_image(preset):
    _, runs = preset
    run = runs["none"]
    assert int(run.confusion.sum()) == 1_000 and run.confusion.shape == (10, 10)
    assert int(run.confusion[:5, :5].sum()) == 0  # nothing of A is called A
    assert math.isclose(float(run.confusion.diag().sum()) / 1_000, run.acc_both)


# ----------------------------------------------------------------------------- EWC against a hand computation


def test_ewc_penalty_is_zero_at_the_a_weights_and_matches_a_hand_computation():
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -2.0]]))
        model.bias.fill_(0.5)
    anchor = remedies.weights(model)
    fisher = {"weight": torch.tensor([[1.0, 4.0]]), "bias": torch.tensor([0.5])}
    penalty = remedies.ewc_penalty(fisher, anchor, lam=2.0)
    assert float(penalty(model).detach()) == 0.0
    with torch.no_grad():  # move by δ = (1, -1) and 2: λ/2 Σ F δ² = 1 · (1·1 + 4·1 + 0.5·4) = 7
        model.weight += torch.tensor([[1.0, -1.0]])
        model.bias += 2.0
    assert float(penalty(model).detach()) == pytest.approx(7.0)
    with torch.no_grad():  # twice as far: four times the penalty
        model.weight += torch.tensor([[1.0, -1.0]])
        model.bias += 2.0
    assert float(penalty(model).detach()) == pytest.approx(28.0)
    assert float(remedies.ewc_penalty(fisher, anchor, lam=0.0)(model).detach()) == 0.0


def test_the_fisher_diagonal_is_the_squared_gradient_of_the_log_likelihood_of_the_model_s_answer():
    """One image, a linear model: ∂ log p(ŷ)/∂W = (e_ŷ − p) xᵀ and ∂/∂b = e_ŷ − p, squared."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    with torch.no_grad():
        model[1].weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 0, 0]]))
        model[1].bias.zero_()
    pixels = torch.tensor([[[[0.5, 1.0], [0.0, 0.25]]]])
    data = tasks.ImageDataset(pixels, torch.tensor([0]), ("a", "b", "c"), tasks.datasets.fashion_mnist_10k().info)
    fisher = remedies.fisher_diagonal(model, data)
    x = pixels.flatten()
    p = torch.softmax(model[1].weight @ x, 0)
    guess = int(p.argmax())  # logits (0.5, 2, 0): the model answers class 1
    residual = torch.nn.functional.one_hot(torch.tensor(guess), 3).float() - p
    assert torch.allclose(fisher["1.weight"], torch.outer(residual, x) ** 2, atol=1e-6)
    assert torch.allclose(fisher["1.bias"], residual**2, atol=1e-6)
    assert all(v.grad is None for v in model.parameters())  # gradients cleaned up


# ----------------------------------------------------------------------------- determinism and bad inputs


def small_runs(config=SMALL, remedies_=None):
    remedies_ = remedies_ or [Remedy()]
    phase_a = sequential.train_a(config)
    return phase_a, [sequential.train_b(phase_a, r) for r in remedies_]


def test_same_seed_same_curves_another_seed_other_curves():
    (_, (b1,)), (_, (b2,)) = small_runs(), small_runs()
    assert b1.curve == b2.curve and torch.equal(b1.confusion, b2.confusion)
    _, (other,) = small_runs(dataclasses.replace(SMALL, seed=1))
    assert other.curve != b1.curve


def test_an_empty_buffer_and_lambda_zero_are_exactly_no_remedy():
    _, (none, empty, zero) = small_runs(remedies_=(Remedy(), Remedy("replay", replay=0), Remedy("ewc")))
    assert empty.curve == none.curve == zero.curve


def test_a_huge_lambda_gives_an_honest_finite_result():
    _, (huge,) = small_runs(remedies_=(Remedy("ewc", ewc_lambda=remedies.MAX_LAMBDA),))
    assert all(math.isfinite(p["acc_a"]) and math.isfinite(p["acc_b"]) for p in huge.curve)
    assert 0.0 <= huge.acc_both <= 1.0


def test_a_split_with_one_class_in_a_runs_and_says_so():
    config = dataclasses.replace(SMALL, boundary=1)
    phase_a, (run,) = small_runs(config)
    assert config.split.describe().startswith("A = class 0,")
    assert phase_a.acc_a == 1.0  # one class: always answering it is right every time
    assert tasks.split(config.split).a_classes == (0,) and len(tasks.split(config.split).a_test) == 100


@pytest.mark.parametrize(
    "make",
    [
        lambda: fg.ForgettingConfig(boundary=0),
        lambda: fg.ForgettingConfig(boundary=10),
        lambda: fg.ForgettingConfig(variant="rotated"),
        lambda: fg.ForgettingConfig(epochs=0),
        lambda: Remedy("replay", replay=-1),
        lambda: Remedy("ewc", ewc_lambda=float("nan")),
        lambda: Remedy("ewc", ewc_lambda=-1.0),
        lambda: Remedy("ewc", ewc_lambda=1e12),
        lambda: Remedy("dropout"),
        lambda: tasks.replay_buffer(tasks.split(SMALL.split).a_train, -5, 0),
    ],
)
def test_bad_settings_are_bad_input(make):
    with pytest.raises(BadInput):
        make()


def test_the_replay_buffer_is_seeded_and_never_larger_than_a():
    a_train = tasks.split(SMALL.split).a_train
    first, again = tasks.replay_buffer(a_train, 50, 0), tasks.replay_buffer(a_train, 50, 0)
    assert len(first) == 50 and torch.equal(first.labels, again.labels) and set(first.labels.tolist()) <= set(range(5))
    assert len(tasks.replay_buffer(a_train, 10_000, 0)) == len(a_train) and len(tasks.replay_buffer(a_train, 0, 0)) == 0


def test_the_permuted_variant_keeps_the_classes_and_moves_the_pixels():
    split = tasks.split(dataclasses.replace(SMALL, variant="permuted").split)
    assert split.a_classes == split.b_classes == tuple(range(10))
    a_sorted = split.b_train.pixels.flatten(1).sort(1).values
    assert not torch.equal(split.b_train.pixels, split.a_train.pixels[: len(split.b_train)])
    assert a_sorted.shape == (len(split.b_train), 784)  # a permutation: the same pixel values, elsewhere


# ----------------------------------------------------------------------------- jobs, warm-up, figures, table


def test_jobs_and_warm_up_are_keyed_by_the_page_s_keys():
    config = fg.ForgettingConfig(seed=3)
    keys = [job.key for job in fg.warm_up_jobs(seed=3)]
    assert keys == [fg.phase_a_key(config)] + [fg.run_key(config, r) for r in fg.preset_remedies()]
    assert [j.key for j in fg.jobs(config, [Remedy("joint")])] == [fg.run_key(config, Remedy("joint"))]


def test_a_remedy_job_trains_a_again_if_the_store_lost_it():
    (job_a, job_b) = fg.jobs(SMALL, [Remedy()])
    run = job_b.run(SharedRuns(), None)  # the store has no task A
    assert run.b_starts == sequential.planned_steps(SMALL)[0]


def test_live_curve_is_called_with_the_growing_curve():
    seen = []
    sequential.train_a(SMALL, live=lambda label, curve: seen.append((label, len(curve))))
    assert seen and seen[0][0] == "Task A" and [n for _, n in seen] == sorted(n for _, n in seen)


def test_figures_and_table_carry_ours_beside_hsu_et_al(preset):
    phase_a, runs = preset
    config = phase_a.config
    prov = figures.provenance(config)
    assert prov.kind == "measured" and prov.seed == 0 and "Split Fashion-MNIST" in prov.data
    fig = figures.curves_figure(runs["none"].curve, runs["none"].b_starts, "t", prov)
    assert [t.name for t in fig.data] == ["task A (old classes)", "task B (new classes)", "chance (10 classes)"]
    assert fig.layout.meta["provenance"]["what"] == "measured"
    ordered = figures.order(list(runs.values()))
    table = figures.results_table(ordered)
    assert list(table["published method"][:4]) == ["Adam", "EWC", "Naive rehearsal", "Offline (joint)"]
    assert list(table["Hsu et al. 2018: Split MNIST, 5 tasks (%)"][:4]) == [19.71, 19.80, 90.78, 97.53]
    assert table["method"].iloc[-2].startswith("majority class") and table["ours: A∪B (%)"].iloc[-1] == 10.0
    assert "Table 2" in figures.HSU_2018 and "Split MNIST" in figures.HSU_2018
    remedies_fig = figures.remedies_figure(ordered, prov)
    assert len(remedies_fig.data) == 8 and len(figures.remedies_frame(ordered)) == sum(len(r.curve) for r in ordered)
    confusion = figures.confusion_figure(runs["none"], tasks.split(config.split).a_test.classes, prov)
    assert confusion.data[0].z.sum() == 1_000
    live = figures.live_figure("Task A", phase_a.curve[:5], config, prov)
    assert live.layout.xaxis.range == (0, 160)
