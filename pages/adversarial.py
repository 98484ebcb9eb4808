"""Adversarial fooling (issue #4). Thin page: widgets -> core.demos.adversarial -> charts.

Training runs only on a button (ui.runs.train_gate), once per configuration for the whole server,
and so do the expensive sweeps (curves, universal perturbation, patch, one-pixel search).
Single-image FGSM/PGD/SimBA take milliseconds and follow the sliders.
"""

import logging

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

from core import attacks, imagenet, images  # noqa: E402  (after the guard: see ui.shell)
from core.data import FASHION_CLASSES  # noqa: E402
from core.demos import adversarial as adv  # noqa: E402
from core.provenance import Provenance  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import page_runs, train_gate  # noqa: E402
from ui.shell import aside, header, literal, page_key, presenter, seed  # noqa: E402

SLUG = "adversarial"
key = page_key(SLUG)
PRESETS = {  # short label (fits its button) -> (attack, ε, target, what it shows)
    "FGSM · 0.1": ("FGSM", 0.1, "Bag", "FGSM at ε = 0.1: one step along the gradient sign (Goodfellow et al. 2015)."),
    "PGD · 0.05": (
        "PGD",
        0.05,
        "Bag",
        "PGD at ε = 0.05: half the change, ten small steps, and the answer still flips (Madry et al. 2018).",
    ),
    "Target: Bag": (
        "PGD, targeted",
        0.15,
        "Bag",
        "Targeted PGD at ε = 0.15: not just wrong, but the answer the attacker chose, 'Bag' (Kurakin et al. 2017).",
    ),
    "FGSM · 0.25": (
        "FGSM",
        0.25,
        "Bag",
        "Goodfellow et al.'s own budget, ε = 0.25 (their MNIST figure: 89.4 % error): clearly visible on 28×28 images.",
    ),
}


def seconds_label(seconds: float) -> str:
    """A button's time hint: what bench/bench_adversarial.py measured on 2 cores."""
    return f"≈ {seconds:.0f} s on 2 cores"


# ----------------------------------------------------------------------------- cached work


# The run goes in as ``_run`` (not hashed: keyed by its preset, which fixes the model), so a cached function
# never looks the run up itself and cannot find it evicted from the store in between.
@st.cache_data(show_spinner="Searching with differential evolution…")
def one_pixel_search(preset: adv.ModelPreset, index: int, pixels: int, _run: adv.AttackRun) -> attacks.SearchResult:
    return adv.one_pixel_search(_run, index, pixels)


@st.cache_data(show_spinner="Computing one perturbation for 2,000 training images…")
def universal(preset: adv.ModelPreset, eps: float, _run: adv.AttackRun) -> adv.Controlled:
    return adv.universal_with_control(_run, eps)


@st.cache_data(show_spinner="Learning the sticker on 2,000 training images…")
def patch(preset: adv.ModelPreset, target: int, size: int, _run: adv.AttackRun) -> adv.Controlled:
    return adv.patch_with_control(_run, target, size)


def say_if_already_wrong(run: adv.AttackRun, index: int) -> None:
    if wrong := adv.already_wrong(run, index):
        st.warning(
            f"The model already gets this image wrong ({wrong[0]}, truly {wrong[1]}); "
            "the attack tries to move it off its current answer."
        )


@st.cache_resource(show_spinner="Loading ResNet-18…")
def resnet():
    return imagenet.load_resnet18(), imagenet.class_names()  # read-only afterwards: shared by all sessions


# ----------------------------------------------------------------------------- shared pieces


def image_px() -> int:
    """Side of each 28×28 (or 224×224) panel: >= 300 px in presenter mode, for the back row."""
    return adv.PRESENTER_IMAGE_PX if presenter() else adv.IMAGE_PX


def show_pair(pair: adv.Comparison, prov: Provenance, name: str) -> None:
    """Original | change | adversarial, sizes of the change, top-5 before and after."""
    frame, size = pair.table(), pair.size
    figure = adv.triptych_figure(pair.original, pair.adversarial, pair.titles, prov, image_px())
    charts.chart(figure, frame, prov, f"{name}_images")
    st.caption(pair.wording)
    cols = st.columns(3)
    cols[0].metric("L∞ (largest pixel change)", f"{size['linf']:.3f}")
    cols[1].metric("L2 (length of the change)", f"{size['l2']:.2f}")
    cols[2].metric("pixels changed (L0)", f"{size['l0']:,}")
    st.caption("Pixel values in [0, 1]; the provenance is under the images above.")
    charts.chart(adv.top5_figure(pair.before, pair.after, prov), frame, prov, f"{name}_top5")


