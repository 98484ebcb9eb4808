"""Can explanations be trusted? (issue #21). Thin page: widgets -> core.demos.explanations -> charts.

One model is trained on the Train button (ui.runs.train_gate, this page's own store); every tab then
explains one test image of it. Maps and measures are cached by (model config, image, settings), computed
from the run passed in unhashed (never looked up inside a cached function). Only the open tab runs.
"""

import time

import numpy as np
import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.explanations as ex  # noqa: E402  (after the guard: see ui.shell)
from core.demos.explanations import compare, faithfulness, figures, model, sanity, stability, surrogate  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import train_gate  # noqa: E402
from ui.shell import aside, header, page_key, presenter, seed, tabs  # noqa: E402

SLUG = "explanations"
key = page_key(SLUG)
PANEL_PX = 115  # a row of eight panels (the input and seven maps) across a centred page
PRESENTER_PANEL_PX = 300  # presenter mode: heatmaps >= 300 px for the back row, three maps beside the input
IMAGES = 50  # test pullovers to choose from (the image slider)
SLOW_SAMPLES = 1_000  # above this the page says how long LIME and KernelSHAP will take


# ----------------------------------------------------------------------------- cached work


@st.cache_data(show_spinner="Explaining the image with seven methods…", max_entries=32)
def side_by_side(config, index: int, tagged: bool, settings: compare.Settings, _subject) -> tuple:
    image, target = _subject.image(index, tagged)
    start = time.perf_counter()
    maps, refused = compare.attribute_all(_subject.model, image, target, settings)
    return maps, refused, time.perf_counter() - start


@st.cache_data(show_spinner="Re-running LIME and KernelSHAP with 5 seeds…", max_entries=16)
def reruns(config, index: int, tagged: bool, settings: compare.Settings, _subject) -> dict:
    image, target = _subject.image(index, tagged)
    return stability.reruns(_subject.model, image, target, settings)


@st.cache_data(show_spinner="Randomising the layers one by one and explaining again…", max_entries=16)
def cascade(config, index: int, tagged: bool, settings: compare.Settings, _subject) -> tuple:
    image, target = _subject.image(index, tagged)
    return sanity.cascade(_subject.model, image, target, settings)


@st.cache_data(show_spinner="Fitting trees of depth 1 to 10 to the network's answers…", max_entries=8)
def fidelity(config, _subject) -> tuple:
    return surrogate.fidelity_by_depth(_subject)


# ----------------------------------------------------------------------------- controls


def use_preset() -> None:
    for name, value in PRESET.items():
        st.session_state[key(name)] = value


PRESET = {"subject": "tag CNN", "image": 0, "tagged": True, "samples": 200, "patch": 4, "lime_seed": 0}


def controls() -> tuple[model.SubjectConfig, int, bool, compare.Settings]:
    st.button(
        "Preset: the tag CNN explains a tagged pullover",
        on_click=use_preset,
        help="The known truth: this model learnt that the tag means 'Pullover'.",
    )
    left, middle, right = st.columns([2, 2, 1])
    subject = left.selectbox("Model to explain", list(model.SUBJECTS), key=key("subject"), bind="query-params")
    index = middle.slider("Test pullover", 0, IMAGES - 1, 0, key=key("image"), bind="query-params")
    tagged = right.toggle("Tag on it", True, key=key("tagged"), bind="query-params")
    left, middle, right = st.columns(3)
    samples = left.slider("LIME / KernelSHAP samples", 20, 2_000, 200, 20, key=key("samples"), bind="query-params")
    patch = middle.select_slider("Patch (pixels)", compare.PATCHES, 4, key=key("patch"), bind="query-params")
    lime_seed = right.number_input("LIME / SHAP seed", 0, 999, 0, key=key("lime_seed"), bind="query-params")
    if samples > SLOW_SAMPLES:
        st.info(f"{samples:,} samples: LIME and KernelSHAP take several seconds per map (200 take ~1 s for both).")
    config = model.SubjectConfig(subject=subject, seed=seed())
    settings = compare.Settings(lime_samples=samples, shap_samples=samples, patch=patch, seed=int(lime_seed))
    return config, index, tagged, settings


# ----------------------------------------------------------------------------- tabs


def maps_frame(maps: dict) -> pd.DataFrame:
    """Every map's pixels, one column per method (the grid's CSV)."""
    return pd.DataFrame({method: relevance.flatten().numpy() for method, relevance in maps.items()})


def for_the_room(maps: dict, default: tuple[str, ...], name: str) -> tuple[dict, int]:
    """The maps to draw and their panel size: all of them, small; in presenter mode three, large enough for the
    back row (>= 300 px, as the Clever Hans page), the lecturer choosing which."""
    if not presenter():
        return maps, PANEL_PX
    names = st.multiselect(
        "Maps shown large (presenter mode: three at a time)",
        list(maps),
        default=[m for m in default if m in maps],
        max_selections=3,
        key=key(f"shown.{name}"),
    )
    return {m: maps[m] for m in names} or maps, PRESENTER_PANEL_PX


