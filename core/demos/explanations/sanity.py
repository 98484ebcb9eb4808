"""Sanity checks (Adebayo et al. 2018): does the explanation change when the model does? (:mod:`core.demos.explanations`)

Cascading model-parameter randomisation (Adebayo, Gilmer, Muelly, Goodfellow, Hardt & Kim 2018, "Sanity
Checks for Saliency Maps", NeurIPS, arXiv:1810.03292, Sec. 3.1, Fig. 2): re-initialise the layers one after
the other, from the logits down to the first convolution, and explain the same image after each step. A
method whose map stays alike (high rank correlation with the trained model's map) is showing the image
(its edges), not what the model learned. Their finding (Fig. 2, Inception v3 on ImageNet): Guided
Backprop and Guided Grad-CAM stay similar to the original as layers are randomised; gradients and
Grad-CAM change; methods that multiply by the input (Gradient x Input, Integrated Gradients) keep much of
the input's structure. The check is only real if the model changes: the output is measured at every step too.

LIME and KernelSHAP are left out by default: seven steps of them cost ~10 s on 2 cores, and their
seed-to-seed spread (the stability tab) would mix with the change the randomisation causes.
"""

from __future__ import annotations

import copy

import pandas as pd
import torch
from torch import nn

from core import explain
from core.demos.explanations.compare import METHODS, RANDOM_METHODS, Settings, attribute, spearman, why_not
from core.training import predict_proba

ADEBAYO_FINDING = (
    "Published (Adebayo et al. 2018, Fig. 2 and Sec. 3.1, Inception v3 on ImageNet): under cascading "
    "randomisation gradients, Integrated Gradients and Grad-CAM lose their similarity to the original "
    "map; Guided Backprop and Guided Grad-CAM stay visually similar — they explain the image, not the model."
)
SANITY_METHODS = tuple(m for m in METHODS if m not in RANDOM_METHODS)  # deterministic: 2 s for the cascade


def layers(model: nn.Module) -> list[str]:
    """Names of the modules that hold weights of their own, input to output (e.g. conv1, norm1, ..., fc2)."""
    return [name for name, m in model.named_modules() if name and any(True for _ in m.parameters(recurse=False))]


def randomized_top(model: nn.Module, k: int, seed: int = 0) -> nn.Module:
    """A deep copy with its top ``k`` weight layers re-initialised (``k = 0``: an unchanged copy)."""
    twin = copy.deepcopy(model).eval()
    named = dict(twin.named_modules())
    with torch.random.fork_rng(devices=[]):  # seeded, and the caller's stream is left as it was
        torch.manual_seed(seed + explain.RANDOMIZE_SEED_OFFSET)
        for name in list(reversed(layers(twin)))[:k]:
            named[name].reset_parameters()  # BatchNorm: weight 1, bias 0 and running stats reset too
    return twin


def cascade(
    model: nn.Module,
    image: torch.Tensor,
    target: int,
    settings: Settings,
    methods: tuple[str, ...] = SANITY_METHODS,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, torch.Tensor]]]:
    """Explain ``image`` after randomising 0, 1, ..., all weight layers, top down.

    Returns:
        ``similarity``: one row per (step, method): ``step`` (layers randomised), ``layer`` (the last one
        randomised, "none (trained)" at 0), ``method``, ``spearman`` (with the trained model's map, NaN when
        a map is constant); ``output``: one row per step: ``probability`` of ``target``,
        ``logit_change`` (L2 distance of the logits from the trained model's), ``predicted``;
        ``maps``: ``{layer label: {method: map}}`` for drawing.
    """
    names = list(reversed(layers(model)))
    usable = tuple(m for m in methods if why_not(model, m) is None)
    original = None
    rows, outputs, drawn = [], [], {}
    with torch.no_grad():
        trained_logits = copy.deepcopy(model).eval()(image)
    for k in range(len(names) + 1):
        net = randomized_top(model, k, settings.seed)
        label = "none (trained)" if k == 0 else f"{names[k - 1]} and above"
        maps = {m: attribute(net, image, target, m, settings) for m in usable}
        original = original or maps
        drawn[label] = maps
        for m in usable:
            rows.append({"step": k, "layer": label, "method": m, "spearman": spearman(original[m], maps[m])})
        with torch.no_grad():
            logits = net(image)
        outputs.append(
            {
                "step": k,
                "layer": label,
                "probability": float(predict_proba(net, image)[0, target]),
                "logit_change": float((logits - trained_logits).norm()),
                "predicted": int(logits.argmax(1)[0]),
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(outputs), drawn
