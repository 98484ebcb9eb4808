"""Explanation heatmaps: which pixels made the model say what it said.

Four methods from captum, one verb (:func:`attribute`), one output shape, so a page
can show them side by side and a test can compare them:

* **Saliency** (Simonyan, Vedaldi & Zisserman 2014): the absolute gradient of the class
  score with respect to each pixel — how much a tiny change there would move the score.
* **Integrated Gradients** (Sundararajan, Taly & Yan 2017): gradients averaged along a
  straight path from a black image to the input, times the input; the maps add up to
  ``score(input) - score(black)``.
* **Grad-CAM** (Selvaraju et al. 2017): the last convolution's feature maps weighted by
  their average gradient, ReLU'd, upsampled to the image size. Coarse but class-specific.
* **LRP** (Bach et al. 2015): the class score is redistributed backwards layer by layer
  (epsilon rule) until it lands on the pixels; relevance is (approximately) conserved.

Every map is ``(N, H, W)`` float32: channels summed, signed where the method is signed.
Maps of different methods live on different scales; compare *where* relevance sits, e.g.
with :func:`positive_share_inside`, not raw magnitudes.

Shared models are never mutated: Grad-CAM and LRP attach hooks and LRP stores rules on
layers, so every call works on a private deep copy (a SmallCNN copies in well under a
millisecond). :func:`randomized_copy` is the sanity check of Adebayo et al. (2018): a method
whose maps barely change when the weights are random is not explaining the model.
"""

from __future__ import annotations

import copy

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import torch
from plotly.subplots import make_subplots
from torch import nn

from core import plots
from core.errors import BadInput
from core.provenance import Provenance

METHODS: tuple[str, ...] = ("Saliency", "Integrated Gradients", "Grad-CAM", "LRP")
PAPERS = {
    "Saliency": "Simonyan, Vedaldi & Zisserman 2014, arXiv:1312.6034",
    "Integrated Gradients": "Sundararajan, Taly & Yan 2017, ICML, arXiv:1703.01365",
    "Grad-CAM": "Selvaraju et al. 2017, ICCV, arXiv:1610.02391",
    "LRP": "Bach et al. 2015, PLOS ONE 10(7): e0130140",
}
ADEBAYO = "Adebayo et al. 2018, 'Sanity Checks for Saliency Maps', NeurIPS, arXiv:1810.03292"
# build_cnn(config, seed) draws its initial weights from torch.manual_seed(seed); offsetting the
# seed here keeps "randomised with seed 0" from reproducing "trained from the init of seed 0".
RANDOMIZE_SEED_OFFSET = 1_000_003
IG_STEPS = 32  # path steps for Integrated Gradients: sum of the map within ~2 % of the score gap (tested)
# Integrated Gradients runs the model on every image at every step: all at once, 100 Fashion-MNIST images
# x 32 steps held ~470 MB of activations for the backward pass, 40 faces of 64x64 ~1.3 GB (measured). It is
# run in passes of whole steps, each at most this many input values (all images x a few steps), ~60-130 MB.
IG_VALUES_PER_PASS = 2**18
BOX_COLOUR = plots.GREEN  # outline of a region of interest (e.g. the tag) on every panel
# What a class sees, in words, for the colours the maps are drawn with. Okabe & Ito call #D55E00
# "vermilion"; on a screen or a projector it reads as orange, so that is the name said aloud (a
# title saying "red" under orange maps is the kind of slip a student notices: issue #13).
COLOUR_NAMES = {
    plots.BLUE: "blue",
    "#FFFFFF": "white",
    plots.VERMILION: "orange",
    plots.GREEN: "green",
    plots.ORANGE: "yellow-orange",
    plots.SKY: "sky blue",
    plots.PINK: "pink",
    plots.YELLOW: "yellow",
    plots.BLACK: "black",
}


class UnknownMethod(BadInput):
    """A method name that is not in :data:`METHODS`."""


def _private_copy(model: nn.Module) -> nn.Module:
    """A deep copy in eval mode: hooks and LRP rules land on it, never on the shared model."""
    return copy.deepcopy(model).eval()


