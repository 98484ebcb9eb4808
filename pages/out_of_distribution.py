"""Out of distribution (issue #17). Thin page: widgets -> core.demos.out_of_distribution -> charts.

Four tabs; only the open one runs. Trainings run on the Train buttons (ui.runs.train_gate), once per
configuration for the whole server; a slider move only transforms one image and asks the trained model.
"""

import dataclasses

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.out_of_distribution as ood  # noqa: E402  (after the guard: see ui.shell)
from core.demos.out_of_distribution import detect, figures, model, shuffle, sweep, transforms  # noqa: E402
from core.errors import BadInput  # noqa: E402
from core.provenance import Provenance  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import page_runs, train_gate  # noqa: E402
from ui.shell import aside, header, page_key, seed, tabs  # noqa: E402

SLUG = "out_of_distribution"
key = page_key(SLUG)
N_TEST = 2_000
PRESETS = {  # the Turn-it tab's buttons: slider values
    "Upright": {},
    "Turned 90°": {"angle": 90},
    "Upside down": {"angle": 180},
    "Shrunk and shifted": {"zoom": 0.5, "shift_x": 8},
    "Inverted": {"invert": True},
}
SLIDER_DEFAULTS = {"angle": 0, "shift_x": 0, "shift_y": 0, "zoom": 1.0, "contrast": 1.0, "invert": False}


def gate(jobs, what: str, seconds: float, name: str = "train"):
    return train_gate(SLUG, jobs, button=f"Train (≈ {seconds:.0f} s on 2 cores)", note=what, key=name)


# ----------------------------------------------------------------------------- cached work


@st.cache_data(show_spinner="Scoring upright and turned test images…", max_entries=8)
def detection_scores(_run, config: model.ModelConfig) -> detect.Scores:
    return detect.scores(_run.model, _run.test, seed=config.seed)


# ----------------------------------------------------------------------------- tabs


def turn_tab() -> None:
    aside(
        "A SmallCNN learns Fashion-MNIST from 8,000 upright, centred images. Then every one of 2,000 test images "
        "is turned by the same angle: how often is the answer right, and how sure is the network?"
    )
    config = model.ModelConfig(seed=seed())
    runs = gate(
        model.model_jobs(config),
        f"Train {config.describe()} on 8,000 images, then sweep 2,000 test images through 0-180°.",
        model.PRESET_SECONDS,
    )
    trained, frame = runs if runs else (None, None)
    if trained is not None:
        st.caption(trained.result.summary())
        at = frame.set_index("angle")
        cols = st.columns(4)
        cols[0].metric("Accuracy upright", f"{at.accuracy[0]:.1%}")
        cols[1].metric("Accuracy turned 90°", f"{at.accuracy[90]:.1%}")
        cols[2].metric("Mean confidence turned 90°", f"{at.confidence[90]:.1%}")
        cols[3].metric("Majority-class baseline", f"{trained.majority_baseline:.1%}")
        prov = trained.provenance(f"{N_TEST:,} test images, each turned by every angle")
        charts.chart(sweep.figure({"plain": frame}, trained.majority_baseline, prov), frame, prov, "ood_sweep")
        published()
    st.subheader("Turn one image")
    one_image(trained)
    show_code(transforms.affine, sweep.sweep)


def published() -> None:
    # A list, not a table: the sentences were cut off in a table's narrow columns on a projector.
    st.markdown("**Published, on ImageNet-scale models (a different setting from this demo's):**")
    st.markdown("\n".join(f"- **{figure}** {what} — *{paper}*" for paper, figure, what in ood.PUBLISHED))
    st.caption(
        Provenance(
            "published", source="each paper's abstract; ImageNet-scale models, not this demo's setting"
        ).caption()
    )


