"""Fewer weights: set the smallest weights to zero (magnitude pruning), or remove whole channels.

Unstructured magnitude pruning with ``torch.nn.utils.prune`` (the criterion of Han et al. 2015, "Learning both
weights and connections for efficient neural networks", NeurIPS: small weights matter least):

* **global**: the ``amount`` of all conv and dense weights with the smallest |w|, wherever they are
  (``prune.global_unstructured``): a layer of large weights keeps more, a layer of small ones loses more;
* **per layer**: the ``amount`` of each layer's weights (``prune.l1_unstructured`` on each), so even the
  small first convolution (144 weights) loses that share.

Either way the pruned model is *the same dense tensors with zeros in them*: a dense kernel multiplies the zeros
as fast as any other number, so it runs no faster (:mod:`.measure` times it). **Structured** pruning
(:func:`slim_channels`) removes whole output channels of the convolutions (those of smallest L1 norm, the
criterion of ``prune.ln_structured(n=1, dim=0)``) and builds a genuinely smaller dense network: fewer
multiplications, so faster, but each channel removed takes more of what the network knew.

Everything happens on copies; the shared trained model is never touched. Optional: one epoch of
fine-tuning of the pruned copy through :func:`core.training.fit`, the pruning masks held in place (Han et al.'s
"retrain" step, one epoch instead of their many).
"""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import torch
from torch import nn
from torch.nn.utils import prune

from core.demos.compression.quantise import quantised_layers
from core.errors import BadInput
from core.models import SmallCNN
from core.training import FitResult, ProgressCallback, TrainConfig, accuracy, fit

SCOPES = ("global", "per layer")
MAX_AMOUNT = 0.99
AMOUNTS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)  # the sweep's points: the cliff is past 90 %
FINE_TUNE = TrainConfig(epochs=1, batch_size=128, lr=1e-3)  # one gentle epoch: recover, do not retrain


def _check(amount: float, scope: str = "global") -> None:
    if not 0.0 <= amount <= MAX_AMOUNT or amount != amount:
        raise BadInput(f"the share of weights pruned must be in [0, {MAX_AMOUNT:.0%}]; got {amount}")
    if scope not in SCOPES:
        raise BadInput(f"pruning scope must be one of {SCOPES}; got {scope!r}")


def _apply(model: nn.Module, amount: float, scope: str) -> nn.Module:
    """Attach torch's pruning masks to ``model`` itself (weights become ``weight_orig x weight_mask``)."""
    params = [(layer, "weight") for _, layer in quantised_layers(model)]
    if scope == "global":
        prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=amount)
    else:
        for layer, name in params:
            prune.l1_unstructured(layer, name, amount=amount)
    return model


def _make_permanent(model: nn.Module) -> nn.Module:
    for _, layer in quantised_layers(model):
        if prune.is_pruned(layer):
            prune.remove(layer, "weight")  # the zeros stay, the mask and its forward hook go
    return model.eval()


def prune_model(model: nn.Module, amount: float, scope: str = "global") -> nn.Module:
    """A deep copy of ``model`` with ``amount`` (0-0.99) of its conv and dense weights set to zero.

    Exactly ``round(amount x n)`` weights are zeroed: of all ``n`` pruned weights together (``"global"``) or of
    each layer's ``n`` (``"per layer"``). The original model is untouched.
    """
    _check(amount, scope)
    pruned = copy.deepcopy(model)
    with torch.no_grad():
        return _make_permanent(_apply(pruned, amount, scope)) if amount > 0 else pruned.eval()


def sparsity(model: nn.Module) -> float:
    """The share of the conv and dense weights that are exactly zero, in [0, 1]."""
    weights = [layer.weight for _, layer in quantised_layers(model)]
    return sum(int((w == 0).sum()) for w in weights) / sum(w.numel() for w in weights)


def weight_count(model: nn.Module) -> int:
    """The number of conv and dense weights (the numbers pruning counts)."""
    return sum(layer.weight.numel() for _, layer in quantised_layers(model))


def _keep(conv: nn.Conv2d, share_removed: float) -> torch.Tensor:
    """Indices of the output channels kept: the largest L1 norms, in their original order; at least one."""
    channels = conv.out_channels
    n_keep = max(1, channels - round(share_removed * channels))
    norms = conv.weight.detach().abs().sum(dim=(1, 2, 3))
    return torch.sort(torch.topk(norms, n_keep).indices).values


