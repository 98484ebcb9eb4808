"""core.demos.compression.distil: the distillation loss's known answers and the students, on small data."""

import math

import pytest
import torch
import torch.nn.functional as F

from core.demos.compression import distil, teacher
from core.errors import BadInput


@pytest.fixture(scope="module")
def small():
    train, test = teacher.load_split(0)
    return teacher.train(
        teacher.TeacherConfig(epochs=1), split=(train.subset(slice(0, 384)), test.subset(slice(0, 200)))
    )


def test_at_t_1_one_hot_targets_give_the_usual_cross_entropy():
    z, y = torch.randn(16, 10), torch.randint(0, 10, (16,))
    assert torch.allclose(distil.distillation_loss(z, F.one_hot(y, 10).float(), 1.0), F.cross_entropy(z, y))


def test_soft_targets_flatten_with_temperature_and_stay_finite():
    z = torch.tensor([[10.0, 0.0, -10.0]])
    assert distil.soft_targets(z, 1.0)[0, 0] > 0.99
    flat = distil.soft_targets(z, 1000.0)
    assert torch.allclose(flat, torch.full_like(flat, 1 / 3), atol=0.01)
    loss = distil.distillation_loss(torch.randn(4, 3), distil.soft_targets(torch.randn(4, 3), 1000.0), 1000.0)
    assert math.isfinite(float(loss))


def test_distilling_one_hot_labels_at_t_1_is_hard_label_training(small):
    hard = distil.train_student(small, distil.StudentConfig(soft=False, epochs=1))
    one_hot = distil.train_student(
        small, distil.StudentConfig(soft=True, temperature=1.0, epochs=1), targets=lambda x, y: F.one_hot(y, 10).float()
    )
    for k, v in hard.model.state_dict().items():
        assert torch.allclose(v, one_hot.model.state_dict()[k], atol=1e-5), k
    assert hard.test_accuracy == one_hot.test_accuracy


@pytest.mark.parametrize("t", [0.0, -1.0, math.nan, math.inf, 1001.0])
def test_a_temperature_outside_0_1000_is_refused(t):
    with pytest.raises(BadInput):
        distil.StudentConfig(temperature=t)


def test_a_huge_temperature_still_trains_a_finite_student(small):
    result = distil.train_student(small, distil.StudentConfig(temperature=1000.0, epochs=1))
    assert all(math.isfinite(h["train_loss"]) for h in result.history) and 0 <= result.test_accuracy <= 1


def test_hard_students_share_one_key_whatever_the_temperature():
    c = teacher.TeacherConfig()
    assert distil.run_key(c, distil.StudentConfig(soft=False, temperature=2)) == distil.run_key(
        c, distil.StudentConfig(soft=False, temperature=20)
    )