def one_image(trained) -> None:
    def use_preset(values: dict) -> None:
        for name, default in SLIDER_DEFAULTS.items():
            st.session_state[key(name)] = values.get(name, default)

    for col, (label, values) in zip(st.columns(len(PRESETS)), PRESETS.items()):
        col.button(label, on_click=use_preset, args=(values,), width="stretch", key=key(f"preset_{label}"))
    index = st.slider("Test image", 0, N_TEST - 1, 0, key=key("image"), bind="query-params")
    left, right = st.columns(2)
    angle = left.slider("Rotation (degrees)", -180, 180, 0, 5, key=key("angle"), bind="query-params")
    zoom = left.slider("Zoom", *transforms.ZOOM_RANGE, 1.0, 0.05, key=key("zoom"), bind="query-params")
    contrast = left.slider("Contrast", *transforms.CONTRAST_RANGE, 1.0, 0.1, key=key("contrast"), bind="query-params")
    m = transforms.MAX_SHIFT
    shift_x = right.slider("Shift right (pixels)", -m, m, 0, key=key("shift_x"), bind="query-params")
    shift_y = right.slider("Shift down (pixels)", -m, m, 0, key=key("shift_y"), bind="query-params")
    invert = right.toggle("Invert (black on white)", False, key=key("invert"), bind="query-params")
    try:
        change = transforms.Transform(angle, shift_x, shift_y, zoom, contrast, invert)
    except BadInput as err:
        st.warning(f"{err}. Showing the image as it is.")
        change = transforms.Transform()
    image, label = model.test_image(trained if trained is not None else seed(), index)
    shown = transforms.apply(image[None], change)[0]
    classes = model.load_split(seed())[1].classes
    prov = Provenance("measured", data=f"Fashion-MNIST 10k (shipped), test image {index}", seed=seed())
    left, right = st.columns(2)
    with left:
        charts.chart(
            figures.image_figure(shown, f"{classes[label]}, {change.describe()}", prov),
            pd.DataFrame(shown[0].numpy()),
            prov,
            "ood_image",
        )
    if trained is None:
        right.info("Train the network above to see what it answers for this picture.")
        if transforms.is_blank(shown):
            st.warning(
                "The picture is blank: no garment is left in the frame. Train the network to see what it answers."
            )
        return
    probabilities = model.classify(trained, shown)
    guess = int(probabilities.argmax())
    with right:
        cols = st.columns(2)
        cols[0].metric("Prediction", classes[guess], "right" if guess == label else "wrong", delta_color="normal")
        cols[1].metric("Confidence", f"{float(probabilities[guess]):.0%}")
        prov = trained.provenance(f"test image {index}, {change.describe()}")
        frame = pd.DataFrame({"class": classes, "probability": probabilities.numpy()})
        charts.chart(figures.probabilities_figure(probabilities, classes, label, prov), frame, prov, "ood_probs")
    if transforms.is_blank(shown):
        st.warning(
            f"The picture is blank: no garment is left in the frame. The network still answers "
            f"**{classes[guess]}** with {float(probabilities[guess]):.0%} confidence: a softmax must share 100 % "
            "among the ten classes it knows, it has no answer for 'nothing'."
        )
    elif change.zoom < 0.3:
        st.info(f"At zoom {change.zoom:g} the garment is a few pixels wide: no training image looked like that.")


def augment_tab() -> None:
    aside(
        "Data augmentation (deck 001): show the network every training image turned by a random angle in "
        f"±{model.AUGMENT_DEGREES:g}°. It learns those angles; it learns nothing about the others."
    )
    plain = model.ModelConfig(seed=seed())
    augmented = dataclasses.replace(plain, augment=model.AUGMENT_DEGREES)
    plain_ready = page_runs(SLUG).peek(model.sweep_key(plain)) is not None  # tab 1 trained and swept it already
    runs = gate(
        [*model.model_jobs(plain), *model.model_jobs(augmented)],
        f"Train the same network with random rotations of ±{model.AUGMENT_DEGREES:g}° (and the plain one, if tab 1 "
        "has not), then sweep both through 0-180°.",
        model.AUGMENT_SECONDS + (0 if plain_ready else model.PRESET_SECONDS),
        name="train_augmented",
    )
    if not runs:
        return
    plain_run, plain_frame, aug_run, aug_frame = runs
    st.caption(aug_run.result.summary())
    a, p = aug_frame.set_index("angle"), plain_frame.set_index("angle")
    cols = st.columns(4)
    for col, angle in zip(cols, (0, 15, 30, 90)):
        col.metric(
            f"Accuracy at {angle}°, augmented",
            f"{a.accuracy[angle]:.1%}",
            f"{100 * (a.accuracy[angle] - p.accuracy[angle]):+.1f} points vs plain",
        )
    prov = aug_run.provenance(f"{N_TEST:,} test images, each turned by every angle; plain and augmented models")
    both = pd.concat([plain_frame.assign(model="plain"), aug_frame.assign(model=f"±{model.AUGMENT_DEGREES:g}°")])
    curves = {"plain": plain_frame, f"augmented ±{model.AUGMENT_DEGREES:g}°": aug_frame}
    fig = sweep.figure(curves, plain_run.majority_baseline, prov, trained_range=model.AUGMENT_DEGREES)
    charts.chart(fig, both, prov, "ood_augment")
    st.markdown(
        "Engstrom et al. (2019) found the same on ImageNet and CIFAR-10: data augmentation 'offers relatively "
        "small robustness' beyond what it was shown (abstract)."
    )
    show_code(transforms.random_rotations, model.train)


