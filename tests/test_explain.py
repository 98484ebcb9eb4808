"""core.explain: shapes, no mutation of shared models, oracles for the maths, the sanity-check copy."""

import pytest
import torch

from core import explain, plots
from core.models import CNNConfig, build_cnn
from core.provenance import Provenance


@pytest.fixture(scope="module", params=[CNNConfig(), CNNConfig(in_channels=3, image_size=32)], ids=["grey28", "rgb32"])
def model_and_batch(request):
    config = request.param
    model = build_cnn(config, seed=0)
    images = torch.rand(
        3, config.in_channels, config.image_size, config.image_size, generator=torch.Generator().manual_seed(1)
    )
    return model, images, torch.tensor([0, 3, 7])


def snapshot(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def hooks_and_rules(model):
    """Everything captum could leave behind on a module: hooks of every kind, LRP rules."""
    return [
        (
            name,
            len(m._forward_hooks),
            len(m._forward_pre_hooks),
            len(m._backward_hooks),
            len(getattr(m, "_full_backward_hooks", {}) or {}),
            hasattr(m, "rule"),
        )
        for name, m in model.named_modules()
    ]


@pytest.mark.parametrize("method", explain.METHODS)
def test_every_method_gives_float_maps_of_the_image_size_and_leaves_the_model_alone(model_and_batch, method):
    model, images, targets = model_and_batch
    before, hooks, original, mode = snapshot(model), hooks_and_rules(model), images.clone(), model.training
    with torch.no_grad():  # pages may call it like this; gradients must still flow inside
        maps = explain.attribute(model, images, targets, method)
    assert maps.shape == (3, *images.shape[-2:]) and maps.dtype == torch.float32
    assert torch.isfinite(maps).all() and maps.abs().sum() > 0
    if method in ("Saliency", "Grad-CAM"):  # absolute gradient / the paper's ReLU
        assert (maps >= 0).all()
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert hooks_and_rules(model) == hooks
    assert model.training == mode and all(p.grad is None for p in model.parameters())
    assert torch.equal(images, original) and not images.requires_grad


def test_attribute_all_covers_every_method(model_and_batch):
    model, images, targets = model_and_batch
    assert list(explain.attribute_all(model, images[:1], targets[:1])) == list(explain.METHODS)


def test_saliency_is_the_absolute_input_gradient_summed_over_channels(model_and_batch):
    """Oracle: the definition of Simonyan et al., written out with autograd."""
    model, images, targets = model_and_batch
    x = images.clone().requires_grad_()
    model(x).gather(1, targets[:, None]).sum().backward()
    expected = x.grad.abs().sum(1)
    model.zero_grad(set_to_none=True)
    assert torch.allclose(explain.attribute(model, images, targets, "Saliency"), expected, atol=1e-7)


def test_integrated_gradients_add_up_to_the_score_difference(model_and_batch):
    """Completeness (Sundararajan et al. 2017): sum of the map = f(x) - f(black baseline)."""
    model, images, targets = model_and_batch
    maps = explain.attribute(model, images, targets, "Integrated Gradients")
    with torch.no_grad():
        gap = (model(images) - model(torch.zeros_like(images))).gather(1, targets[:, None]).squeeze(1)
    # 32 Gauss-Legendre steps on a piecewise-linear net leave a few % of the largest gap (measured: ~2 %);
    # a wrong sign, a missing "times input" or a wrong baseline would be off by 100 % or more.
    assert torch.allclose(maps.sum(dim=(1, 2)), gap, rtol=0.05, atol=0.05 * gap.abs().max())


def test_grad_cam_depends_on_the_target_class(model_and_batch):
    model, images, _ = model_and_batch
    a = explain.attribute(model, images[:1], torch.tensor([0]), "Grad-CAM")
    b = explain.attribute(model, images[:1], torch.tensor([5]), "Grad-CAM")
    assert not torch.allclose(a, b)


def test_bad_arguments_are_refused_clearly(model_and_batch):
    model, images, targets = model_and_batch
    with pytest.raises(explain.UnknownMethod, match="Grad-CAM"):
        explain.attribute(model, images, targets, "SHAP")
    with pytest.raises(ValueError, match="targets"):
        explain.attribute(model, images, targets[:2], "LRP")


def test_randomized_copy_differs_everywhere_and_leaves_the_original_intact():
    model = build_cnn(CNNConfig(), seed=0)
    before = snapshot(model)
    twin = explain.randomized_copy(model, seed=0)
    assert all(not torch.equal(a, b) for a, b in zip(model.parameters(), twin.parameters()))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    again = explain.randomized_copy(model, seed=0)
    assert all(torch.equal(a, b) for a, b in zip(twin.parameters(), again.parameters()))  # seeded
    other = explain.randomized_copy(model, seed=1)
    assert not torch.equal(twin.conv1.weight, other.conv1.weight)


def test_positive_share_inside_on_hand_made_maps():
    mask = torch.zeros(4, 4, dtype=torch.bool)
    mask[2:, :2] = True  # a quarter of the image
    maps = torch.zeros(5, 4, 4)
    maps[0, 3, 0] = 2.0  # all positive relevance inside
    maps[1, 0, 3] = 2.0  # all outside
    maps[2] = -1.0  # no positive relevance at all -> 0
    maps[3] = 1.0  # uniform -> the area share
    maps[4, 3, 1], maps[4, 0, 0], maps[4, 2, 0] = 1.0, 3.0, -5.0  # negatives are ignored: 1 / (1 + 3)
    shares = explain.positive_share_inside(maps, mask)
    assert shares.shape == (5,)
    assert torch.allclose(shares, torch.tensor([1.0, 0.0, 0.0, 0.25, 0.25]))
    assert float(mask.float().mean()) == 0.25
    with pytest.raises(ValueError):
        explain.positive_share_inside(maps, mask[:3])


def test_normalized_maps_stay_in_minus_one_to_one_and_keep_zero_maps():
    maps = torch.stack([torch.tensor([[0.0, -4.0], [2.0, 1.0]]), torch.zeros(2, 2)])
    out = explain.normalized(maps)
    assert out.abs().max() == 1.0 and out[0, 0, 1] == -1.0 and torch.equal(out[1], torch.zeros(2, 2))


def test_maps_figure_has_one_panel_per_map_and_carries_its_provenance():
    images = torch.rand(2, 1, 28, 28)
    maps = {m: torch.rand(28, 28) for m in explain.METHODS}
    fig = explain.maps_figure(
        [("a", images[0], maps), ("b", images[1], maps)], Provenance("measured", model="m"), box=(22, 1, 5, 11)
    )
    assert len(fig.data) == 2 * (1 + len(explain.METHODS))
    assert len(fig.layout.shapes) == 2 * (1 + len(explain.METHODS))
    assert fig.layout.meta["provenance"]["model"] == "m"


def test_the_colour_key_names_the_colours_the_maps_are_drawn_with():
    """Issue #13, defect 10: the Clever Hans title said "red" under orange (#D55E00) maps."""
    key = explain.colour_key("the tag")
    assert key == "orange: for, blue: against, white: none; green box: the tag"
    assert (
        [c for _, c in plots.DIVERGING] == [plots.BLUE, "#FFFFFF", plots.VERMILION] == ["#0072B2", "#FFFFFF", "#D55E00"]
    )
    assert explain.BOX_COLOUR == plots.GREEN and "red" not in key
    assert explain.colour_key() == "orange: for, blue: against, white: none"


def panel_heights(fig) -> list[float]:
    """On-screen height in px of every y axis' domain (plot area = height minus the margins)."""
    plot = fig.layout.height - explain.margins_px(fig)
    return [
        (axis.domain[1] - axis.domain[0]) * plot
        for name, axis in fig.layout.to_plotly_json().items()
        if name.startswith("yaxis")
        for axis in [fig.layout[name]]
    ]


@pytest.mark.parametrize("n_rows", [1, 3])
def test_maps_figure_draws_panels_as_tall_as_asked(n_rows):
    """Issue #13, defect 8: presenter mode needs heatmaps >= 300 px; the page asks for 320."""
    image = torch.rand(1, 28, 28)
    rows = [(f"r{i}", image, {"LRP": torch.rand(28, 28)}) for i in range(n_rows)]
    big = explain.maps_figure(rows, Provenance("measured", model="m"), title="a<br>b", panel_px=320)
    assert len(panel_heights(big)) == 2 * n_rows and min(panel_heights(big)) >= 320 - 1e-6
    small = explain.maps_figure(rows, Provenance("measured", model="m"))
    assert min(panel_heights(small)) >= explain.MAPS_ROW_PX - 1e-6 and small.layout.height < big.layout.height


def test_captum_is_imported_only_when_a_map_is_computed():
    # ~35 MB of server memory: a page that imports explain for its figures must not pay it.
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, torch\n"
        "from core import explain\n"
        "from core.models import CNNConfig, build_cnn\n"
        "before = 'captum' in sys.modules\n"
        "maps = explain.attribute(build_cnn(CNNConfig(), seed=0), torch.rand(2, 1, 28, 28), torch.tensor([0, 1]), 'LRP')\n"
        "print(before, 'captum' in sys.modules, tuple(maps.shape))\n"
    )
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.split("\n")[-2] == "False True (2, 28, 28)"


def test_integrated_gradients_in_passes_equal_one_pass_and_bound_the_memory(monkeypatch):
    # The path runs in passes of whole steps (~470 MB of activations at once for 100 images otherwise);
    # the maps must be those of one pass, to float rounding.
    model = build_cnn(CNNConfig(widths=(4, 8), hidden=16), seed=0)
    images = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    targets = torch.tensor([0, 1, 2, 3, 4, 5])
    monkeypatch.setattr(explain, "IG_VALUES_PER_PASS", 6 * 784 * 5)  # 5 steps per pass: 7 passes
    assert explain._ig_pass(images) == 6 * 5
    in_passes = explain.attribute(model, images, targets, "Integrated Gradients")
    monkeypatch.setattr(explain, "IG_VALUES_PER_PASS", 10**9)  # all 32 steps at once
    assert explain._ig_pass(images) == 6 * explain.IG_STEPS
    at_once = explain.attribute(model, images, targets, "Integrated Gradients")
    assert torch.allclose(in_passes, at_once, rtol=1e-5, atol=1e-6 * float(at_once.abs().max()))
    monkeypatch.setattr(explain, "IG_VALUES_PER_PASS", 1)
    assert explain._ig_pass(images) == 6  # never less than one step for every image (captum's minimum)