@torch.no_grad()
def slim_channels(model: SmallCNN, share_removed: float) -> SmallCNN:
    """A new, smaller :class:`SmallCNN`: each convolution keeps its ``1 - share_removed`` strongest channels.

    The channels removed from ``conv1`` are removed from ``conv2``'s inputs too, those of ``conv2`` from the
    dense layer's inputs (7 x 7 = 49 columns each), and their BatchNorm numbers with them. The result is a
    dense network with narrower layers, e.g. ``SmallCNN(8,16,...)`` at 50 %: fewer multiplications, no zeros.
    """
    _check(share_removed)
    keep1, keep2 = _keep(model.conv1, share_removed), _keep(model.conv2, share_removed)
    config = dataclasses.replace(model.config, widths=(len(keep1), len(keep2)))
    slim = SmallCNN(config)
    slim.conv1.weight.copy_(model.conv1.weight[keep1])
    slim.conv1.bias.copy_(model.conv1.bias[keep1])
    slim.conv2.weight.copy_(model.conv2.weight[keep2][:, keep1])
    slim.conv2.bias.copy_(model.conv2.bias[keep2])
    for new, old, keep in ((slim.norm1, model.norm1, keep1), (slim.norm2, model.norm2, keep2)):
        if old is not None:
            for name in ("weight", "bias", "running_mean", "running_var"):
                getattr(new, name).copy_(getattr(old, name)[keep])
    hidden, side = model.fc1.out_features, model.config.image_size // 4
    fc1 = model.fc1.weight.view(hidden, model.config.widths[1], side * side)  # flatten order: channel, row, col
    slim.fc1.weight.copy_(fc1[:, keep2].reshape(hidden, -1))
    slim.fc1.bias.copy_(model.fc1.bias)
    slim.fc2.load_state_dict(model.fc2.state_dict())
    return slim.eval()


def sweep(model: SmallCNN, test, amounts: tuple[float, ...] = AMOUNTS) -> pd.DataFrame:
    """Accuracy against the share of weights removed: global and per-layer magnitude pruning, and channels.

    Returns:
        one row per (method, amount): ``method`` ("global", "per layer", "channels"), ``amount`` asked for,
        ``removed`` (share of the original conv/dense weights that are zero or gone), ``accuracy`` on ``test``.
    """
    n = weight_count(model)
    rows = []
    for amount in amounts:
        for scope in SCOPES:
            pruned = prune_model(model, amount, scope)
            rows.append(
                {"method": scope, "amount": amount, "removed": sparsity(pruned), "accuracy": accuracy(pruned, test)}
            )
        slim = slim_channels(model, amount)
        rows.append(
            {
                "method": "channels",
                "amount": amount,
                "removed": 1 - weight_count(slim) / n,
                "accuracy": accuracy(slim, test),
            }
        )
    return pd.DataFrame(rows)


def fine_tune(
    model: nn.Module,
    train,
    test,
    amount: float,
    scope: str = "global",
    *,
    seed: int = 0,
    demo: str = "compression",
    on_progress: ProgressCallback | None = None,
) -> FitResult:
    """Prune a copy of ``model``, then train it for one epoch through :func:`core.training.fit`, masks held.

    While the masks are attached, the pruned weights are ``weight_orig x 0`` in every forward pass, so their
    gradient is zero and they stay pruned; the masks are made permanent afterwards. Returns fit's result,
    whose model has exactly the sparsity of :func:`prune_model`'s.
    """
    _check(amount, scope)
    copy_ = copy.deepcopy(model)
    with torch.no_grad():
        _apply(copy_, amount, scope)
    result = fit(
        copy_,
        train,
        test,
        dataclasses.replace(FINE_TUNE, seed=seed),
        demo=demo,
        label=f"fine-tune after pruning {amount:.0%} ({scope})",
        on_progress=on_progress,
    )
    _make_permanent(result.model)
    result.history[-1]["test_acc"] = accuracy(result.model, test)  # the same model, masks folded in
    return result


def pruned_accuracy(model: nn.Module, test, amount: float, scope: str = "global") -> float:
    """Test accuracy of a copy of ``model`` pruned by ``amount`` (what the page's slider shows)."""
    return accuracy(prune_model(model, amount, scope), test)