def attribute(model: nn.Module, images: torch.Tensor, targets: torch.Tensor, method: str) -> torch.Tensor:
    """Relevance of every pixel for the ``targets`` class score.

    Args:
        model: a classifier returning logits ``(N, K)``; Grad-CAM needs ``model.last_conv``
            (see :class:`core.models.SmallCNN`). Not modified: the work runs on a deep copy.
        images: ``(N, C, H, W)`` float in ``[0, 1]``.
        targets: ``(N,)`` long, the class whose score is explained for each image.
        method: one of :data:`METHODS`.

    Returns:
        ``(N, H, W)`` float32, summed over channels. Saliency is >= 0 by definition
        (absolute gradient), Grad-CAM >= 0 (the paper's ReLU); Integrated Gradients and LRP
        are signed (negative = evidence against the class).
    """
    if method not in METHODS:
        raise UnknownMethod(f"unknown explanation method {method!r}; choose one of {METHODS}")
    if images.ndim != 4 or targets.shape != (len(images),):
        raise ValueError(
            f"images must be (N,C,H,W) and targets (N,); got {tuple(images.shape)}, {tuple(targets.shape)}"
        )
    # captum here, not at the top: ~35 MB of server memory and ~1 s, paid when a map is first asked for
    # (a page that imports this module for its figures or colour key does not pay it).
    from captum.attr import LRP, IntegratedGradients, LayerAttribution, LayerGradCam, Saliency

    net = _private_copy(model)
    x = images.detach().clone().float().requires_grad_()  # captum would warn and do it anyway
    t = targets.detach().long()
    with torch.enable_grad():  # pages may call this inside torch.no_grad()
        if method == "Saliency":
            maps = Saliency(net).attribute(x, target=t, abs=True)
        elif method == "Integrated Gradients":
            maps = IntegratedGradients(net).attribute(
                x, baselines=torch.zeros_like(x), target=t, n_steps=IG_STEPS, internal_batch_size=_ig_pass(x)
            )
        elif method == "Grad-CAM":
            coarse = LayerGradCam(net, net.last_conv).attribute(x, target=t, relu_attributions=True)
            maps = LayerAttribution.interpolate(coarse, tuple(x.shape[-2:]), interpolate_mode="bilinear")
        else:
            maps = LRP(net).attribute(x, target=t)
    return maps.detach().sum(dim=1).float()