def image_slider(run: adv.AttackRun, default: int = 0, name: str = "image") -> int:
    return st.slider("Test image", 0, len(run.test) - 1, default, key=key(name), bind="query-params")


# ----------------------------------------------------------------------------- tabs


def show_single(run: adv.AttackRun) -> None:
    def use_preset(label: str) -> None:
        attack, eps, target, _ = PRESETS[label]
        st.session_state[key("attack")], st.session_state[key("eps")] = attack, eps
        st.session_state[key("target")] = target
        st.session_state[key("image")] = adv.PRESET_IMAGE

    for col, (label, (*_, what)) in zip(st.columns(len(PRESETS)), PRESETS.items()):
        col.button(label, on_click=use_preset, args=(label,), help=what, width="stretch")
    # The attack's result right under the presets, the fine controls below it: after a preset click the
    # flipped answer is on the first screen, in presenter mode too (issue #13, defect 8).
    result = st.container()
    index = image_slider(run, adv.PRESET_IMAGE)
    left, mid, right = st.columns(3)
    attack = left.selectbox("Attack", adv.ATTACKS, key=key("attack"), bind="query-params")
    eps = mid.slider("ε (L∞ budget)", 0.0, 0.3, 0.1, 0.005, key=key("eps"), bind="query-params", format="%.3f")
    target_name = right.selectbox(
        "Target class",
        FASHION_CLASSES,
        index=8,
        key=key("target"),
        bind="query-params",
        disabled="targeted" not in attack,
    )
    pair = adv.attack_test_image(run, index, attack, eps, FASHION_CLASSES.index(target_name), seed())
    prov = run.provenance(f"test image {index} (true class: {run.true_class(index)}), {attack}, ε = {eps:g}")
    with result:
        show_pair(pair, prov, "single")
    aside(
        f"ε = {eps:g} means no pixel moved by more than {eps:.0%} of the grey range. On 28×28 thumbnails a "
        "large ε is visible if you look for it; try the PGD preset (ε = 0.05): faint, yet the confident "
        "answer still flips."
    )
    show_code(adv.attack_one, *adv.attack_code(attack))


def show_curves(run: adv.AttackRun) -> None:
    aside(
        f"Accuracy of the same model on {adv.CURVE_IMAGES} held-out test images as the budget ε grows. The grey "
        "control adds random ±ε to every pixel: the same L∞ and L2 as FGSM, in a random direction."
    )
    preset, defence_preset = run.preset, run.preset.defence()
    computed = train_gate(
        SLUG,
        adv.jobs(preset, curves=True),
        button=f"Compute the curves ({seconds_label(adv.CURVES_SECONDS)}; FGSM, PGD-{adv.CURVE_PGD_STEPS}, noise)",
        key="curves_button",
    )
    if computed is None:
        return
    curves = {"standard model": computed[1]}
    if (defended := page_runs(SLUG).peek(adv.curves_key(defence_preset))) is not None:  # drawn dashed once trained
        curves["adversarially trained"] = defended
    metric = st.radio(
        "Show",
        ("accuracy", "success_rate"),
        horizontal=True,
        key=key("metric"),
        bind="query-params",
        format_func={"accuracy": "accuracy", "success_rate": "attack success rate"}.get,
    )
    prov = adv.curves_provenance(run, defence_drawn=len(curves) > 1)
    frame = pd.concat([f.assign(model=m) for m, f in curves.items()])
    charts.chart(adv.curves_figure(curves, metric, prov, majority=adv.curves_majority(run)), frame, prov, "curves")
    st.caption(
        f"★ Published, a different model and data: Goodfellow et al. 2015 report {adv.GOODFELLOW_ERROR:.1%} "
        f"error (accuracy {1 - adv.GOODFELLOW_ERROR:.1%}) for FGSM at ε = {adv.GOODFELLOW_EPS} on a maxout "
        f"network on MNIST, and {adv.GOODFELLOW_ADV_TRAINED_ERROR:.1%} after adversarial training "
        f"({adv.GOODFELLOW_2015})."
    )
    st.subheader("Defence: adversarial training")
    aside(
        f"Train the same network on PGD examples made on the fly ({adv.MADRY_2018}); one step from a random "
        f"start is the cheap version of {adv.WONG_2020}. {defence_preset.epochs} epochs instead of "
        f"{preset.epochs}: each step also crafts its examples."
    )
    trained = train_gate(
        SLUG,
        adv.jobs(preset, defence=True),
        button=f"Train the defence ({seconds_label(adv.DEFENCE_SECONDS)}, curves included)",
        icon=":material/shield:",
        key="defence_button",
    )
    if trained is None:
        return
    defence = trained[2]
    cols = st.columns(2)
    cols[0].metric("Clean accuracy, standard", f"{run.result.test_accuracy:.1%}")
    cols[1].metric(
        "Clean accuracy, adversarially trained",
        f"{defence.result.test_accuracy:.1%}",
        delta=f"{defence.result.test_accuracy - run.result.test_accuracy:+.1%} (the cost)",
        delta_color="off",
    )
    st.caption(
        f"Defence trained in {defence.result.seconds:.0f} s (measured, this server) · energy "
        f"{defence.result.carbon.summary()}"
    )
    show_code(attacks.epsilon_curves, attacks.sign_noise, adv.adversarial_batches)


