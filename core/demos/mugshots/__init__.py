"""A classifier "found criminality" in faces with 89.5 % accuracy: it had learned who was smiling.

The story: Wu & Zhang (2016, "Automated Inference on Criminality using Face Images",
arXiv:1611.04135v1) trained classifiers on 1,856 ID photos of Chinese men, 730 labelled
"criminal", and reported 89.5 % accuracy. Agüera y Arcas, Mitchell & Todorov (2017,
"Physiognomy's New Clothes", Medium) pointed out what the pictures differed in: the
"non-criminal" photos were professional, smiling ID-style pictures (some with white
collars), the "criminal" ones government ID / mugshot-style photos of people who did not
smile. A model can score high by reading the *photo situation*, not the person.

Here the experiment runs on synthetic faces (:mod:`core.faces`): no real person is labelled.
The labels "criminal" / "non-criminal" carry **no information about the face itself**; they
are tied to chosen confounds by a *link* in [0.5, 1]:

* ``smile_link``: share of "non-criminal" faces that smile = share of "criminal" faces that don't;
* ``wall_link``: share of "criminal" faces photographed against a mugshot wall (height lines),
  and of "non-criminal" ones against a plain ID backdrop;
* ``collar_link``: share of "non-criminal" faces in a white collar, and of "criminal" ones without.

A link of 0.5 makes a confound independent of the label. With only the smile linked at
0.895, a model that reads nothing but the smile scores 89.5 % on a test set drawn like the
training set: Wu & Zhang's headline. Then the measurements that expose it:

* the **majority-class baseline** (:mod:`core.baselines`): always answering "non-criminal"
  already scores 60.7 % on data with the paper's class shares (1,126 of 1,856), so 60.7 %,
  not 50 %, is what a model that learned nothing reaches there; the *balanced accuracy*
  (mean recall per class) puts any such constant answer at 50 %;
* the same model on a *balanced* test set (half "criminal", every confound independent of
  the label): its majority baseline is 50 %, and the model falls to it;
* counterfactual pairs: the same face re-rendered with the smile toggled; the share of
  predictions that flip;
* explanation heatmaps (:mod:`core.explain`): the share of positive relevance inside the
  mouth box vs the box's share of the image.

Every training run goes through :func:`core.training.fit` (carbon-measured, ledgered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from core import baselines, explain, faces, plots
from core.data import ImageDataset, SourceInfo
from core.models import CNNConfig, build_cnn
from core.provenance import Provenance
from core.training import FitResult, ProgressCallback, TrainConfig, fit, predict_proba

WU_ZHANG = "Wu & Zhang 2016, 'Automated Inference on Criminality using Face Images', arXiv:1611.04135v1"
CRITIQUE = (
    'Agüera y Arcas, Mitchell & Todorov 2017, "Physiognomy\'s New Clothes", Medium, '
    "medium.com/@blaisea/physiognomys-new-clothes-f2d4b59fdd6a"
)
PAPER_ACCURACY = 0.895  # Wu & Zhang's headline accuracy (published; real photos, other models)
PAPER_PHOTOS = 1856  # their data set: 1,856 ID photos ...
PAPER_CRIMINAL = 730  # ... of which 730 labelled "criminal"
PAPER_MAJORITY_BASELINE = (PAPER_PHOTOS - PAPER_CRIMINAL) / PAPER_PHOTOS  # 60.7 %: always "non-criminal" there
# The page's preset buttons, label -> (smile, wall, collar) links; the lecture warm-up trains each of them.
PRESETS = {
    "Wu & Zhang: smile 89.5 %": (PAPER_ACCURACY, 0.5, 0.5),
    "All three cues 80 %": (0.8, 0.8, 0.8),
    "No link": (0.5, 0.5, 0.5),  # the model then scores the majority baseline (60.7 %): it learned nothing
}
CLASSES = ("non-criminal", "criminal")
CONFOUNDS = {"smile": "smiling", "mugshot": "mugshot wall", "white_collar": "white collar"}

FACES_INFO = SourceInfo(
    key="synthetic_faces",
    name="synthetic faces (core.faces)",
    description="64x64 colour faces drawn from random attributes; no real person. Labels are tied to "
    "confounds (smile, background, clothing), never to the face itself.",
    licence="generated here",
    origin="core/faces.py, seeded",
    citation="",
)


@dataclass(frozen=True)
class MugshotConfig:
    """One experiment: how the labels follow the confounds, and how the model is trained.

    Attributes:
        smile_link: share of "non-criminal" faces that smile (and of "criminal" ones that don't);
            0.895 makes a smile-reader score Wu & Zhang's 89.5 %; 0.5 = no link.
        wall_link: share of "criminal" faces in front of a mugshot wall (and of the others in
            front of a plain backdrop); 0.5 = no link.
        collar_link: share of "non-criminal" faces in a white collar (and of the others without); 0.5 = no link.
        n_train: training faces; 1,856 like the paper (its 730 "criminal" via ``criminal_share``).
        criminal_share: share labelled "criminal": 730 / 1,856 like the paper.
        n_test: faces in each test set; 600 gives a standard error of about 1.3 points at 89 %.
        epochs: 3 passes (Adam, lr ``LR``) learn an open smile reliably in ~6-12 s on 2 shared cores.
        seed: faces, labels, initialisation and shuffling.
    """

    smile_link: float = PAPER_ACCURACY
    wall_link: float = 0.5
    collar_link: float = 0.5
    n_train: int = PAPER_PHOTOS
    criminal_share: float = PAPER_CRIMINAL / PAPER_PHOTOS
    n_test: int = 600
    epochs: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("smile_link", "wall_link", "collar_link"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if not 0.0 < self.criminal_share < 1.0:
            raise ValueError(f"criminal_share must be in (0, 1), got {self.criminal_share}")
        if self.n_train < 20 or self.n_test < 20:
            raise ValueError(f"n_train and n_test must be at least 20, got {self.n_train}, {self.n_test}")
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")

    @property
    def links(self) -> dict[str, float]:
        """Link of each confound to the label, keyed like :data:`CONFOUNDS`."""
        return {"smile": self.smile_link, "mugshot": self.wall_link, "white_collar": self.collar_link}

    def describe(self) -> str:
        linked = [f"{CONFOUNDS[k]} {v:.1%}" for k, v in self.links.items() if v != 0.5]
        return "labels follow " + (", ".join(linked) if linked else "nothing (all links 0.5)")


# Which value of each confound goes with "criminal" (label 1): no smile, the mugshot wall, no white collar.
CRIMINAL_SIDE = {"smile": False, "mugshot": True, "white_collar": False}
CNN = CNNConfig(in_channels=3, num_classes=2, image_size=faces.SIZE, widths=(8, 16), hidden=32)
# (8, 16) channels: a third of the default SmallCNN's cost at 64x64, and plenty for a mouth shape.
LR = 4e-3  # twice the lab default: the smile is learned within the first epoch, so 3 epochs suffice


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class FaceSet:
    """Faces, their pixels and their labels: ``images (N, 3, 64, 64)`` in [0, 1], ``labels (N,)`` 0/1."""

    faces: faces.FaceAttributes
    images: torch.Tensor
    labels: torch.Tensor
    name: str

    def dataset(self) -> ImageDataset:
        return ImageDataset(self.images, self.labels, CLASSES, FACES_INFO)

    def __len__(self) -> int:
        return len(self.labels)


def _linked_flags(rng: np.random.Generator, labels: np.ndarray, link: float, criminal_value: bool) -> np.ndarray:
    """A confound per face: within each label group exactly ``link`` of the faces take that group's side."""
    flags = np.zeros(len(labels), dtype=bool)
    for label in (0, 1):
        group = np.flatnonzero(labels == label)
        side = criminal_value if label == 1 else not criminal_value
        on_side = np.zeros(len(group), dtype=bool)
        on_side[: int(round(link * len(group)))] = True
        flags[group] = np.where(rng.permutation(on_side), side, not side)
    return flags


def face_set(n: int, criminal_share: float, links: dict[str, float], seed: tuple[int, ...], name: str) -> FaceSet:
    """``n`` faces: exactly ``round(criminal_share * n)`` labelled "criminal"; confounds tied to labels by ``links``.

    The label is drawn *first* and the face's own attributes (skin, shape, hair, ...) never
    look at it: only the confounds do.
    """
    rng = np.random.default_rng(seed)
    labels = np.zeros(n, dtype=np.int64)
    labels[: int(round(criminal_share * n))] = 1
    labels = rng.permutation(labels)
    confounds = {k: _linked_flags(rng, labels, links[k], CRIMINAL_SIDE[k]) for k in CONFOUNDS}
    attrs = faces.sample_attributes(n, seed=int(rng.integers(2**31)), **confounds)
    return FaceSet(attrs, faces.render(attrs), torch.from_numpy(labels), name)


def training_set(config: MugshotConfig) -> FaceSet:
    return face_set(config.n_train, config.criminal_share, config.links, (config.seed, 0), "training set")


def test_like_training(config: MugshotConfig) -> FaceSet:
    """New faces drawn exactly like the training set: what a developer would report."""
    return face_set(
        config.n_test, config.criminal_share, config.links, (config.seed, 1), "test set drawn like the training set"
    )


def balanced_test(config: MugshotConfig) -> FaceSet:
    """Half "criminal", and every confound independent of the label (links 0.5): what is left to learn?"""
    return face_set(
        config.n_test,
        0.5,
        {k: 0.5 for k in CONFOUNDS},
        (config.seed, 2),
        "balanced test set: confounds independent of the label",
    )


# ----------------------------------------------------------------------------- training


@dataclass
class MugshotRun:
    """A trained model with its data. ``result`` is :func:`core.training.fit`'s (model, history, carbon)."""

    config: MugshotConfig
    result: FitResult
    train: FaceSet
    test: FaceSet

    @property
    def model(self) -> torch.nn.Module:
        return self.result.model


def run_key(config: MugshotConfig) -> tuple:
    """Where the page's run store keeps the model trained for ``config`` (the page and the warm-up use it)."""
    return ("mugshots", config)


def train(config: MugshotConfig, on_progress: ProgressCallback | None = None) -> MugshotRun:
    """Draw the faces, train a small CNN on "criminal" vs "non-criminal" with :func:`core.training.fit`."""
    train_set, test = training_set(config), test_like_training(config)
    model = build_cnn(CNN, seed=config.seed)
    result = fit(
        model,
        train_set.dataset(),
        test.dataset(),
        TrainConfig(epochs=config.epochs, lr=LR, seed=config.seed),
        demo="mugshots",
        label=f"SmallCNN on synthetic faces, {config.describe()}",
        on_progress=on_progress,
    )
    return MugshotRun(config, result, train_set, test)


# ----------------------------------------------------------------------------- measurements


def predictions(model: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Predicted label per image, ``(N,)`` long: 1 = "criminal"."""
    return predict_proba(model, images).argmax(dim=1)


def accuracy(model: torch.nn.Module, data: FaceSet) -> float:
    return float((predictions(model, data.images) == data.labels).float().mean())


@dataclass(frozen=True)
class Counterfactuals:
    """The same faces with one confound toggled: pixels and predictions before and after.

    Attributes:
        before, after: images ``(N, 3, 64, 64)``; only the mouth differs (for ``smile``).
        pred_before, pred_after: predicted labels ``(N,)``.
        smiling_before: whether each face smiled originally.
    """

    attribute: str
    before: torch.Tensor
    after: torch.Tensor
    pred_before: torch.Tensor
    pred_after: torch.Tensor
    smiling_before: np.ndarray

    @property
    def flipped(self) -> torch.Tensor:
        return self.pred_before != self.pred_after

    @property
    def flip_share(self) -> float:
        """Share of faces whose prediction changed when only the confound changed."""
        return float(self.flipped.float().mean())


def counterfactuals(model: torch.nn.Module, data: FaceSet, attribute: str = "smile") -> Counterfactuals:
    """Re-render every face of ``data`` with ``attribute`` toggled and compare predictions.

    Nothing else about the face changes (same skin, hair, eyes, background...), so a
    flipped prediction was caused by the toggled attribute alone.
    """
    if attribute not in CONFOUNDS:
        raise ValueError(f"attribute must be one of {tuple(CONFOUNDS)}, got {attribute!r}")
    toggled = data.faces.replace(**{attribute: ~getattr(data.faces, attribute)})
    after = faces.render(toggled)
    return Counterfactuals(
        attribute,
        data.images,
        after,
        predictions(model, data.images),
        predictions(model, after),
        data.faces.smile.copy(),
    )


def accuracy_table(run: MugshotRun, balanced: FaceSet) -> pd.DataFrame:
    """Each accuracy beside the baselines of the very test set it was measured on.

    One row per test set: ours drawn like the training set, ours balanced, and Wu & Zhang's
    published figure. Columns: ``test_set`` (short name), ``measure``, ``kind`` (measured /
    published), ``accuracy``, ``balanced_accuracy`` (mean recall per class; not reported by
    the paper: empty), ``majority_baseline`` (accuracy of always answering the commonest
    class of *that* test set), ``majority_class``, ``balanced_chance`` (balanced accuracy of
    any constant answer: 50 %), ``faces``.

    Why the baselines: with the paper's class shares, always answering "non-criminal" scores
    60.7 %, so an accuracy set against a 50 % "chance" line looks 10.7 points better than it
    is. The "No link" preset shows it: the model scores the majority rate and learns nothing.
    """
    rows = []
    for name, data in (("like training", run.test), ("balanced test", balanced)):
        r = baselines.report(data.labels, predictions(run.model, data.images))
        rows.append(
            {
                "test_set": name,
                "measure": f"accuracy, {data.name}",
                "kind": "measured",
                "accuracy": r.accuracy,
                "balanced_accuracy": r.balanced_accuracy,
                "majority_baseline": r.majority_baseline,
                "majority_class": CLASSES[r.majority_class],
                "balanced_chance": r.chance_balanced,
                "faces": r.n,
            }
        )
    paper_labels = np.repeat([0, 1], [PAPER_PHOTOS - PAPER_CRIMINAL, PAPER_CRIMINAL])  # their published counts
    rows.append(
        {
            "test_set": "Wu & Zhang 2016",
            "kind": "published",
            "measure": f"Wu & Zhang 2016: reported accuracy on {PAPER_PHOTOS:,} real photos (balanced accuracy "
            "not reported; baseline from their class counts)",
            "accuracy": PAPER_ACCURACY,
            "balanced_accuracy": None,
            "majority_baseline": baselines.majority_baseline(paper_labels),
            "majority_class": CLASSES[baselines.majority_class(paper_labels)],
            "balanced_chance": baselines.chance_balanced_accuracy(paper_labels),
            "faces": PAPER_PHOTOS,
        }
    )
    return pd.DataFrame(rows).astype({"balanced_accuracy": float})


def flip_table(run: MugshotRun, balanced: FaceSet) -> pd.DataFrame:
    """Share of predictions that flip when only one confound is toggled, per confound (``attribute``, ``value``)."""
    return pd.DataFrame(
        [
            {
                "attribute": name,
                "measure": f"predictions that flip when only '{name}' is toggled",
                "value": counterfactuals(run.model, balanced, attribute).flip_share,
                "kind": "measured",
                "faces": len(balanced),
            }
            for attribute, name in CONFOUNDS.items()
        ]
    )


@dataclass(frozen=True)
class Headline:
    """One headline number as a page shows it (``st.metric``): the value and its lift over its baseline.

    ``arrow``: "auto" (up/down by the delta's sign) or "off" for a delta that is a phrase, not a change.
    """

    label: str
    value: str
    delta: str
    description: str
    help: str
    arrow: str = "auto"


def _points(difference: float) -> str:
    return f"{100 * difference:+.1f} pts"


def headline(table: pd.DataFrame) -> list[Headline]:
    """The three first-screen numbers from :func:`accuracy_table`, short enough for one row of metrics.

    The accuracy like the paper's (test drawn like training) against the majority baseline of
    that test set, the baseline itself (what always answering the commonest class scores),
    and the accuracy on the balanced test set against *its* baseline (50 %). The balanced
    accuracies and the paper's figure follow in :func:`details` and in the chart.
    """
    like, fair = table.iloc[0], table.iloc[1]
    return [
        Headline(
            "Accuracy, test like training",
            f"{like['accuracy']:.1%}",
            _points(like["accuracy"] - like["majority_baseline"]),
            "vs baseline",
            f"{int(like['faces']):,} faces drawn like the training set (the paper's setting). Balanced accuracy "
            f"on them: {like['balanced_accuracy']:.1%}.",
        ),
        Headline(
            "Majority baseline",
            f"{like['majority_baseline']:.1%}",
            f"always '{like['majority_class']}'",
            "",
            "What a model that learned nothing scores on the same test faces: always answering the "
            "commonest label. An accuracy means something only above it; 50 % is 'chance' only when "
            "both labels are equally common.",
            arrow="off",
        ),
        Headline(
            "Accuracy, balanced test",
            f"{fair['accuracy']:.1%}",
            _points(fair["accuracy"] - fair["majority_baseline"]),
            f"vs baseline {fair['majority_baseline']:.0%}",
            f"{int(fair['faces']):,} faces, half 'criminal', every confound independent of the label. With "
            "both labels equally common, accuracy = balanced accuracy and the baseline is 50 %.",
        ),
    ]


def details(table: pd.DataFrame) -> str:
    """The balanced accuracies and the paper's figure against its own baseline, as one markdown sentence."""
    like, fair, paper = (table.iloc[i] for i in range(3))
    return (
        f"Balanced accuracy (the mean of the share right within each label; any constant answer scores "
        f"{like['balanced_chance']:.0%}): **{like['balanced_accuracy']:.1%}** on the test like training, "
        f"**{fair['balanced_accuracy']:.1%}** on the balanced test. Wu & Zhang reported "
        f"**{paper['accuracy']:.1%}** on real photos where always answering '{paper['majority_class']}' "
        f"scored {paper['majority_baseline']:.1%} ({PAPER_PHOTOS - PAPER_CRIMINAL:,} of {PAPER_PHOTOS:,})."
    )


def _two_standard_errors(baseline: float, n: int) -> float:
    """Two standard errors of a share measured on ``n`` faces, at the baseline rate (~4 points on 600 faces)."""
    return 2 * float(np.sqrt(baseline * (1 - baseline) / n))


def verdict(table: pd.DataFrame) -> str:
    """One sentence (markdown) reading :func:`accuracy_table` against its baselines, for under the headline.

    "Beats" means more than two standard errors above the baseline (about 4 points on 600
    faces); closer than that, the accuracy is not told apart from always answering the
    majority class. The "No link" preset then reads as what it is: 60.7 %, exactly the
    majority rate, with a balanced accuracy of 50 %.
    """
    like, fair = table.iloc[0], table.iloc[1]
    always = f"always answering '{like['majority_class']}' ({like['majority_baseline']:.1%})"
    lift, margin = (
        like["accuracy"] - like["majority_baseline"],
        _two_standard_errors(like["majority_baseline"], int(like["faces"])),
    )
    if lift > margin:
        first = f"On faces drawn like the training set the model beats {always} by {100 * lift:.1f} points"
    else:
        first = (
            f"On faces drawn like the training set the model is **not clearly better than {always}**: "
            f"{like['accuracy']:.1%} is within two standard errors ({100 * margin:.1f} points) of what "
            "learning nothing scores"
        )
    lift, margin = (
        fair["accuracy"] - fair["majority_baseline"],
        _two_standard_errors(fair["majority_baseline"], int(fair["faces"])),
    )
    if lift > margin:
        second = (
            f"on the balanced test set it still beats its {fair['majority_baseline']:.0%} baseline by "
            f"{100 * lift:.1f} points."
        )
    else:
        second = (
            f"on the balanced test set it is **at its baseline ({fair['majority_baseline']:.0%})**: "
            "nothing it learned is about the face."
        )
    return f"{first}; {second}"


def mouth_relevance(model: torch.nn.Module, data: FaceSet, limit: int = 40) -> pd.DataFrame:
    """Share of positive relevance inside each face's mouth box, per explanation method.

    Explains the predicted class of the first ``limit`` faces. A method that ignored the
    mouth would put about the box's area share there. One row per method:
    ``method, share_in_mouth`` (mean over faces), ``area_share`` (mean box area), ``faces``.
    """
    images = data.images[:limit]
    targets = predictions(model, images)
    masks = faces.mouth_masks(data.faces.subset(slice(0, limit)))
    rows = []
    for method, maps in explain.attribute_all(model, images, targets).items():
        shares = torch.stack([explain.positive_share_inside(maps[i : i + 1], masks[i])[0] for i in range(len(images))])
        rows.append(
            {
                "method": method,
                "share_in_mouth": float(shares.mean()),
                "area_share": float(masks.float().mean()),
                "faces": len(images),
            }
        )
    return pd.DataFrame(rows)


def link_sweep_point(config: MugshotConfig, run: MugshotRun, balanced: FaceSet) -> dict:
    """One row for the "accuracy follows the link" table, with the majority baseline of each test set."""
    return {
        "smile_link": config.smile_link,
        "like_training": accuracy(run.model, run.test),
        "like_training_baseline": baselines.majority_baseline(run.test.labels),
        "balanced": accuracy(run.model, balanced),
        "balanced_baseline": baselines.majority_baseline(balanced.labels),
    }


# ----------------------------------------------------------------------------- figures

BASELINE_NAME = "majority baseline"  # short: the legend must fit on one row (the title explains it)
_BAR = 0.38  # bar width in x units: two bars and a gap per test set (centres 1 apart)


def accuracy_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Accuracy and balanced accuracy per test set, each bar with its own baseline as a dashed segment.

    Built from :func:`accuracy_table`. Over each accuracy bar the dashed segment sits at the
    majority-class baseline of that test set (60.7 % with the paper's class shares, 50 % on
    the balanced set); over each balanced-accuracy bar at 50 %, which any constant answer
    scores. The baseline is named in the legend, never written on a bar, and the bars'
    values sit at their base, so no label can collide with a baseline (which is >= 50 %).
    """
    x = np.arange(len(table), dtype=float)
    fig = plots.figure(title="Accuracy beside what always answering the majority class scores")
    accuracy_colours = [plots.GREY if k == "published" else plots.BLUE for k in table["kind"]]
    fig.add_bar(
        x=x,
        y=table["accuracy"],
        width=_BAR,
        offset=-_BAR - 0.01,
        name="accuracy",
        marker_color=accuracy_colours,
        text=[f"{v:.1%}" for v in table["accuracy"]],
        hovertext=table["measure"],
        hovertemplate="%{hovertext}: %{y:.1%}<extra></extra>",
    )
    has_balanced = table["balanced_accuracy"].notna().to_numpy()
    bal = table[has_balanced]
    fig.add_bar(
        x=x[has_balanced],
        y=bal["balanced_accuracy"],
        width=_BAR,
        offset=0.01,
        name="balanced accuracy",
        marker_color=plots.SKY,
        text=[f"{v:.1%}" for v in bal["balanced_accuracy"]],
        hovertemplate="balanced accuracy: %{y:.1%}<extra></extra>",
    )
    fig.update_traces(textposition="inside", insidetextanchor="start", selector=dict(type="bar"))
    # The segments: one over each bar, at that bar's own baseline (None breaks the line between them).
    seg_x, seg_y, seg_hover = [], [], []
    for xi, row, balanced_too in zip(x, table.itertuples(), has_balanced):
        seg_x += [xi - _BAR - 0.03, xi + 0.01, None]
        seg_y += [row.majority_baseline] * 2 + [None]
        seg_hover += [f"always '{row.majority_class}': accuracy {row.majority_baseline:.1%}"] * 2 + [None]
        if balanced_too:
            seg_x += [xi + 0.01, xi + _BAR + 0.03, None]
            seg_y += [row.balanced_chance] * 2 + [None]
            seg_hover += [f"any constant answer: balanced accuracy {row.balanced_chance:.0%}"] * 2 + [None]
    # A light halo under the dashes keeps the baseline visible on the bars and on a dark background alike.
    fig.add_scatter(
        x=seg_x,
        y=seg_y,
        mode="lines",
        line=dict(color="white", width=7),
        showlegend=False,
        hoverinfo="skip",
        connectgaps=False,
    )
    fig.add_scatter(
        x=seg_x,
        y=seg_y,
        mode="lines",
        line=dict(color=plots.BLACK, width=3, dash="dash"),
        name=BASELINE_NAME,
        hovertext=seg_hover,
        hovertemplate="%{hovertext}<extra></extra>",
        connectgaps=False,
    )
    ticks = [
        f"{name}<br>{kind}, {int(faces):,} {'faces' if kind == 'measured' else 'photos'}"
        + ("" if both else "<br>(balanced acc. not reported)")
        for name, kind, faces, both in zip(table["test_set"], table["kind"], table["faces"], has_balanced)
    ]
    fig.update_layout(
        # margin_l by hand: plotly's y-axis automargin would stack the horizontal legend into a column.
        barmode="overlay",
        height=460,
        margin_t=85,
        margin_l=90,
        title=dict(yref="container", y=0.98, yanchor="top"),  # above the legend, which sits on the plot area
        xaxis=dict(tickvals=x, ticktext=ticks, range=[-0.6, len(table) - 0.4], showgrid=False, tickangle=0),
        yaxis=dict(range=[0, 1], tickformat=".0%", title="share of test faces right"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    return plots.finish(fig, provenance)


def baseline_segments(fig: go.Figure) -> list[tuple[float, float, float]]:
    """The dashed baseline segments of :func:`accuracy_figure` as ``(x_from, x_to, y)``, read back from the figure."""
    trace = next(t for t in fig.data if t.name == BASELINE_NAME)
    xs, ys = list(trace.x), list(trace.y)
    return [(xs[i], xs[i + 1], ys[i]) for i in range(0, len(xs), 3)]


def flip_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars: share of predictions that flip when one confound is toggled on the same faces (:func:`flip_table`)."""
    fig = plots.figure(title="Same face, one thing toggled: predictions that flip")
    fig.add_bar(
        x=table["attribute"],
        y=table["value"],
        marker_color=plots.ORANGE,
        text=[f"{v:.0%}" for v in table["value"]],
        textposition="outside",
    )
    fig.update_layout(
        yaxis=dict(range=[0, 1.1], tickformat=".0%", title="share of faces"),
        xaxis_title="toggled attribute",
        showlegend=False,
    )
    return plots.finish(fig, provenance)


def mouth_share_figure(table: pd.DataFrame, provenance: Provenance) -> go.Figure:
    """Bars per method: share of positive relevance in the mouth box, with the box's area share as a line."""
    fig = plots.figure(title="Where the evidence sits: share of relevance in the mouth box")
    fig.add_bar(
        x=table["method"],
        y=table["share_in_mouth"],
        marker_color=plots.VERMILION,
        text=[f"{v:.0%}" for v in table["share_in_mouth"]],
        textposition="outside",
        name="relevance in box",
    )
    area = float(table["area_share"].mean())
    fig.add_hline(y=area, line_dash="dash", line_color=plots.BLACK)
    fig.update_layout(
        yaxis=dict(range=[0, 1.1], tickformat=".0%", title="share of positive relevance"),
        xaxis_title=f"dashed line: the box's area, {area:.1%} of the image",
        showlegend=False,
    )
    return plots.finish(fig, provenance)


def face_grid(images: torch.Tensor, columns: int = 8) -> np.ndarray:
    """Images ``(N, 3, H, W)`` -> one uint8 RGB picture ``(rows*H, columns*W, 3)`` (empty cells white)."""
    n, _, h, w = images.shape
    rows = max(1, -(-n // columns))
    canvas = torch.ones(rows * columns, 3, h, w)
    canvas[:n] = images
    grid = canvas.view(rows, columns, 3, h, w).permute(0, 3, 1, 4, 2).reshape(rows * h, columns * w, 3)
    return (grid.clamp(0, 1).numpy() * 255).round().astype(np.uint8)
