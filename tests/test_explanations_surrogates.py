"""core.surrogates: LIME's Lasso and KernelSHAP's least squares without scikit-learn, checked against it.

scikit-learn is the oracle here and only here (imported inside the tests): the lab's own fits must give its
``Lasso(alpha=0.01)`` and ``LinearRegression()`` answers, and the maps captum computes with them, while the
explanations page never imports it (~100 MB of server memory).
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from core import surrogates
from core.demos.explanations import compare
from core.paths import REPO_ROOT


def weighted_data(seed: int, n: int = 80, p: int = 12, binary: bool = False):
    """``(x (n, p), y (n,), w (n,))`` float64: a sparse linear signal plus noise, positive weights."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, (n, p)).astype(float) if binary else rng.normal(size=(n, p))
    truth = np.where(rng.random(p) < 0.5, rng.normal(0, 1, p), 0.0)
    y = x @ truth + 0.3 + rng.normal(0, 0.2, n)
    return x, y, rng.uniform(0.05, 2.0, n)


def edge_cases():
    """A constant column (it must get 0), and weights all zero but one (only the intercept is fitted)."""
    x, y, w = weighted_data(5)
    x[:, 3] = 0.3
    one = np.zeros_like(w)
    one[7] = 2.5
    return [("constant column", x, y, w), ("one nonzero weight", *weighted_data(6)[:2], one)]


CASES = [(f"seed {s}", *weighted_data(s, binary=s % 2 == 1)) for s in range(4)] + edge_cases()
CASES += [("more features than samples", *weighted_data(9, n=20, p=40, binary=True))]


def sklearn_fit(kind: str, x, y, w):
    from sklearn.linear_model import Lasso, LinearRegression

    if kind == "lasso":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a problem with a single effective sample: nothing to converge
            fitted = Lasso(alpha=surrogates.LIME_ALPHA, tol=1e-14, max_iter=100_000).fit(x, y, sample_weight=w)
    else:
        fitted = LinearRegression().fit(x, y, sample_weight=w)
    return fitted.coef_, float(fitted.intercept_)