def show_one_pixel(run: adv.AttackRun) -> None:
    aside(
        "Su, Vargas & Sakurai (2019): change just one to five pixels, chosen by an evolutionary search that "
        "only reads the output probabilities. Not every image falls; try others."
    )
    index = image_slider(run, 4, "pixel_image")  # a bag (seed 0) that 3 pixels can turn into another class
    pixels = st.slider("Pixels that may change", 1, 5, 3, key=key("pixels"), bind="query-params")
    say_if_already_wrong(run, index)
    result = one_pixel_search(run.preset, index, pixels, run)
    prov = run.provenance(f"test image {index}, one-pixel attack, {pixels} pixel(s), {result.queries:,} queries")
    (st.success if result.success else st.warning)(
        f"{'Fooled' if result.success else 'Not fooled'} by changing {len(result.pixels)} pixel(s) at "
        f"{', '.join(map(str, result.pixels))} after {result.queries:,} model queries."
    )
    show_pair(adv.compare_test_image(run, index, result.adversarial), prov, "pixel")
    show_code(adv.one_pixel_search, attacks.one_pixel, attacks._paint_pixels)


def show_universal(run: adv.AttackRun) -> None:
    aside(
        "Moosavi-Dezfooli et al. (2017): *one* perturbation, computed once on training images, added to "
        "images it has never seen. Compared with random ±ε noise of the same size."
    )
    eps = st.slider("ε of the universal perturbation", 0.05, 0.25, 0.15, 0.05, key=key("uap_eps"), bind="query-params")
    result = universal(run.preset, eps, run)
    cols = st.columns(2)
    cols[0].metric("Unseen test images whose class changes", f"{result.rate:.0%}")
    cols[1].metric("… with random ±ε noise instead", f"{result.control_rate:.0%}")
    prov = run.provenance(
        f"δ from {adv.LEARN_IMAGES:,} training images; fooling rate on {len(run.test):,} unseen test images"
    )
    frame = pd.DataFrame(
        {"perturbation": ["universal", "random ±ε"], "epsilon": eps, "fooling_rate": [result.rate, result.control_rate]}
    )
    examples, classes = adv.universal_examples(run, result.perturbation)
    captions = [f"{FASHION_CLASSES[b]}<br>→ {FASHION_CLASSES[a]}" for b, a in classes]
    charts.chart(
        adv.universal_figure(result.perturbation, examples, prov, captions, image_px=image_px()),
        frame,
        prov,
        "universal",
    )
    show_code(adv.universal_with_control, attacks.universal_perturbation, attacks.fooling_rate)


def show_black_box(run: adv.AttackRun) -> None:
    aside(
        "Guo et al. (2019), SimBA: the attacker only sees the probabilities — no gradients, no weights. "
        "Try a pixel up or down; keep it if the true class got less likely."
    )
    index = image_slider(run, 0, "simba_image")
    left, right = st.columns(2)
    eps = left.slider("Change per pixel", 0.05, 0.5, 0.2, 0.05, key=key("simba_eps"), bind="query-params")
    budget = right.slider("Query budget", 100, 5000, 3000, 100, key=key("budget"), bind="query-params")
    say_if_already_wrong(run, index)
    result = adv.simba_search(run, index, eps, budget, seed())
    (st.success if result.success else st.warning)(
        f"{'Fooled' if result.success else 'Not fooled'} after **{result.queries:,} queries**, no gradients used."
    )
    prov = run.provenance(f"test image {index}, SimBA, {result.queries:,} queries")
    show_pair(adv.compare_test_image(run, index, result.adversarial), prov, "simba")
    show_code(adv.simba_search, attacks.simba)


