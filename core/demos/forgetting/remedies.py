"""Three answers to forgetting, each one more training: rehearse old examples, anchor important weights, or train on both.

* **Replay** (naive rehearsal): keep ``k`` of task A's training images and mix them into task B's training
  set. The loss on B then still pays for forgetting A (Hsu et al. 2018 call it "naive rehearsal": 90.78 %
  on Split MNIST, class-incremental, where every regulariser stays near 20 %).
* **EWC**, elastic weight consolidation (Kirkpatrick et al. 2017, PNAS 114(13), eq. 3): while learning B,
  add ``λ/2 Σ_i F_i (θ_i − θ*_i)²`` to the loss, where ``θ*`` are the weights after A and ``F_i`` the
  diagonal of the Fisher information on A: how much A's log-likelihood cares about weight ``i``. Important
  weights are held on a stiff spring, unimportant ones move freely.
  Why it fails class-incremental here: the weights into B's output units hardly mattered to A (A's images
  gave those classes probability ~0, so their gradients, and their Fisher entries, are ~0). EWC lets B
  raise them freely, and an A image then scores higher on a B class than on its own.
* **Joint** training on A and B together (the "offline" upper bound of Hsu et al.): not continual at all,
  the ceiling every method is measured against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from core.data import ImageDataset
from core.errors import BadInput

KINDS = ("none", "replay", "ewc", "joint")
MAX_REPLAY = 1_000  # the page's slider: up to 1,000 images of A (40 % of A's 2,500)
MAX_LAMBDA = 1e9  # past this the penalty's gradients reach ~1e9 × F × Δθ and training stops being meaningful
FISHER_SAMPLES = 300  # A images whose gradients estimate F: ~0.2 s on 2 cores; the ranking of weights is stable


@dataclass(frozen=True)
class Remedy:
    """What is done against forgetting while task B is learned.

    Attributes:
        kind: "none" (plain sequential training), "replay", "ewc" or "joint" (A and B at once, from scratch).
        replay: images of A in the replay buffer (replay only); 0 is an empty buffer, i.e. no remedy.
        ewc_lambda: EWC's λ (ewc only); 0 is no penalty, i.e. no remedy.
    """

    kind: str = "none"
    replay: int = 0
    ewc_lambda: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BadInput(f"a remedy is one of {KINDS}; got {self.kind!r}")
        if not 0 <= self.replay <= 5_000:
            raise BadInput(f"the replay buffer holds 0-5,000 images of task A; got {self.replay}")
        if not 0.0 <= self.ewc_lambda <= MAX_LAMBDA:  # also refuses nan: every comparison with nan is False
            raise BadInput(f"EWC's λ must be in [0, {MAX_LAMBDA:.0e}]; got {self.ewc_lambda}")

    def describe(self) -> str:
        """The remedy's row name in the table, e.g. ``replay 1,000 A images``."""
        return {
            "none": "no remedy (A then B)",
            "replay": f"replay {self.replay:,} A images",
            "ewc": f"EWC λ = {lambda_label(self.ewc_lambda)}",
            "joint": "joint A∪B (upper bound)",
        }[self.kind]


def lambda_label(lam: float) -> str:
    """λ as the slider shows it: ``0``, ``1e4``; a value between powers of ten keeps its digits (``2.5e3``)."""
    if lam == 0:
        return "0"
    mantissa, exponent = f"{lam:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def fisher_diagonal(model: nn.Module, data: ImageDataset, samples: int = FISHER_SAMPLES) -> dict[str, torch.Tensor]:
    """The diagonal of the Fisher information of ``model`` on ``data``: ``F_i = mean_n (∂ log p(ŷ_n|x_n) / ∂θ_i)²``.

    One image at a time (the mean of squared gradients is not the square of a batch's mean gradient). ``ŷ`` is
    the model's own answer, as in Hsu et al.'s EWC (their agents/regularization.py): the Fisher of the model's
    predictive distribution, approximated by its most likely label. Uses the first ``samples`` images.

    Returns:
        ``{parameter name: tensor of the parameter's shape, >= 0}``. The model's ``.grad`` fields are
        overwritten: call it on a copy you are about to train, never on a shared model.
    """
    fisher = {name: torch.zeros_like(p) for name, p in model.named_parameters()}
    n = min(samples, len(data))
    if n == 0:
        raise BadInput("the Fisher information needs at least one image of task A")
    images, _ = data.batch(slice(0, n))
    for x in images:
        logits = model(x[None])
        guess = logits.argmax(1)
        log_p = torch.log_softmax(logits, 1)[0, guess[0]]
        model.zero_grad(set_to_none=True)
        log_p.backward()
        for name, p in model.named_parameters():
            fisher[name] += p.grad.detach() ** 2 / n
    model.zero_grad(set_to_none=True)
    return fisher


def ewc_penalty(
    fisher: dict[str, torch.Tensor], anchor: dict[str, torch.Tensor], lam: float
) -> Callable[[nn.Module], torch.Tensor]:
    """EWC's penalty as :func:`core.training.fit` takes it: ``model -> λ/2 Σ_i F_i (θ_i − θ*_i)²`` (a scalar).

    Args:
        fisher: :func:`fisher_diagonal` on task A.
        anchor: ``θ*``, the weights after task A (``{name: tensor}``, detached copies).
        lam: λ >= 0; 0 gives a penalty of exactly 0 (plain training on B).

    Zero at ``θ = θ*``, and it grows as the square of the distance, weighted by ``F``.
    """

    def penalty(model: nn.Module) -> torch.Tensor:
        total = sum(
            (fisher[name] * (p - anchor[name]) ** 2).sum() for name, p in model.named_parameters() if name in fisher
        )
        return lam / 2 * total

    return penalty


def weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """Detached copies of ``model``'s parameters: EWC's anchor ``θ*``."""
    return {name: p.detach().clone() for name, p in model.named_parameters()}
