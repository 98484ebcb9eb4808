"""Adversarial attacks as short, read-only functions: FGSM, PGD, one-pixel, universal, black-box (SimBA) and patch.

Every attack here is a short function in the style of torchattacks (Kim 2020): the model
returns logits, images are float tensors ``(N, C, H, W)`` in ``[0, 1]``, labels ``(N,)``
int64, and the result is a new tensor in ``[0, 1]`` (pixels never leave the valid range).
The model is only *read*: no ``.train()``, no hooks, no parameter gradients are kept, so a
model shared by every session of the app can be attacked safely.

References (distance measure in brackets):

* FGSM — Goodfellow, Shlens & Szegedy 2015, "Explaining and Harnessing Adversarial
  Examples", ICLR [L∞].
* PGD — Madry, Makelov, Schmidt, Tsipras & Vladu 2018, "Towards Deep Learning Models
  Resistant to Adversarial Attacks", ICLR [L∞]. Targeted versions: Kurakin, Goodfellow &
  Bengio 2017, "Adversarial examples in the physical world".
* One-pixel — Su, Vargas & Sakurai 2019, "One Pixel Attack for Fooling Deep Neural
  Networks", IEEE Trans. Evolutionary Computation [L0].
* Universal perturbation — Moosavi-Dezfooli, Fawzi, Fawzi & Frossard 2017, "Universal
  adversarial perturbations", CVPR; computed here with the stochastic-gradient variant of
  Shafahi et al. 2020, "Universal Adversarial Training", AAAI [L∞].
* SimBA — Guo, Gardner, You, Wilson & Weinberger 2019, "Simple Black-box Adversarial
  Attacks", ICML: probabilities only, no gradients [L∞ per pixel, few pixels].
* Adversarial patch — Brown, Mané, Roy, Abadi & Gilmer 2017, "Adversarial Patch" [a
  visible sticker, unbounded inside its square].

The control: :func:`sign_noise` adds random ±ε to every pixel — the same L∞ (and, before
clipping, the same L2) as FGSM, but in a random direction. Noise barely hurts; the crafted
direction destroys accuracy. :func:`epsilon_curves` measures both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from core.training import ProgressCallback, predict, predict_proba

# ----------------------------------------------------------------------------- white-box, gradient


def gradient_sign(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, targeted: bool = False) -> torch.Tensor:
    """``sign(∇ₓ loss)``: the direction in which every pixel increases the loss fastest.

    Args:
        model: returns logits ``(N, K)``; only read.
        images: ``(N, C, H, W)`` in [0, 1].
        labels: ``(N,)`` true classes, or target classes when ``targeted``.
        targeted: if True the loss is ``-cross_entropy(target)``: stepping along the sign
            moves *towards* the target class.

    Returns:
        ``(N, C, H, W)`` with values in {-1, 0, +1}.
    """
    # A new leaf that shares the caller's pixels (no copy): the caller's tensor gains no grad flag.
    images = images.detach().requires_grad_(True)
    loss = F.cross_entropy(model(images), labels)
    if targeted:
        loss = -loss
    grad = torch.autograd.grad(loss, images)[0]  # gradient w.r.t. the pixels only, not the weights
    return grad.sign()


def fgsm(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, eps: float, targeted: bool = False
) -> torch.Tensor:
    """Fast Gradient Sign Method (Goodfellow, Shlens & Szegedy 2015).

    One step of size ``eps`` along the sign of the loss gradient: ``x + ε·sign(∇ₓ L)``,
    clipped to [0, 1]. The paper's point: a model that is *linear enough* adds up a tiny
    change on each of many pixels into a large change of its output.

    Args:
        model: returns logits; only read.
        images: ``(N, C, H, W)`` in [0, 1].
        labels: ``(N,)`` true classes (or targets when ``targeted``).
        eps: L∞ budget, in pixel units of [0, 1] (0.1 = 10 % of the pixel range).
        targeted: move towards ``labels`` instead of away from them.

    Returns:
        adversarial images ``(N, C, H, W)`` in [0, 1] with ``‖x_adv - x‖∞ ≤ eps``.
    """
    adv = images + eps * gradient_sign(model, images, labels, targeted)
    return torch.clamp(adv, min=0, max=1).detach()


def pgd(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    eps: float,
    *,
    alpha: float | None = None,
    steps: int = 10,
    random_start: bool = True,
    targeted: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Projected Gradient Descent (Madry et al. 2018): FGSM repeated in small steps.

    Start at ``x`` (or a random point of the ε-box), then ``steps`` times: step ``alpha``
    along the gradient sign, project back into the box ``‖δ‖∞ ≤ ε`` and into [0, 1].
    Madry et al. call it "the strongest first-order adversary"; with ``steps=1``,
    ``alpha=1.25·ε`` and a random start it is the fast adversarial training attack of
    Wong, Rice & Kolter (2020).

    Args:
        model: returns logits; only read.
        images: ``(N, C, H, W)`` in [0, 1].
        labels: ``(N,)`` true classes (or targets when ``targeted``).
        eps: L∞ budget in [0, 1] pixel units.
        alpha: step size; default ``2.5·ε / steps`` (Madry et al.'s rule of thumb).
        steps: number of gradient steps.
        random_start: start from ``x + uniform(-ε, ε)`` noise (draws from ``generator``).
        targeted: move towards ``labels``.
        generator: seeds the random start (same generator state, same result).

    Returns:
        adversarial images in [0, 1] with ``‖x_adv - x‖∞ ≤ eps``.
    """
    alpha = 2.5 * eps / steps if alpha is None else alpha
    images = images.detach()
    adv = images.clone()
    if random_start:
        adv = adv + torch.empty_like(adv).uniform_(-eps, eps, generator=generator)
        adv = torch.clamp(adv, min=0, max=1).detach()
    for _ in range(steps):
        adv = adv.detach() + alpha * gradient_sign(model, adv, labels, targeted)
        delta = torch.clamp(adv - images, min=-eps, max=eps)  # project onto the ε-box ...
        adv = torch.clamp(images + delta, min=0, max=1).detach()  # ... and onto valid pixels
    return adv