def side_by_side_tab(subject, config, index, tagged, settings) -> None:
    aside(
        "Seven methods, one question: *which pixels made the model say 'Pullover'?* The lab's four (gradients, "
        "relevance propagation) and three that only poke the model from outside: Occlusion, LIME (Ribeiro et al. "
        "2016) and KernelSHAP (Lundberg & Lee 2017). The tag model's true reason is known: the tag (green box)."
    )
    maps, refused, seconds = side_by_side(config, index, tagged, settings, subject)
    image, _ = subject.image(index, tagged)
    names, matrix = compare.rank_correlation(maps)
    pairs = matrix[~np.eye(len(names), dtype=bool)]
    pairs = pairs[~np.isnan(pairs)]
    cols = st.columns(3)
    cols[0].metric("Model: 'Pullover'", f"{float(subject.probability(image)[0]):.0%}")
    cols[1].metric(
        "Two methods agree (median ρ)",
        f"{np.median(pairs):.2f}" if len(pairs) else "–",
        help="Spearman rank correlation of two maps over the pixels; 1 = same order of importance",
    )
    cols[2].metric("Maps took", f"{seconds:.1f} s", help=f"LIME and KernelSHAP {settings.lime_samples} samples each")
    for method, reason in refused.items():
        st.info(f"**{method}** cannot explain this model: {reason}")
    prov = subject.provenance(f"test pullover #{index}{' with the tag' if tagged else ''}")
    title = "Seven explanations of one prediction<br>" + explain_key(tagged)
    box = model.box() if tagged else None
    shown, panel_px = for_the_room(maps, ("Integrated Gradients", "Grad-CAM", "LIME"), "grid")
    charts.chart(
        figures.grid_figure(image, shown, prov, title, box, panel_px), maps_frame(maps), prov, "explanations_grid"
    )
    frame = pd.DataFrame(matrix, index=names, columns=names).reset_index(names="method")
    charts.chart(figures.correlation_figure(names, matrix, prov), frame, prov, "explanations_agreement")
    st.caption(
        f"LIME and KernelSHAP: {settings.lime_samples} perturbed images each, {settings.patch}×{settings.patch}-pixel "
        f"patches as features, seed {settings.seed}; Occlusion: a {settings.patch}-pixel black square, stride "
        f"{max(1, settings.patch // 2)}. 'n/a': a map with one value everywhere has no ranking."
    )
    show_code(compare.attribute)


def explain_key(tagged: bool) -> str:
    from core import explain  # the colour key in words, read off the lab's scale

    return explain.colour_key("the tag" if tagged else None)


def stability_tab(subject, config, index, tagged, settings) -> None:
    aside(
        "LIME and KernelSHAP draw random perturbations: ask again with another seed and the answer can change "
        "(LIME's own users report it). Integrated Gradients and Occlusion draw nothing: the control."
    )
    runs = reruns(config, index, tagged, settings, subject)
    table = stability.spread(runs, settings.patch)
    lime = table[table.method == "LIME"].iloc[0]
    cols = st.columns(3)
    cols[0].metric("LIME: seeds agree (ρ)", f"{lime.spearman:.2f}")
    cols[1].metric("LIME: top-5 patches in every run", f"{int(lime.always_top)} of {stability.TOP}")
    control = table[~table.random]
    cols[2].metric("Deterministic methods agree (ρ)", f"{control.spearman.min():.2f}" if len(control) else "–")
    prov = subject.provenance(f"test pullover #{index}, {stability.SEEDS} seeds from {settings.seed}")
    charts.chart(figures.stability_figure(table, prov), table, prov, "explanations_stability")
    image, _ = subject.image(index, tagged)
    rows = [
        (f"seed {settings.seed + s}", image[0], {m: runs[m][s] for m in compare.RANDOM_METHODS if m in runs})
        for s in range(stability.SEEDS)
    ]
    charts.chart(
        figures.rows_figure(
            rows, prov, "The same image, LIME and KernelSHAP with five seeds", model.box() if tagged else None, PANEL_PX
        ),
        table,
        prov,
        "explanations_seeds",
    )
    st.caption(f"{settings.lime_samples} samples each; more samples, less spread (try the slider).")
    show_code(stability.spread)