@pytest.mark.parametrize("kind", ["least squares", "lasso"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_fit_is_scikit_learn_s_on_weighted_data(kind, case):
    _, x, y, w = case
    fit = surrogates.weighted_lasso if kind == "lasso" else surrogates.weighted_least_squares
    coef, intercept = fit(torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(w))
    want_coef, want_intercept = sklearn_fit(kind, x, y, w)
    scale = max(np.abs(want_coef).max(), abs(want_intercept), 1e-12)
    assert coef.dtype == torch.float64 and coef.shape == (x.shape[1],) and intercept.shape == ()
    assert np.abs(coef.numpy() - want_coef).max() <= 1e-9 * scale
    assert abs(float(intercept) - want_intercept) <= 1e-9 * scale
    if case[0] == "constant column":
        assert abs(float(coef[3])) <= 1e-12 * scale  # 0 but for the rounding of its weighted mean
    if case[0] == "one nonzero weight":
        assert float(coef.abs().max()) == 0.0 and float(intercept) == pytest.approx(y[7])


def test_the_lasso_is_sparse_and_a_large_alpha_leaves_only_the_weighted_mean():
    x, y, w = weighted_data(11, n=200, p=20)
    coef, _ = surrogates.weighted_lasso(x, y, w)
    assert 0 < int((coef == 0).sum()) < 20  # exact zeros, as scikit-learn's (its soft threshold)
    coef, intercept = surrogates.weighted_lasso(x, y, w, alpha=1e3)
    assert float(coef.abs().max()) == 0.0 and float(intercept) == pytest.approx(np.average(y, weights=w))


def test_bad_shapes_and_weights_are_refused():
    x, y, w = weighted_data(0)
    with pytest.raises(ValueError, match="expected x"):
        surrogates.weighted_least_squares(x, y[:-1], w)
    with pytest.raises(ValueError, match="weights"):
        surrogates.weighted_lasso(x, y, -w)


# ----------------------------------------------------------------------------- the maps, through captum


class Tiny(nn.Module):
    """A fixed small CNN on 28 x 28: nonlinear, so LIME's and KernelSHAP's regressions have work to do."""

    def __init__(self) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(3)
        self.conv = nn.Conv2d(1, 4, 5, stride=3)
        self.fc = nn.Linear(4 * 8 * 8, 10)
        with torch.no_grad():
            for param in self.parameters():
                param.copy_(torch.randn(param.shape, generator=gen) * 0.3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def captum_map(method: str, settings: compare.Settings, image, target, interpretable_model=None) -> torch.Tensor:
    """The map captum computes with its own defaults (scikit-learn's Lasso / LinearRegression) or the model given."""
    from captum.attr import KernelShap, Lime

    net = Tiny().eval()
    explainer = Lime(net) if method == "LIME" else KernelShap(net)
    if interpretable_model is not None:
        explainer.interpretable_model = interpretable_model
    features = compare.patch_mask(28, settings.patch).expand_as(image)
    n = settings.lime_samples if method == "LIME" else settings.shap_samples
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(settings.seed)
        maps = explainer.attribute(
            image,
            baselines=torch.zeros_like(image),
            target=torch.tensor([target]),
            feature_mask=features,
            n_samples=n,
            perturbations_per_eval=compare.BATCH,
        )
    return maps.sum(dim=1)[0].float()


@pytest.fixture(scope="module")
def image():
    return torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(8))


def in_float64(trainer: str, **construct):
    """A captum ``LinearModel`` fitted by scikit-learn on float64 copies of captum's float32 data."""
    from captum._utils.models.linear_model import LinearModel
    from captum._utils.models.linear_model.train import sklearn_train_linear_model

    def train(model, dataloader, construct_kwargs, **kwargs):
        x, y, w = next(iter(dataloader))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sklearn_train_linear_model(model, [(x.double(), y.double(), w.double())], construct_kwargs, trainer)

    return LinearModel(train_fn=train, **construct)


@pytest.mark.parametrize(
    "method, settings",
    [
        ("LIME", compare.Settings()),  # the page's defaults: 200 samples, 49 patches
        ("LIME", compare.Settings(lime_samples=500, patch=7, seed=1)),  # 16 patches
        ("KernelSHAP", compare.Settings(shap_samples=300, patch=7, seed=2)),  # 16 patches
    ],
)
def test_maps_are_those_captum_computes_with_its_scikit_learn_defaults(image, method, settings):
    """Where captum's defaults are accurate to 1e-4 (scikit-learn stops its Lasso at a duality gap of 1e-4 of
    y's variance and fits in float32; the next test covers where that is not enough)."""
    ours = compare.attribute(Tiny(), image, 5, method, settings)
    theirs = captum_map(method, settings, image, 5)
    assert float((ours - theirs).abs().max()) <= 1e-4 * float(theirs.abs().max())


@pytest.mark.parametrize(
    "method, settings, reference",
    [
        # 196 patches, 60 samples: a flat Lasso objective, scikit-learn's default stop is ~1e-2 off its minimum
        ("LIME", compare.Settings(lime_samples=60, patch=2, seed=4), ("linear_model.Lasso", 1e-14)),
        # the page's defaults: float32 least squares with captum's 1e6 weights is ~1e-3 off the exact fit
        ("KernelSHAP", compare.Settings(), ("linear_model.LinearRegression", None)),
    ],
)
def test_maps_are_scikit_learn_s_exact_fits_where_captum_s_defaults_are_not(image, method, settings, reference):
    trainer, tol = reference
    model = in_float64(trainer, alpha=0.01, tol=tol, max_iter=100_000) if tol else in_float64(trainer)
    ours = compare.attribute(Tiny(), image, 5, method, settings)
    exact = captum_map(method, settings, image, 5, model)
    assert float((ours - exact).abs().max()) <= 1e-6 * float(exact.abs().max())


def test_lime_kernel_shap_and_their_agreement_never_import_scikit_learn_or_scipy_stats():
    """~100 MB of server memory, kept for the server's life: the explanations page must not pay it."""
    code = (
        "import sys, torch\n"
        "from core.demos.explanations import compare\n"
        "from core.models import CNNConfig, build_cnn\n"
        "net, image = build_cnn(CNNConfig(), seed=0), torch.rand(1, 1, 28, 28)\n"
        "settings = compare.Settings(lime_samples=20, shap_samples=20)\n"
        "maps = {m: compare.attribute(net, image, 3, m, settings) for m in ('LIME', 'KernelSHAP', 'Saliency')}\n"
        "assert all(m.shape == (28, 28) for m in maps.values())\n"
        "compare.rank_correlation(maps)\n"
        "print('captum' in sys.modules, 'sklearn' in sys.modules, 'scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert out.stdout.split("\n")[-2] == "True False False"  # nor scipy.stats (~45 MB), for the agreement matrix
