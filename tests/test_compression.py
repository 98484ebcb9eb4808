"""core.demos.compression: quantisation and pruning with known answers, on copies; the jobs; determinism.

No preset is trained here: known answers hold for any weights, so a freshly initialised SmallCNN (and a
small run of 512 images, one epoch, for accuracies) stands in. The presets are timed in bench/bench_compression.py.
"""

import math

import pytest
import torch

import core.demos.compression as cmp
from core.demos.compression import jobs, prune, quantise, teacher
from core.errors import BadInput
from core.models import build_cnn


@pytest.fixture(scope="module")
def small():
    """A quickly trained stand-in teacher: 512 training images, 300 test images, one epoch."""
    train, test = teacher.load_split(0)
    return teacher.train(
        teacher.TeacherConfig(epochs=1), split=(train.subset(slice(0, 512)), test.subset(slice(0, 300)))
    )


@pytest.fixture
def fresh():
    return build_cnn(teacher.MODEL, seed=3)


def snapshot(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


# ----------------------------------------------------------------------------- quantisation


def test_32_bits_returns_the_weights(fresh):
    w = fresh.fc1.weight.detach()
    assert torch.equal(quantise.quantise_tensor(w, 32), w)
    assert same(quantise.quantise_model(fresh, 32).state_dict(), fresh.state_dict())


@pytest.mark.parametrize("bits", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("per_channel", [False, True])
def test_k_bits_hold_at_most_2_to_the_k_values(fresh, bits, per_channel):
    for _, layer in quantise.quantised_layers(fresh):
        q = quantise.quantise_tensor(layer.weight.detach(), bits, per_channel)
        assert q.shape == layer.weight.shape
        assert quantise.distinct_values(q, per_channel) <= 2**bits
    if bits == 1:  # sign x scale: exactly two values (per channel: per row)
        q = quantise.quantise_tensor(fresh.conv2.weight.detach(), 1, per_channel)
        assert quantise.distinct_values(q, per_channel) == 2


def test_8_bits_lie_within_half_a_step_and_a_zero_channel_stays_zero():
    w = torch.randn(4, 50)
    w[2] = 0.0
    q = quantise.quantise_tensor(w, 8, per_channel=True)
    step = w.abs().amax(dim=1, keepdim=True) / 127
    assert ((q - w).abs() <= step / 2 + 1e-7).all()
    assert torch.equal(q[2], torch.zeros(50)) and not torch.isnan(quantise.quantise_tensor(torch.zeros(3, 3), 4)).any()


def test_quantising_leaves_the_shared_model_untouched_and_sizes_add_up(fresh):
    before = snapshot(fresh)
    quantise.quantise_model(fresh, 2, per_channel=True)
    assert same(before, fresh.state_dict())
    n = sum(v.numel() for v in fresh.state_dict().values() if v.dtype == torch.float32)
    assert quantise.model_bytes(fresh) == 4 * n + 16  # + BatchNorm's two int64 counters, 8 bytes each
    weights = prune.weight_count(fresh)
    assert quantise.model_bytes(fresh, 8) == quantise.model_bytes(fresh) - 3 * weights + 4 * 4  # 4 scales


@pytest.mark.parametrize("bits", [0, 17, 64])
def test_bits_outside_1_16_or_32_are_refused(fresh, bits):
    with pytest.raises(BadInput):
        quantise.quantise_model(fresh, bits)


def test_the_bits_sweep_is_finite_and_32_bits_is_the_model(small):
    frame = quantise.sweep(small.model, small.test, bits=(32, 8, 1))
    assert len(frame) == 6 and frame.accuracy.between(0, 1).all()
    assert (frame[frame.bits == 32].accuracy == small.test_accuracy).all()
    assert (
        frame.bytes.is_monotonic_decreasing
        or frame.groupby("scheme").bytes.apply(lambda b: b.is_monotonic_decreasing).all()
    )


# ----------------------------------------------------------------------------- pruning


@pytest.mark.parametrize("amount", [0.0, 0.3, 0.9, 0.99])
def test_pruning_zeroes_exactly_that_share_and_leaves_the_model_untouched(fresh, amount):
    before = snapshot(fresh)
    layers = quantise.quantised_layers(fresh)
    total = prune.weight_count(fresh)
    pruned = prune.prune_model(fresh, amount, "global")
    zeros = sum(int((layer.weight == 0).sum()) for _, layer in quantise.quantised_layers(pruned))
    assert zeros == round(amount * total)
    per_layer = prune.prune_model(fresh, amount, "per layer")
    for (_, orig), (_, layer) in zip(layers, quantise.quantised_layers(per_layer)):
        assert int((layer.weight == 0).sum()) == round(amount * orig.weight.numel())
    assert same(before, fresh.state_dict())
    assert not any(name.endswith("_orig") for name in pruned.state_dict())  # masks made permanent


@pytest.mark.parametrize("amount", [-0.1, 1.0, math.nan])
def test_pruning_outside_0_99_is_refused(fresh, amount):
    with pytest.raises(BadInput):
        prune.prune_model(fresh, amount)


def test_slimmed_channels_make_a_narrower_dense_network(fresh):
    slim = prune.slim_channels(fresh, 0.5)
    assert slim.config.widths == (8, 16) and slim(torch.rand(2, 1, 28, 28)).shape == (2, 10)
    assert prune.slim_channels(fresh, 0.99).config.widths == (1, 1)  # at least one channel is kept
    full = prune.slim_channels(fresh, 0.0)
    x = torch.rand(3, 1, 28, 28)
    assert torch.allclose(full(x), fresh.eval()(x), atol=1e-6)  # nothing removed: the same function


def test_fine_tuning_keeps_the_zeros(small):
    result = prune.fine_tune(small.model, small.train, small.test, 0.9, "global")
    assert prune.sparsity(result.model) == pytest.approx(0.9, abs=1e-5)
    assert 0 <= result.test_accuracy <= 1


# ----------------------------------------------------------------------------- jobs and seeds


def test_warm_up_lists_every_preset_once_within_the_store():
    todo = cmp.warm_up_jobs(0)
    keys = [job.key for job in todo]
    assert len(set(keys)) == len(keys) <= 8
    assert keys[0] == teacher.run_key(teacher.TeacherConfig())
    assert jobs.compare_key(teacher.TeacherConfig(), 4.0) in keys


def test_same_seed_same_numbers():
    train, test = teacher.load_split(0)
    split = (train.subset(slice(0, 256)), test.subset(slice(0, 100)))
    a, b = (teacher.train(teacher.TeacherConfig(epochs=1), split=split) for _ in range(2))
    assert same(a.model.state_dict(), b.model.state_dict()) and a.test_accuracy == b.test_accuracy