def _ig_pass(images: torch.Tensor) -> int:
    """Images per Integrated Gradients pass: every image at as many steps as fit in :data:`IG_VALUES_PER_PASS`.

    captum's ``internal_batch_size`` splits the path by steps, each pass holding all ``N`` images (so it is
    a multiple of ``N``, at least ``N``); summing the passes gives the same map up to float rounding (~1e-7).
    """
    steps = max(1, min(IG_STEPS, IG_VALUES_PER_PASS // max(1, images[0].numel() * len(images))))
    return steps * len(images)


def attribute_all(model: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
    """``{method: (N, H, W) relevance}`` for every method in :data:`METHODS`, same inputs."""
    return {method: attribute(model, images, targets, method) for method in METHODS}


def positive_share_inside(relevance: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """How much of each map's positive relevance falls inside ``mask``.

    Args:
        relevance: ``(N, H, W)`` maps (any method, any scale).
        mask: ``(H, W)`` bool, the region of interest (e.g. the tag's box).

    Returns:
        ``(N,)`` float32 in ``[0, 1]``: positive relevance inside / all positive relevance;
        0 for a map with no positive relevance at all. A map that ignores the region scores
        about ``mask.float().mean()`` (its area share) — compare with that.
    """
    if relevance.ndim != 3 or mask.shape != relevance.shape[1:]:
        raise ValueError(f"relevance must be (N,H,W) and mask (H,W); got {tuple(relevance.shape)}, {tuple(mask.shape)}")
    positive = relevance.clamp(min=0).float()
    total = positive.sum(dim=(1, 2))
    inside = (positive * mask.to(positive.dtype)).sum(dim=(1, 2))
    return torch.where(total > 0, inside / total.clamp(min=1e-30), torch.zeros_like(total))


def randomized_copy(model: nn.Module, seed: int = 0) -> nn.Module:
    """A deep copy with every weight re-initialised (the original is untouched).

    The model-randomisation test of Adebayo et al. (2018): explain the same image with
    the trained and the randomised model. Maps that look alike cannot be telling us what
    the *trained* model learned — they mostly show the input (edges, bright pixels).
    """
    twin = _private_copy(model)
    with torch.random.fork_rng(devices=[]):  # seeded, and the caller's RNG stream is left as it was
        torch.manual_seed(seed + RANDOMIZE_SEED_OFFSET)
        for module in twin.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
    return twin


def normalized(relevance: torch.Tensor) -> torch.Tensor:
    """Scale each map by its largest absolute value into ``[-1, 1]`` (zeros stay zeros).

    Methods differ in scale by orders of magnitude; for display only *where* matters.
    """
    peak = relevance.abs().amax(dim=(-2, -1), keepdim=True)
    return relevance / torch.where(peak > 0, peak, torch.ones_like(peak))


def colour_key(box: str | None = None) -> str:
    """The maps' colour key in words, read off the scale they are drawn with (:data:`core.plots.DIVERGING`).

    E.g. ``"orange: for, blue: against, white: none; green box: the tag"``. Derived, not typed:
    if the lab's scale or box colour changes, every title that uses this changes with it.
    """
    low, mid, high = (COLOUR_NAMES[colour.upper()] for _, colour in plots.DIVERGING)
    text = f"{high}: for, {low}: against, {mid}: none"
    return text + (f"; {COLOUR_NAMES[BOX_COLOUR]} box: {box}" if box else "")


def grid_height(rows: int, panel_px: int, vertical_spacing: float, margins_px: int) -> int:
    """Figure height in pixels that leaves each of ``rows`` square panels ``panel_px`` tall.

    Plotly gives each row ``(1 - spacing * (rows - 1)) / rows`` of the plot area (the height
    minus the margins). A panel is also limited by its column's width: a page that asks for
    300 px panels must show few enough columns for that width (see the Clever Hans page).
    """
    plot_area = rows * panel_px / (1 - vertical_spacing * (rows - 1))
    return int(plot_area + margins_px + 0.999)


def margins_px(fig: go.Figure) -> int:
    """Top + bottom margin of a figure in pixels: its own, else its template's (plotly's default 80 each)."""
    template = pio.templates[fig.layout.template] if isinstance(fig.layout.template, str) else fig.layout.template
    defaults = template.layout.margin if template is not None else None
    return sum(
        int(mine if mine is not None else (default if default is not None else 80))
        for mine, default in (
            (fig.layout.margin.t, getattr(defaults, "t", None)),
            (fig.layout.margin.b, getattr(defaults, "b", None)),
        )
    )


def _image_trace(image: torch.Tensor) -> go.BaseTraceType:
    """An input image ``(C, H, W)`` in [0, 1] as a plotly trace (greyscale or RGB)."""
    if image.shape[0] == 1:
        return go.Heatmap(
            z=image[0].flip(0).numpy(), colorscale="gray", zmin=0, zmax=1, showscale=False, hoverinfo="skip"
        )
    rgb = (image.permute(1, 2, 0).clamp(0, 1).numpy() * 255).astype(np.uint8)
    return go.Image(z=rgb[::-1], hoverinfo="skip")


MAPS_MARGIN_T = 110  # px: a two-line title (what is shown; the colour key) above the column titles
MAPS_ROW_PX = 115  # default panel height: five columns side by side fill the ~700 px of a centred page


def maps_figure(
    rows: list[tuple[str, torch.Tensor, dict[str, torch.Tensor]]],
    provenance: Provenance,
    title: str = "",
    box: tuple[int, int, int, int] | None = None,
    panel_px: int = MAPS_ROW_PX,
) -> go.Figure:
    """A grid: one row per (label, image ``(C,H,W)``, {method: map ``(H,W)``}), the image first.

    Each map is scaled to ``[-1, 1]`` (:func:`normalized`) and drawn on :data:`core.plots.DIVERGING`
    (:func:`colour_key` says it in words). ``box`` = ``(top, left, height, width)`` outlines a
    region (e.g. the tag) on every panel. ``panel_px``: how tall each square panel is drawn
    (presenter mode asks for >= 300 px, and then shows fewer columns so the width allows it).
    """
    if not rows:
        raise ValueError("maps_figure needs at least one row")
    methods = list(rows[0][2])
    cols = 1 + len(methods)
    spacing = 0.04
    fig = make_subplots(
        rows=len(rows),
        cols=cols,
        horizontal_spacing=0.01,
        vertical_spacing=spacing,
        column_titles=["input", *methods],
        row_titles=[label for label, _, _ in rows],
    )
    for r, (_, image, maps) in enumerate(rows, start=1):
        fig.add_trace(_image_trace(image), row=r, col=1)
        for c, method in enumerate(methods, start=2):
            z = normalized(maps[method].unsqueeze(0))[0].flip(0).numpy()
            fig.add_trace(
                go.Heatmap(
                    z=z,
                    zmin=-1,
                    zmax=1,
                    colorscale=plots.DIVERGING,
                    showscale=False,
                    hovertemplate="relevance %{z:.2f}<extra>" + method + "</extra>",
                ),
                row=r,
                col=c,
            )
    height, width = rows[0][1].shape[-2:]
    fig.update_xaxes(visible=False, range=[-0.5, width - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[-0.5, height - 0.5], scaleanchor="x", scaleratio=1)
    for r in range(1, len(rows) + 1):  # every panel square, anchored to its own x axis
        for c in range(1, cols + 1):
            idx = (r - 1) * cols + c
            fig.update_yaxes(scaleanchor=f"x{'' if idx == 1 else idx}", row=r, col=c)
    if box is not None:
        top, left, h, w = box
        y0, y1 = height - top - h - 0.5, height - top - 0.5  # rows were flipped for display
        for r in range(1, len(rows) + 1):
            for c in range(1, cols + 1):
                fig.add_shape(
                    type="rect",
                    x0=left - 0.5,
                    x1=left + w - 0.5,
                    y0=y0,
                    y1=y1,
                    line=dict(color=BOX_COLOUR, width=2),
                    row=r,
                    col=c,
                )
    fig.update_layout(
        title_text=title, template=plots.TEMPLATE_NAME, margin_t=MAPS_MARGIN_T, margin_r=50
    )  # room for the row titles
    fig = plots.finish(fig, provenance)
    # Height last, from the margins the figure ends up with (finish() may change them).
    return fig.update_layout(height=grid_height(len(rows), panel_px, spacing, margins_px(fig)))
