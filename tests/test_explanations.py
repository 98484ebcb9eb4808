"""core.demos.explanations: seven methods on a small tag model, with known answers where there are some.

One small subject per module (the tag CNN on 1,000 training images, ~0.5 s), seed :data:`S`; hand-built
models where the right answer is exact (a model blind to half the image).
"""

import math

import numpy as np
import pytest
import torch
from torch import nn

import core.demos.explanations as ex
from core.demos.explanations import compare, faithfulness, figures, model, sanity, stability, surrogate
from core.errors import BadInput
from core.provenance import Provenance

S = 2121  # seed no other test trains with
FAST = compare.Settings(lime_samples=60, shap_samples=60)


def small_split(monkeypatch_target, real):
    def load(source, seed):
        train, test = real(source, seed)
        return train.subset(slice(0, 1000)), test.subset(slice(0, 400))

    return load


@pytest.fixture(scope="module")
def subjects():
    mp = pytest.MonkeyPatch()
    small = small_split(None, model.load_split)
    mp.setattr(model, "load_split", small)
    mp.setattr(surrogate, "load_split", small)
    runs = {
        name: model.train(model.SubjectConfig(subject=name, seed=S)) for name in ("tag CNN", "tag MLP (no convolution)")
    }
    yield runs
    mp.undo()


@pytest.fixture(scope="module")
def tagged(subjects):
    return subjects["tag CNN"].image(0, tagged=True)


def test_integrated_gradients_add_up_to_the_score_gap(subjects, tagged):
    """Completeness (Sundararajan et al. 2017, Prop. 1): the map sums to logit(image) - logit(black)."""
    net, (image, cls) = subjects["tag CNN"].model, tagged
    ig = compare.attribute(net, image, cls, "Integrated Gradients", FAST)
    with torch.no_grad():
        gap = float(net(image)[0, cls] - net(torch.zeros_like(image))[0, cls])
    assert abs(float(ig.sum()) - gap) <= 0.03 * abs(gap) + 1e-3


class LeftBlind(nn.Module):
    """A linear model that reads only the right half of a 28 x 28 image: the left half cannot matter."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)
        with torch.no_grad():
            self.fc.weight.view(10, 28, 28)[:, :, :14] = 0

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


def test_occlusion_of_a_region_the_model_ignores_is_zero(tagged):
    image, _ = tagged
    with torch.random.fork_rng():
        torch.manual_seed(S)
        blind = LeftBlind()
    occ = compare.attribute(blind, image, 3, "Occlusion", FAST)
    # windows of 4 at stride 2 reaching column 12 cover only columns < 14: exactly no effect there
    assert float(occ[:, :12].abs().max()) == 0.0
    assert float(occ[:, 14:].abs().max()) > 0.0


def test_lime_with_a_fixed_seed_is_reproducible_and_another_seed_differs(subjects, tagged):
    net, (image, cls) = subjects["tag CNN"].model, tagged
    first, again = (compare.attribute(net, image, cls, "LIME", FAST) for _ in range(2))
    assert torch.equal(first, again)
    other = compare.attribute(net, image, cls, "LIME", compare.Settings(lime_samples=60, seed=1))
    assert not torch.equal(first, other)
    torch.manual_seed(7)
    before = torch.rand(1)
    torch.manual_seed(7)
    compare.attribute(net, image, cls, "KernelSHAP", FAST)
    assert torch.equal(torch.rand(1), before)  # the caller's random stream is left as it was


def test_rank_correlation_of_a_map_with_itself_is_one_and_a_flat_map_has_none():
    a = torch.rand(28, 28, generator=torch.Generator().manual_seed(S))
    assert compare.spearman(a, a) == pytest.approx(1.0)
    assert compare.spearman(a, -a) == pytest.approx(1.0)  # absolute values: the sign is not the ranking
    assert compare.spearman(a, a.max() - a.abs()) == pytest.approx(-1.0)
    assert math.isnan(compare.spearman(a, torch.zeros(28, 28)))
    names, matrix = compare.rank_correlation({"a": a, "flat": torch.zeros(28, 28), "b": a * 2})
    assert names == ["a", "flat", "b"] and matrix[0, 2] == pytest.approx(1.0) and np.isnan(matrix[1]).all()


def test_rank_correlation_is_scipy_s_spearman_with_ties():
    """compare computes Spearman's rho itself (no scipy.stats on the page); scipy is the oracle here only."""
    from scipy.stats import rankdata, spearmanr

    gen = torch.Generator().manual_seed(S)
    smooth = torch.rand(28, 28, generator=gen)
    patches = torch.rand(7, 7, generator=gen).repeat_interleave(4, 0).repeat_interleave(4, 1)  # LIME-like: runs of 16
    sparse = torch.where(smooth > 0.7, smooth, torch.zeros(())) - patches  # many zeros, and signs
    maps = {"smooth": smooth, "patches": patches, "sparse": sparse, "rounded": (smooth * 4).round()}
    names, matrix = compare.rank_correlation(maps)
    flat = np.stack([maps[m].abs().flatten().numpy().astype(np.float64) for m in names], axis=1)
    assert np.allclose(matrix, spearmanr(flat).statistic, rtol=0, atol=1e-12)
    for column in flat.T:
        assert np.array_equal(compare.average_ranks(column), rankdata(column))