def sanity_tab(subject, config, index, tagged, settings) -> None:
    aside(
        "Adebayo et al. (2018): re-initialise the model's layers from the top down and explain the same image "
        "again. A map that hardly changes while the model does is describing the image, not the model."
    )
    similarity, output, drawn = cascade(config, index, tagged, settings, subject)
    last = similarity[similarity.step == similarity.step.max()].set_index("method").spearman
    cols = st.columns(3)
    cols[0].metric("Model's 'Pullover', trained", f"{output.probability.iloc[0]:.0%}")
    cols[1].metric("… every layer random", f"{output.probability.iloc[-1]:.0%}", help="the model did change")
    still = last.dropna().sort_values(ascending=False)
    cols[2].metric(
        f"Most alike at the end: {still.index[0]}" if len(still) else "Most alike",
        f"ρ = {still.iloc[0]:.2f}" if len(still) else "–",
    )
    prov = subject.provenance(
        f"test pullover #{index}, layers re-initialised with seed {settings.seed}",
        source="Adebayo et al. 2018, arXiv:1810.03292",
    )
    charts.chart(figures.sanity_figure(similarity, output, prov), similarity, prov, "explanations_sanity")
    st.markdown(sanity.ADEBAYO_FINDING)
    image, _ = subject.image(index, tagged)
    labels = list(drawn)
    picked = [labels[0], labels[len(labels) // 2], labels[-1]]
    shown, panel_px = for_the_room(drawn[labels[0]], ("Saliency", "Integrated Gradients", "Grad-CAM"), "sanity")
    rows = [(label.replace(" and above", "+"), image[0], {m: drawn[label][m] for m in shown}) for label in picked]
    charts.chart(
        figures.rows_figure(
            rows, prov, "The maps as the layers are randomised", model.box() if tagged else None, panel_px
        ),
        output,
        prov,
        "explanations_sanity_maps",
    )
    st.caption("LIME and KernelSHAP are left out here: 7 steps of them take ~10 s (their spread is the previous tab).")
    show_code(sanity.cascade, sanity.randomized_top)


def faithfulness_tab(subject, config, index, tagged, settings) -> None:
    aside(
        "Two tests with an answer: black out the pixels a map calls most relevant — a faithful map makes the "
        "score fall fast; and on the tag model, does the map point at the tag, the model's known reason?"
    )
    maps, _, _ = side_by_side(config, index, tagged, settings, subject)
    image, target = subject.image(index, tagged)
    curves = faithfulness.deletion_curves(subject.model, image, target, maps, seed=settings.seed)
    areas = faithfulness.deletion_area(curves).sort_values("area", ignore_index=True)
    shares = faithfulness.tag_shares(maps, model.mask())
    cols = st.columns(3)
    cols[0].metric("Fastest fall (deletion)", areas.method.iloc[0], help="smallest area under the deletion curve")
    cols[1].metric(
        "Most relevance on the tag",
        shares.method.iloc[0],
        f"{shares.share.iloc[0]:.0%} in the box",
        delta_color="off",
        delta_arrow="off",
    )
    cols[2].metric("Tag box's share of the image", f"{shares.area.iloc[0]:.0%}")
    prov = subject.provenance(f"test pullover #{index}{' with the tag' if tagged else ''}")
    charts.chart(figures.deletion_figure(curves, prov), curves, prov, "explanations_deletion")
    st.dataframe(areas.rename(columns={"area": "area under the curve (lower = more faithful)"}), hide_index=True)
    if not tagged:
        st.info("The image carries no tag: the share inside the box is no test here. Switch 'Tag on it' on.")
    charts.chart(figures.tag_share_figure(shares, prov), shares, prov, "explanations_tag_share")
    show_code(faithfulness.deletion_curves)


def approximating_tab(subject, config) -> None:
    aside(
        "Explaining by approximating (deck 002): a decision tree trained on the *network's* answers, reading "
        "the 49 patches' brightness. Fidelity: how often it agrees with the network on new images."
    )
    table, questions = fidelity(config, subject)
    best = table.iloc[-1]
    cols = st.columns(3)
    cols[0].metric("Depth 3 (8 leaves): fidelity", f"{table[table.depth == 3].fidelity.iloc[0]:.0%}")
    cols[1].metric(f"Depth {int(best.depth)} ({int(best.leaves)} leaves)", f"{best.fidelity:.0%}")
    cols[2].metric("Commonest class (baseline)", f"{subject.result.majority_baseline:.0%}")
    prov = subject.provenance("8,000 training images (network's answers), 2,000 test images")
    charts.chart(
        figures.fidelity_figure(table, subject.result.test_accuracy, subject.result.majority_baseline, prov),
        table,
        prov,
        "explanations_fidelity",
    )
    if questions:
        st.caption("The depth-3 tree's questions (patch brightness), root first: " + "; ".join(questions) + ".")
    show_code(surrogate.fidelity_by_depth)


# ----------------------------------------------------------------------------- page

header(SLUG)
config, index, tagged, settings = controls()  # bad values: the shell's error boundary says so and stops here
runs = train_gate(
    SLUG,
    ex.jobs(config),
    button=f"Train (≈ {model.PRESET_SECONDS} s on 2 cores)",
    note=f"Train the {config.subject} on 8,000 Fashion-MNIST images ({config.describe()}), then explain it.",
)
if runs:
    subject = runs[0]
    st.caption(subject.result.summary())
    TABS = {
        "Side by side": lambda: side_by_side_tab(subject, config, index, tagged, settings),
        "Stable or not": lambda: stability_tab(subject, config, index, tagged, settings),
        "Sanity checks": lambda: sanity_tab(subject, config, index, tagged, settings),
        "Faithfulness": lambda: faithfulness_tab(subject, config, index, tagged, settings),
        "Approximating": lambda: approximating_tab(subject, config),
    }
    tabs(SLUG, TABS)