def show_patch(run: adv.AttackRun) -> None:
    aside("Brown et al. (2017): a visible sticker, learned once, pasted anywhere on any image.")
    left, right = st.columns(2)
    target_name = left.selectbox(
        "The sticker should say", FASHION_CLASSES, index=8, key=key("patch_target"), bind="query-params"
    )
    size = right.slider("Sticker side (pixels of 28)", 6, 14, 14, 2, key=key("patch_size"), bind="query-params")
    target = FASHION_CLASSES.index(target_name)
    result = patch(run.preset, target, size, run)
    cols = st.columns(2)
    cols[0].metric(f"Other test images now called '{target_name}'", f"{result.rate:.0%}")
    cols[1].metric("… with a random sticker of the same size", f"{result.control_rate:.0%}")
    prov = run.provenance(
        f"sticker learned on {adv.LEARN_IMAGES:,} training images, pasted at random places on the "
        f"{len(run.test):,} test images (not '{target_name}')"
    )
    st.caption(f"The sticker covers {size * size / 28**2:.0%} of the image. " + prov.caption())
    example = adv.patch_example(run, result.perturbation, target, seed())
    if example.hits:
        st.caption(
            f"Below: test image {example.index}, the first of the first {example.first} (not "
            f"'{target_name}') where the sticker worked ({example.hits} of them)."
        )
    else:
        st.caption(
            f"The sticker worked on none of the first {example.first} test images; below: test image 0 "
            "with it, for comparison."
        )
    show_pair(adv.compare_test_image(run, example.index, example.pasted), prov, "patch")
    show_code(adv.patch_with_control, attacks.adversarial_patch, attacks.paste)


def photo_input() -> images.LoadedImage | None:
    sources = ("Bundled photo", "Upload", "Webcam")
    source = st.radio("Photo", sources, horizontal=True, key=key("photo_source"), bind="query-params")
    if source == "Bundled photo":
        name = st.selectbox(
            "Which", list(images.BUNDLED), format_func=images.BUNDLED.get, key=key("photo"), bind="query-params"
        )
        return images.bundled_photo(name)
    file = (
        st.file_uploader("An image (kept in memory only)") if source == "Upload" else st.camera_input("Take a picture")
    )
    return images.load_image(file.getvalue(), file.name) if file is not None else None


def show_imagenet() -> None:
    try:
        model, classes = resnet()
    except imagenet.WeightsUnavailable as err:
        logging.getLogger(__name__).warning("ImageNet tab: %s", err)  # the operator's details: the server log
        st.info(imagenet.STUDENT_NOTICE, icon=":material/cloud_off:")
        return
    try:
        loaded = photo_input()
    except images.ImageError as err:
        st.warning(literal(err))
        return
    if loaded is None:
        return
    for notice in loaded.notices:
        st.caption(notice)
    step = st.slider("ε in 1/255 steps (one grey level)", 1, 16, 2, key=key("imagenet_eps"), bind="query-params")
    show_pair(adv.attack_photo(model, classes, loaded.pixels, step), imagenet.provenance(loaded.source), "imagenet")
    show_code(adv.attack_photo, attacks.fgsm, imagenet.Normalized)


# ----------------------------------------------------------------------------- page

header(SLUG)
aside(
    "Every attack below is a short function in `core/attacks.py` (open *Show the code*). The default model is "
    "a small CNN trained here, live, on the shipped Fashion-MNIST split; pixel values are in [0, 1]."
)
preset = adv.ModelPreset(seed=seed())
trained = train_gate(
    SLUG,
    adv.jobs(preset),
    button=f"Train ({seconds_label(adv.TRAIN_SECONDS)})",
    note=f"First train the classifier to attack: {preset.describe()} on 8,000 Fashion-MNIST images.",
)
run = trained[0] if trained else None
if run is not None and not presenter():  # secondary in presenter mode: the charts' captions carry model, data, seed
    st.caption(run.summary())

TABS = {
    "Single image": show_single,
    "Curves & defence": show_curves,
    "One pixel": show_one_pixel,
    "Universal": show_universal,
    "Black box": show_black_box,
    "Patch": show_patch,
}
names = [*TABS, "ImageNet photo"]
for tab, name in zip(st.tabs(names, key=key("tab"), on_change="rerun", bind="query-params"), names):
    if tab.open:
        with tab:
            if name == "ImageNet photo":
                show_imagenet()
            elif run is None:
                st.caption("Train the classifier above to use this tab.")
            else:
                TABS[name](run)