def detect_tab() -> None:
    aside(
        "Can the network at least tell when a picture is unlike its training data? The simplest test "
        "(Hendrycks & Gimpel 2017): distrust answers whose largest softmax probability is low."
    )
    config = model.ModelConfig(seed=seed())
    runs = gate(model.model_jobs(config), f"Train {config.describe()} (the network of tab 1).", model.PRESET_SECONDS)
    if not runs:
        return
    trained = runs[0]
    threshold = st.slider(
        "Trust an answer above this confidence",
        0.5,
        0.99,
        detect.THRESHOLD,
        0.01,
        key=key("threshold"),
        bind="query-params",
    )
    scores = detection_scores(trained, config)
    numbers = detect.summary(scores, threshold)
    cols = st.columns(4)
    # Short labels, the detail in the help: the long ones were cut off in a quarter of a presenter-mode screen.
    cols[0].metric(
        "AUROC, turned vs upright",
        f"{numbers['auroc_turned']:.2f}",
        help="How well confidence separates images turned by more than 45° from upright ones (0.5: a coin toss).",
    )
    cols[1].metric(
        "AUROC, wrong vs right",
        f"{numbers['auroc_wrong']:.2f}",
        help="How well confidence separates the wrong answers from the right ones, on upright images.",
    )
    for col, where in zip(cols[2:], ("upright", "turned")):
        col.metric(
            f"Sure and wrong, {where}",
            f"{numbers[f'confident_wrong_{where}']:.1%}",
            f"of {numbers[f'n_confident_{where}']:,} answers",
            delta_color="off",
            delta_arrow="off",
            help=f"Share of the answers given with more than {threshold:.0%} confidence that are wrong, {where}.",
        )
    prov = trained.provenance(f"{N_TEST:,} test images upright and turned by a seeded angle in 45-180°")
    charts.chart(detect.histogram_figure(scores, threshold, prov), scores.frame(), prov, "ood_detect")
    st.markdown(
        f"An AUROC of 0.5 is a coin toss, 1.0 a perfect detector. Of the turned images, "
        f"**{numbers['confident_turned']:.0%}** still get an answer above {threshold:.0%} confidence, and "
        f"**{numbers['confident_wrong_turned']:.0%}** of those answers are wrong. This is a *baseline*: its "
        "authors offered it to be beaten, and a threshold on confidence cannot catch a network that is sure "
        "and wrong. Hendrycks & Gimpel's own AUROCs (other data sets as the outliers, not rotations) are not "
        "shown: we could not check them against the paper here."
    )
    show_code(detect.scores, detect.auroc)


def shuffle_tab() -> None:
    aside(
        "Deck 003: an MLP 'would work similarly on any permutation of the pixels'. One fixed random order of "
        "the 784 pixels, the same for every image, training and test. To us the pictures become noise."
    )
    config = shuffle.ShuffleConfig(seed=seed())
    real, permuted = shuffle.split(dataclasses.replace(config, n_train=100), False)[1], None
    permuted = shuffle.permute(real.subset(slice(0, 6)), shuffle.permutation(config.seed))
    prov = Provenance("measured", data="Fashion-MNIST 10k (shipped), 6 test images", seed=config.seed)
    names = [real.classes[int(y)] for y in real.labels[:6]]
    charts.chart(
        figures.row_figure(real.images[:6], names, prov, "Real"), pd.DataFrame({"class": names}), prov, "ood_real"
    )
    charts.chart(
        figures.row_figure(permuted.images, names, prov, f"The same, pixels permuted (seed {config.seed})"),
        pd.DataFrame({"class": names}),
        prov,
        "ood_permuted",
    )
    runs = gate(
        shuffle.jobs(config),
        f"Train an MLP and a CNN on {config.n_train:,} images, real and permuted ({config.epochs} epochs each, "
        "four trainings).",
        shuffle.PRESET_SECONDS,
        name="train_shuffle",
    )
    if not runs:
        return
    majority = runs[0].result.majority_baseline
    frame = pd.DataFrame(
        [
            {
                "network": r.architecture,
                "pixels": "permuted" if r.permuted else "real",
                "test accuracy": r.test_accuracy,
            }
            for r in runs
        ]
    )
    prov = Provenance(
        "measured",
        model=f"MLP(784-{config.hidden}-10) and {shuffle.CNN.describe()}, {config.epochs} epochs",
        data=f"Fashion-MNIST 10k (shipped), {config.n_train:,} training and {N_TEST:,} test images",
        seed=config.seed,
    )
    charts.chart(shuffle.figure(runs, majority, prov), frame, prov, "ood_shuffle")
    show_code(shuffle.permute, shuffle.train)


# ----------------------------------------------------------------------------- page

header(SLUG)
TABS = {
    "Turn it": turn_tab,
    "Augmentation covers what it saw": augment_tab,
    "Knowing that it does not know": detect_tab,
    "Shuffle the pixels": shuffle_tab,
}
tabs(SLUG, TABS)