def test_every_model_and_method_works_or_says_why(subjects, tagged):
    image, cls = tagged
    for name, run in subjects.items():
        maps, refused = compare.attribute_all(run.model, image, cls, FAST)
        assert set(maps) | set(refused) == set(compare.METHODS)
        for method, relevance in maps.items():
            assert relevance.shape == (28, 28) and torch.isfinite(relevance).all(), (name, method)
        if name.startswith("tag MLP"):
            assert set(refused) == {"Grad-CAM"} and "no convolution" in refused["Grad-CAM"]
            with pytest.raises(compare.CannotExplain, match="no convolution"):
                compare.attribute(run.model, image, cls, "Grad-CAM", FAST)
        else:
            assert not refused
    with pytest.raises(BadInput, match="unknown method"):
        compare.attribute(subjects["tag CNN"].model, image, cls, "SHAPley", FAST)


@pytest.mark.parametrize("samples", [0, 19, 2_001, 10**9])
def test_extreme_sample_counts_are_refused_with_the_bounds(samples):
    with pytest.raises(BadInput, match=r"\[20, 2000\]"):
        compare.Settings(lime_samples=samples)
    with pytest.raises(BadInput, match="tile 28"):
        compare.Settings(patch=5)


def test_after_full_randomisation_the_model_s_output_changes(subjects, tagged):
    net, (image, cls) = subjects["tag CNN"].model, tagged
    similarity, output, drawn = sanity.cascade(net, image, cls, FAST, methods=("Saliency", "Grad-CAM"))
    assert sanity.layers(net) == ["conv1", "norm1", "conv2", "norm2", "fc1", "fc2"]
    assert list(output.step) == list(range(7)) and output.logit_change.iloc[0] == 0
    assert output.logit_change.iloc[-1] > 1.0 and output.probability.iloc[-1] != output.probability.iloc[0]
    assert np.allclose(similarity[similarity.step == 0].spearman, 1)
    before = [p.clone() for p in net.parameters()]
    sanity.randomized_top(net, 6)
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))  # the shared model is untouched


def test_deletion_curves_start_at_the_model_s_score_and_end_at_the_black_image(subjects, tagged):
    run, (image, cls) = subjects["tag CNN"], tagged
    maps, _ = compare.attribute_all(run.model, image, cls, FAST, methods=("Saliency", "LRP", "Occlusion"))
    curves = faithfulness.deletion_curves(run.model, image, cls, maps)
    score, black = float(run.probability(image)[0]), float(run.probability(torch.zeros_like(image))[0])
    for _, group in curves.groupby("method"):
        assert group.removed.iloc[0] == 0 and group.probability.iloc[0] == pytest.approx(score, abs=1e-6)
        assert group.removed.iloc[-1] == 1 and group.probability.iloc[-1] == pytest.approx(black, abs=1e-6)
    assert set(curves.method) == {*maps, faithfulness.RANDOM}
    assert faithfulness.deletion_area(curves).area.between(0, 1).all()


