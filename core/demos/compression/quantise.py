"""Fewer bits: store each weight as a k-bit integer times a scale, and see what the network still gets right.

Symmetric uniform quantisation, *simulated* in float ("fake quantisation", as in Jacob et al. 2018, CVPR, §2):
a weight tensor ``w`` becomes ``scale * q`` with integers ``q`` in ``[-(2^(k-1) - 1), 2^(k-1) - 1]`` and

* **per tensor**: one ``scale = max|w| / (2^(k-1) - 1)`` for the whole tensor;
* **per channel**: one scale per output channel (row of a dense layer, filter of a convolution), so a
  channel of small weights is not crushed to zero by another channel's large ones (Krishnamoorthi 2018,
  arXiv:1806.08342, §2.2: per-channel int8 weights lose almost nothing where per-tensor ones lose more).

At **1 bit** the only integers would be ``{0}``, so 1 bit is ``sign(w) x scale`` with ``scale = mean|w|``,
the L2-best scale for signs (XNOR-Net, Rastegari et al. 2016, ECCV, §3.1); 0 counts as +. **32 bits** returns
the float32 weights themselves. Only the weights of the convolutions and dense layers (99 % of the model's
numbers) are quantised; biases and BatchNorm stay float32, as integer inference engines keep them too
(biases in int32). Everything happens on a *copy*: the shared trained model is never touched.

Why simulated: the result is exactly what k-bit weights compute, for any k from 1 to 16, on any machine. A
real int8 kernel changes how fast it runs, not what it answers (±rounding of activations). torch 2.13's
``torch.ao.quantization`` warns that it is deprecated; ``torchao`` (its maintained successor) is not among the
lab's requirements, and where we tried it (torchao 0.18, this CPU) its int8 model was 2.5-5x *slower* per image
than float32: its kernels target GPUs and servers. That is the page's second lesson in the small.
"""

from __future__ import annotations

import copy

import pandas as pd
import torch
from torch import nn

from core.training import accuracy

# The bits the page offers (its slider's stops) and sweeps, largest first.
# The slider's stops and the sweep's: the cliff sits between 3 and 2 bits; 6 and 5 (as good as 8 here) were
# dropped to keep the preset near its 10 s (each setting is one pass over the 2,000 test images, ~0.2 s).
BITS = (32, 16, 8, 4, 3, 2, 1)
SCHEMES = ("per tensor", "per channel")
FLOAT_BITS = 32


def _check(bits: int) -> None:
    from core.errors import BadInput

    if bits != FLOAT_BITS and not 1 <= bits <= 16:
        raise BadInput(f"weights can be quantised to 1-16 bits (or kept at 32); got {bits}")


def _scale_shape(w: torch.Tensor, per_channel: bool) -> tuple[int, ...] | None:
    """Reduce over every dim but the first (output channels) per channel, over all per tensor (None)."""
    return tuple(range(1, w.dim())) if per_channel else None


def quantise_tensor(w: torch.Tensor, bits: int, per_channel: bool = False) -> torch.Tensor:
    """``w`` rounded to a symmetric ``bits``-bit grid: same shape, float, at most ``2^bits`` distinct values
    per tensor (per output channel when ``per_channel``).

    Args:
        w: a weight tensor, ``(out, ...)``.
        bits: 1-16, or 32 (returns ``w`` unchanged, a copy).
        per_channel: one scale per ``w[i]`` instead of one for all of ``w``.
    """
    _check(bits)
    if bits == FLOAT_BITS:
        return w.clone()
    dims = _scale_shape(w, per_channel)
    magnitude = w.abs()
    if bits == 1:  # sign x mean|w|: two values, +scale and -scale
        scale = magnitude.mean() if dims is None else magnitude.mean(dim=dims, keepdim=True)
        return torch.where(w >= 0, scale, -scale).expand_as(w).clone()
    levels = 2 ** (bits - 1) - 1  # e.g. 127 at 8 bits: -127..127, symmetric around 0
    peak = magnitude.max() if dims is None else magnitude.amax(dim=dims, keepdim=True)
    scale = torch.where(peak > 0, peak / levels, torch.ones_like(peak))  # an all-zero channel stays zero, no 0/0
    return torch.clamp(torch.round(w / scale), -levels, levels) * scale


def quantised_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The layers whose weights are quantised or pruned: every convolution and dense layer, by name."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


@torch.no_grad()
def quantise_model(model: nn.Module, bits: int, per_channel: bool = False) -> nn.Module:
    """A deep copy of ``model`` whose conv and dense weights are quantised to ``bits`` (the original untouched)."""
    _check(bits)
    quantised = copy.deepcopy(model)
    for _, layer in quantised_layers(quantised):
        layer.weight.copy_(quantise_tensor(layer.weight, bits, per_channel))
    return quantised.eval()


def model_bytes(model: nn.Module, bits: int = FLOAT_BITS, per_channel: bool = False) -> int:
    """What storing ``model`` takes with its conv/dense weights at ``bits`` each, in bytes.

    Quantised weights: ``bits`` per weight, plus one float32 scale per tensor (or per output channel);
    everything else in the state dict (biases, BatchNorm's numbers) at its own size. At 32 bits: the plain
    float32 size, ``4 x`` the number of stored numbers.
    """
    _check(bits)
    quantised = {f"{name}.weight" for name, _ in quantised_layers(model)}
    total_bits = 0
    for key, tensor in model.state_dict().items():
        if key in quantised and bits != FLOAT_BITS:
            scales = tensor.shape[0] if per_channel else 1
            total_bits += tensor.numel() * bits + 32 * scales
        else:
            total_bits += tensor.numel() * tensor.element_size() * 8
    return (total_bits + 7) // 8


def sweep(model: nn.Module, test, bits: tuple[int, ...] = BITS) -> pd.DataFrame:
    """Accuracy and size of ``model`` at every number of ``bits``, per tensor and per channel.

    Returns:
        one row per (scheme, bits): ``scheme``, ``bits``, ``accuracy`` in [0, 1] on ``test``, ``bytes``.
    """
    rows, unquantised = [], None
    for scheme in SCHEMES:
        per_channel = scheme == "per channel"
        for b in bits:
            if b == FLOAT_BITS:  # the weights themselves, whatever the scheme: measured once
                unquantised = accuracy(model, test) if unquantised is None else unquantised
                measured = unquantised
            else:
                measured = accuracy(quantise_model(model, b, per_channel), test)
            rows.append(
                {"scheme": scheme, "bits": b, "accuracy": measured, "bytes": model_bytes(model, b, per_channel)}
            )
    return pd.DataFrame(rows)


def distinct_values(w: torch.Tensor, per_channel: bool = False) -> int:
    """How many different numbers a tensor holds (the most over its output channels when ``per_channel``)."""
    if per_channel:
        return max(int(torch.unique(row).numel()) for row in w)
    return int(torch.unique(w).numel())