def sign_noise(images: torch.Tensor, eps: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """The control: random ±ε on every pixel, clipped to [0, 1].

    Same L∞ as FGSM (ε) and, before clipping, the same L2 (ε·√pixels): only the direction
    differs. If this hurts as much as FGSM, the "attack" is just noise sensitivity.
    """
    signs = torch.randint(0, 2, images.shape, generator=generator).to(images.dtype) * 2 - 1
    return torch.clamp(images + eps * signs, min=0, max=1)


# ----------------------------------------------------------------------------- measuring


def change_size(images: torch.Tensor, adversarial: torch.Tensor) -> dict[str, float]:
    """How big the change is, for one image or the largest of a batch: L∞, L2 and L0.

    L∞ is the largest change of any pixel value, L2 the Euclidean length of the whole
    change, L0 the number of pixel *positions* changed (any channel).
    """
    delta = (adversarial - images).flatten(2)  # (N, C, H*W)
    return {
        "linf": float(delta.abs().max()),
        "l2": float(delta.flatten(1).norm(dim=1).max()),
        "l0": int((delta.abs().amax(dim=1) > 0).sum(dim=1).max()),
    }


def epsilon_curves(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    epsilons: tuple[float, ...],
    *,
    attacks: tuple[str, ...] = ("FGSM", "PGD", "noise"),
    pgd_steps: int = 10,
    seed: int = 0,
    batch_size: int = 500,
    on_progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Accuracy and attack success rate as the budget ε grows, for each attack and the noise control.

    FGSM's gradient sign does not depend on ε, so it is computed once per batch and reused
    for every ε (the result is identical to calling :func:`fgsm` per ε). PGD runs
    ``pgd_steps`` steps with a seeded random start per ε.

    Returns:
        one row per (attack, ε): ``attack, epsilon, accuracy, success_rate, n``, where
        ``success_rate`` is the share of the *correctly classified* clean images that the
        attack makes wrong (so it is 0 at ε = 0 and the clean accuracy is the ε = 0 accuracy).
    """
    generator = torch.Generator().manual_seed(seed)
    correct = {(a, e): 0 for a in attacks for e in epsilons}
    flipped = dict(correct)
    clean_correct = 0
    total = len(range(0, len(images), batch_size)) * len(attacks)
    step = 0
    for start in range(0, len(images), batch_size):
        x, y = images[start : start + batch_size], labels[start : start + batch_size]
        was_right = predict(model, x) == y
        clean_correct += int(was_right.sum())
        for attack in attacks:
            sign = gradient_sign(model, x, y) if attack == "FGSM" else None
            for eps in epsilons:
                if attack == "FGSM":
                    adv = torch.clamp(x + eps * sign, min=0, max=1)
                elif attack == "PGD":
                    adv = pgd(model, x, y, eps, steps=pgd_steps, generator=generator)
                elif attack == "noise":
                    adv = sign_noise(x, eps, generator)
                else:
                    raise ValueError(f"unknown attack {attack!r}; choose from FGSM, PGD, noise")
                now_right = predict(model, adv) == y
                correct[attack, eps] += int(now_right.sum())
                flipped[attack, eps] += int((was_right & ~now_right).sum())
            step += 1
            if on_progress:
                on_progress(step, total, {"attack": attack})
    n = len(images)
    return pd.DataFrame(
        [
            {
                "attack": a,
                "epsilon": e,
                "accuracy": correct[a, e] / n,
                "success_rate": flipped[a, e] / max(clean_correct, 1),
                "n": n,
            }
            for a in attacks
            for e in epsilons
        ]
    )


# ----------------------------------------------------------------------------- one pixel (L0)


@dataclass(frozen=True)
class SearchResult:
    """Outcome of a search-based attack on one image.

    Attributes:
        adversarial: ``(1, C, H, W)`` in [0, 1].
        success: the prediction left the true class (or reached the target, if targeted).
        queries: how many images the model had to score.
        pixels: ``(row, col)`` of every changed pixel position.
    """

    adversarial: torch.Tensor
    success: bool
    queries: int
    pixels: tuple[tuple[int, int], ...] = ()


def _paint_pixels(image: torch.Tensor, genes: np.ndarray) -> torch.Tensor:
    """One candidate per column of ``genes`` ``(k·(2+C), S)``: ``(S, C, H, W)`` images with k pixels set."""
    channels, height, width = image.shape
    genes = torch.as_tensor(genes.T, dtype=image.dtype).reshape(genes.shape[1], -1, 2 + channels)
    rows = genes[..., 0].long().clamp(0, height - 1)
    cols = genes[..., 1].long().clamp(0, width - 1)
    out = image.expand(len(genes), -1, -1, -1).clone()
    candidate = torch.arange(len(genes)).unsqueeze(1).expand_as(rows)
    out[candidate, :, rows, cols] = genes[..., 2:].clamp(0, 1)
    return out


def one_pixel(
    model: nn.Module,
    image: torch.Tensor,
    label: int,
    pixels: int = 1,
    *,
    target: int | None = None,
    max_iter: int = 75,
    population: int = 400,
    seed: int = 0,
) -> SearchResult:
    """One-pixel attack (Su, Vargas & Sakurai 2019): change at most ``pixels`` pixels, found by evolution.

    Differential evolution (Storn & Price 1997, :func:`scipy.optimize.differential_evolution`)
    searches over candidates ``(row, col, value per channel) × pixels``; it needs only the
    model's probabilities, no gradients. It minimises the probability of the true class (or
    ``1 - p(target)``) and stops as soon as the best candidate fools the model.

    Args:
        image: ``(C, H, W)`` in [0, 1]. label: its true class.
        pixels: how many pixels may change (1–5 here; the paper studies 1, 3 and 5).
        target: a class to reach instead of just leaving ``label``.
        max_iter, population: the search budget (the paper: 100 iterations, 400 candidates).
        seed: seeds the evolution (same seed, same result).

    Returns:
        a :class:`SearchResult`; ``pixels`` lists the changed positions (at most ``pixels``).
    """
    # Imported here, not at the top: scipy.optimize adds ~35 MB to a server (bench/bench_memory.py)
    # for this one search, which most visits to the page never run.
    from scipy.optimize import differential_evolution

    channels, height, width = image.shape
    bounds = [(0, height), (0, width)] + [(0, 1)] * channels
    queries = 0

    def badness(genes: np.ndarray) -> np.ndarray:  # (D, S) -> (S,): lower is better for the attacker
        nonlocal queries
        probs = predict_proba(model, _paint_pixels(image, genes))
        queries += len(probs)
        return (probs[:, label] if target is None else 1 - probs[:, target]).numpy()

    def fooled(genes: np.ndarray) -> bool:
        predicted = int(predict(model, _paint_pixels(image, genes[:, None]))[0])
        return predicted != label if target is None else predicted == target

    result = differential_evolution(
        badness,
        bounds * pixels,
        maxiter=max_iter,
        popsize=max(1, math.ceil(population / (len(bounds) * pixels))),
        seed=seed,
        polish=False,
        vectorized=True,
        updating="deferred",
        recombination=1.0,
        tol=0,
        callback=lambda intermediate_result: fooled(intermediate_result.x),
    )
    adversarial = _paint_pixels(image, result.x[:, None])
    changed = (adversarial[0] != image).any(dim=0).nonzero().tolist()
    return SearchResult(adversarial, fooled(result.x), queries, tuple(map(tuple, changed)))


# ----------------------------------------------------------------------------- black box (scores only)


def simba(
    model: nn.Module, image: torch.Tensor, label: int, eps: float = 0.2, max_queries: int = 3000, seed: int = 0
) -> SearchResult:
    """SimBA, the Simple Black-box Attack (Guo et al. 2019), pixel version: no gradients needed.

    The attacker sees only the output probabilities. Pick pixels in a random order; for
    each, try ``-ε`` and then ``+ε``; keep the change if the true class's probability
    drops. Stop when the prediction changes or the query budget is spent. Every pixel is
    changed at most once, so ``‖δ‖∞ ≤ ε``.

    Args:
        image: ``(C, H, W)`` in [0, 1]. label: its true class.
        eps: the change tried on one pixel.
        max_queries: budget of model evaluations (each one image).
        seed: the pixel order.

    Returns:
        a :class:`SearchResult` with the number of queries used.
    """
    x = image.unsqueeze(0).clone()
    probs = predict_proba(model, x)[0]
    queries = 1
    order = torch.randperm(x.numel(), generator=torch.Generator().manual_seed(seed))
    for index in order.tolist():
        if int(probs.argmax()) != label or queries >= max_queries:
            break
        for step in (-eps, eps):
            trial = x.clone()
            trial.view(-1)[index] = (trial.view(-1)[index] + step).clamp(0, 1)
            if torch.equal(trial, x) or queries >= max_queries:
                continue  # at the edge of [0, 1] (nothing to ask), or the budget is spent
            trial_probs = predict_proba(model, trial)[0]
            queries += 1
            if trial_probs[label] < probs[label]:  # keep a change only if the true class got less likely
                x, probs = trial, trial_probs
                break
    changed = (x[0] != image).any(dim=0).nonzero().tolist()
    return SearchResult(x, int(probs.argmax()) != label, queries, tuple(map(tuple, changed)))


# ----------------------------------------------------------------------------- universal (one δ for all)


def universal_perturbation(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    eps: float,
    *,
    steps: int = 60,
    batch_size: int = 128,
    seed: int = 0,
) -> torch.Tensor:
    """One perturbation ``δ`` that fools the model on most images (Moosavi-Dezfooli et al. 2017).

    Computed with the stochastic-gradient variant (Shafahi et al. 2020): ascend the mean
    loss over random mini-batches with signed steps, projecting δ back to ``‖δ‖∞ ≤ ε``
    after each. (The original aggregates DeepFool steps image by image; same goal, slower.)
    Evaluate it on images it was *not* computed on (:func:`fooling_rate`).

    Returns:
        ``δ`` of shape ``(1, C, H, W)`` with values in ``[-eps, eps]``.
    """
    generator = torch.Generator().manual_seed(seed)
    delta = torch.zeros_like(images[:1])
    step_size = eps / 10  # small steps: δ has to serve every image, not one
    for _ in range(steps):
        batch = torch.randint(0, len(images), (batch_size,), generator=generator)
        delta.requires_grad = True
        loss = F.cross_entropy(model(torch.clamp(images[batch] + delta, 0, 1)), labels[batch])
        grad = torch.autograd.grad(loss, delta)[0]
        delta = torch.clamp(delta.detach() + step_size * grad.sign(), -eps, eps)
    return delta.detach()


def fooling_rate(model: nn.Module, images: torch.Tensor, delta: torch.Tensor) -> float:
    """Share of images whose predicted class changes when ``δ`` is added (Moosavi-Dezfooli's measure)."""
    before = predict(model, images)
    after = predict(model, torch.clamp(images + delta, 0, 1))
    return float((before != after).float().mean())


# ----------------------------------------------------------------------------- patch (a sticker)


def paste(images: torch.Tensor, patch: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """A copy of ``images`` ``(N, C, H, W)`` with ``patch`` ``(C, s, s)`` pasted at ``(rows[i], cols[i])``."""
    size = patch.shape[-1]
    out = images.clone()
    for i, (r, c) in enumerate(zip(rows.tolist(), cols.tolist())):
        out[i, :, r : r + size, c : c + size] = patch
    return out


def random_places(
    n: int, image_size: int, patch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random top-left corners ``(rows, cols)`` so that the patch lies inside the image."""
    return (
        torch.randint(0, image_size - patch_size + 1, (n,), generator=generator),
        torch.randint(0, image_size - patch_size + 1, (n,), generator=generator),
    )


def adversarial_patch(
    model: nn.Module,
    images: torch.Tensor,
    target: int,
    *,
    size: int = 8,
    steps: int = 150,
    batch_size: int = 64,
    step_size: float = 0.05,
    seed: int = 0,
) -> torch.Tensor:
    """An adversarial patch (Brown et al. 2017): a sticker that makes the model see ``target``.

    Unlike the attacks above the patch is *visible* and *unbounded* inside its square,
    but it is universal (one sticker for every image) and works wherever it is pasted:
    each step pastes it at random places on a random batch and moves its pixels (signed
    gradient steps, kept in [0, 1]) to raise the target's probability.

    Args:
        images: ``(N, C, H, W)`` to learn on (evaluate on others: :func:`patch_success`).
        target: the class the sticker should force. size: its side in pixels.

    Returns:
        the patch ``(C, size, size)`` in [0, 1].
    """
    generator = torch.Generator().manual_seed(seed)
    patch = torch.rand(images.shape[1], size, size, generator=generator)
    targets = torch.full((batch_size,), target)
    for _ in range(steps):
        batch = images[torch.randint(0, len(images), (batch_size,), generator=generator)]
        rows, cols = random_places(batch_size, images.shape[-1], size, generator)
        patch.requires_grad = True
        loss = F.cross_entropy(model(paste(batch, patch, rows, cols)), targets)
        grad = torch.autograd.grad(loss, patch)[0]
        patch = torch.clamp(patch.detach() - step_size * grad.sign(), 0, 1)  # descend the target's loss
    return patch.detach()


def patch_success(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, patch: torch.Tensor, target: int, seed: int = 0
) -> float:
    """Share of images *not* of class ``target`` that the model calls ``target`` once ``patch`` is pasted at random places."""
    keep = labels != target
    rows, cols = random_places(int(keep.sum()), images.shape[-1], patch.shape[-1], torch.Generator().manual_seed(seed))
    predicted = predict(model, paste(images[keep], patch, rows, cols))
    return float((predicted == target).float().mean())