def test_on_the_tag_model_integrated_gradients_finds_the_tag(subjects, tagged):
    run, (image, cls) = subjects["tag CNN"], tagged
    maps, _ = compare.attribute_all(run.model, image, cls, FAST, methods=("Integrated Gradients", "LRP"))
    shares = faithfulness.tag_shares(maps, model.mask())
    assert shares.area.iloc[0] == pytest.approx(55 / 784)
    assert shares.share.iloc[0] > 3 * shares.area.iloc[0]  # far above a map blind to the tag


def test_deterministic_methods_are_stable_and_lime_with_few_samples_is_not(subjects, tagged):
    net, (image, cls) = subjects["tag CNN"].model, tagged
    runs = stability.reruns(net, image, cls, compare.Settings(lime_samples=40, shap_samples=40), seeds=3)
    table = stability.spread(runs, 4).set_index("method")
    assert table.loc["Integrated Gradients"].spearman == pytest.approx(1) and table.loc["Occlusion"].top_overlap == 1
    assert table.loc["LIME"].spearman < 0.99 and bool(table.loc["LIME"].random)
    assert stability.top_patches(torch.eye(28), 4, k=2) == frozenset({0, 8})


def test_same_seed_same_numbers():
    config = model.SubjectConfig(seed=S)
    small = small_split(None, model.load_split)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            model, "load_split", lambda source, seed: tuple(p.subset(slice(0, 300)) for p in small(source, seed))
        )
        first, second = model.train(config), model.train(config)
    image, cls = first.image(3)
    a, _ = compare.attribute_all(first.model, image, cls, FAST)
    b, _ = compare.attribute_all(second.model, image, cls, FAST)
    assert all(torch.equal(a[m], b[m]) for m in compare.METHODS)


def test_the_surrogate_tree_grows_more_faithful_with_depth(subjects):
    table, questions = surrogate.fidelity_by_depth(subjects["tag CNN"], depths=(1, 3, 8))
    assert list(table.depth) == [1, 3, 8] and table.fidelity.between(0, 1).all()
    assert table.fidelity.iloc[-1] > table.fidelity.iloc[0] and len(questions) == 7
    assert surrogate.patch_features(torch.ones(2, 1, 28, 28)).shape == (2, 49)


def test_bad_subjects_and_images_are_bad_input(subjects):
    with pytest.raises(BadInput, match="unknown model"):
        model.SubjectConfig(subject="ResNet")
    with pytest.raises(BadInput, match="does not exist"):
        subjects["tag CNN"].image(10_000)


def test_jobs_and_warm_up_train_the_preset_model_in_the_page_s_store(monkeypatch):
    config = model.SubjectConfig(seed=3)
    (job,) = ex.jobs(config)
    assert job.key == model.run_key(config) == ("explanations", "subject", config)
    assert [j.key for j in ex.warm_up_jobs(seed=3)] == [job.key]
    monkeypatch.setattr(model, "train", lambda c, on_progress=None: ("ran", c))
    assert job.run(None, None) == ("ran", config)


def test_figures_carry_their_provenance(subjects, tagged):
    run, (image, cls) = subjects["tag CNN"], tagged
    prov = run.provenance("one test pullover")
    assert isinstance(prov, Provenance) and prov.kind == "measured" and prov.seed == S
    maps, _ = compare.attribute_all(run.model, image, cls, FAST, methods=("Saliency", "LRP"))
    names, matrix = compare.rank_correlation({**maps, "flat": torch.zeros(28, 28)})
    built = [
        figures.grid_figure(image, maps, prov, "t", model.box()),
        figures.correlation_figure(names, matrix, prov),
        figures.tag_share_figure(faithfulness.tag_shares(maps, model.mask()), prov),
    ]
    assert all(f.layout.meta["provenance"]["what"] == "measured" for f in built)
    assert "n/a" in str(built[1].data[0].text)
