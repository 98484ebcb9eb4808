"""Clever Hans: the horse tag (issue #5 A). Thin page: widgets -> core.demos.clever_hans / core.explain -> charts.

Training runs only on the button (ui.runs.train_gate), once per configuration for the whole server
(the page's own run store); heatmap shares and clusters are cached by the configuration too, computed
from the runs passed in (never looked up inside a cached function).
"""

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.clever_hans as ch  # noqa: E402  (after the guard: see ui.shell)
from core import explain  # noqa: E402
from core.data import FASHION_CLASSES, source_status  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import train_gate  # noqa: E402
from ui.shell import aside, header, page_key, presenter, seed, tabs  # noqa: E402

SLUG = "clever_hans"
key = page_key(SLUG)
PRESENTER_PANEL_PX = 320  # presenter mode: every heatmap panel >= 300 px on screen (issue #13, defect 8)


# ----------------------------------------------------------------------------- cached work


@st.cache_data(show_spinner="Computing four heatmaps for the tagged class's test images…")
def relevance_table(config: ch.TagConfig, _tag: ch.TagRun, _clean: ch.TagRun) -> pd.DataFrame:
    """Relevance in the tag box per model and method. Cached by ``config`` (hashed); the runs are
    passed unhashed (``_``): they are what ``config`` trains, deterministically."""
    return ch.relevance_table(_tag, _clean)


@st.cache_resource(show_spinner="Clustering the relevance maps (LRP, k-means)…", max_entries=8)
def spray_result(config: ch.TagConfig, k: int, _tag: ch.TagRun) -> ch.SprayResult:
    """SpRAy on the run ``config`` trained (passed unhashed). Read-only afterwards: shared by all sessions."""
    return ch.spray(_tag, k=k)


def train_label(config: ch.TagConfig) -> str:
    """The Train button says what was measured (bench/bench_clever_hans.py), for what it will train."""
    n = len(ch.configs(config))
    if config.source != "fashion":
        return "Train (time measured on Fashion-MNIST only)"
    return f"Train (≈ {ch.PRESET_SECONDS * n / 2:.0f} s on 2 cores)"  # the bench times the 2-model preset


# ----------------------------------------------------------------------------- controls


def controls() -> ch.TagConfig:
    cifar_here = any(s.info.key == "cifar10" and s.available for s in source_status())
    sources = ["Fashion-MNIST (shipped)"] + (["CIFAR-10 (on disk): the horse"] if cifar_here else [])
    # One source only (no CIFAR-10 on disk): nothing to choose, and in presenter mode no line spent on it.
    chosen = (
        sources[0]
        if presenter() and len(sources) == 1
        else st.radio("Data", sources, horizontal=True, key=key("source"), bind="query-params")
    )
    source = "cifar10" if chosen.startswith("CIFAR") else "fashion"
    left, right = st.columns(2)
    if source == "fashion":
        cls = left.selectbox("Class that gets the tag", FASHION_CLASSES, index=2, key=key("cls"), bind="query-params")
    else:
        cls = "horse"
        left.markdown("Class that gets the tag: **horse**")

    def use_preset(fraction: float) -> None:
        st.session_state[key("fraction")] = fraction

    for col, (label, (value, help_text)) in zip(st.columns(len(ch.PRESETS)), ch.PRESETS.items()):
        col.button(label, on_click=use_preset, args=(value,), width="stretch", help=help_text)
    fraction = right.slider(
        "Share of its training images with the tag",
        0.0,
        1.0,
        ch.PUBLISHED_TAG_SHARE,
        0.05,
        key=key("fraction"),
        bind="query-params",
        format="%.2f",
    )
    aside(
        f"*Published:* Lapuschkin et al. found the tag in roughly a fifth ({ch.PUBLISHED_TAG_SHARE:.0%}) of "
        f"PASCAL VOC's horse images ({ch.LAPUSCHKIN_2019}) — a different model and data set. (In presenter "
        "mode the preset's label says it.)"
    )
    return ch.TagConfig(source=source, tagged_class=cls, fraction=fraction, seed=seed())


# ----------------------------------------------------------------------------- results


def show_accuracy(tag: ch.TagRun, clean: ch.TagRun) -> None:
    name = tag.class_name
    acc_tag, acc_clean = (ch.class_accuracy(r.model, r.test, r.cls) for r in (tag, clean))
    role = tag.config.role.capitalize()  # "Clean baseline" at share 0: no tag model was trained
    solo = tag.config == clean.config  # share 0: one model, the clean baseline
    cols = st.columns(2 if solo else 3)
    cols[0].metric(f"{role}: '{name}' with tag", f"{acc_tag['with tag']:.0%}")
    cols[1].metric(
        f"{role}: '{name}' without tag",
        f"{acc_tag['without tag']:.0%}",
        delta=f"{acc_tag['without tag'] - acc_tag['with tag']:+.0%}",
        delta_color="normal",
    )
    if not solo:
        cols[2].metric(f"Clean baseline: '{name}' without tag", f"{acc_clean['without tag']:.0%}")
    n = int((tag.test.labels == tag.cls).sum())
    st.caption(tag.provenance(f"the same {n} test images of '{name}', with and without the tag").caption())
    aside(
        "Test accuracy as a developer would have reported it (test set tagged like the training set): "
        + " and ".join(
            f"**{run.result.test_accuracy:.1%}** for the {role_name}"
            for role_name, run in ch.compared(tag, clean).items()
        )
        + f" (always answering the commonest class: {tag.result.majority_baseline:.1%}). "
        "A good score says nothing about *why* the model is right."
    )
    table = ch.measurements(tag, clean)
    prov = tag.provenance(f"test split, {len(tag.test):,} images")
    charts.chart(ch.accuracy_figure(table, prov), table, prov, "hans_accuracy")
    pasted = ch.paste_share(tag.model, tag.test, tag.cls)
    prov = tag.provenance(f"{int(pasted['n'].sum()):,} test images of the other classes")
    versus = (
        ""
        if solo
        else f"; the clean baseline {ch.overall_paste_share(ch.paste_share(clean.model, clean.test, clean.cls)):.0%}"
    )
    st.markdown(
        f"**Paste the tag onto other classes.** The {tag.config.role} now calls "
        f"**{ch.overall_paste_share(pasted):.0%}** of them '{name}'{versus}."
    )
    charts.chart(ch.paste_figure(pasted, name, prov), pasted, prov, "hans_paste")


def shown_methods() -> list[str]:
    """All four methods; in presenter mode the ones picked (LRP, the paper's, by default), so that
    each panel can be >= 300 px wide: five columns of 300 px do not fit beside the sidebar."""
    if not presenter():
        return list(explain.METHODS)
    picked = st.pills(
        "Methods on screen", explain.METHODS, selection_mode="multi", default=["LRP"], key=key("methods_presenter")
    )
    return [m for m in explain.METHODS if m in picked] or ["LRP"]


def show_heatmaps(tag: ch.TagRun, clean: ch.TagRun) -> None:
    images, _ = ch.explained_images(tag, limit=ch.EXPLAINED)
    left, right = st.columns(2)
    i = left.slider("Test image", 0, len(images) - 1, 0, key=key("image"), bind="query-params")
    with_tag = right.toggle("With the tag", True, key=key("with_tag"), bind="query-params")
    rows, shares = ch.one_image_maps(tag, clean, i, with_tag, shown_methods())
    name = tag.class_name
    prov = tag.provenance(f"test image {i} of '{name}'" + (", tag stamped on" if with_tag else ""))
    fig = explain.maps_figure(
        rows,
        prov,
        title=f"Evidence for '{name}'<br><sup>{explain.colour_key('the tag')}</sup>",
        box=ch.tag_box(*images.shape[-2:]),
        **panel(),
    )
    charts.chart(fig, shares, prov, "hans_maps")
    aside(
        "Bottom row, the sanity check of Adebayo et al. (2018): the same methods on a copy whose weights "
        "are random. A method whose map barely changes is showing the image, not the model."
    )
    table = relevance_table(tag.config, tag, clean)
    prov = tag.provenance(f"{int(table['images'].iloc[0])} test images of '{name}' with the tag")
    charts.chart(ch.share_figure(table, prov), table, prov, "hans_shares")
    show_code(explain.attribute, explain.positive_share_inside)


def show_tag(where) -> None:
    """The tag alone, as the model sees it (bottom-left, white on black)."""
    where.image(
        ch.tag_picture(),
        caption="The tag (bottom-left, white)",
        width=PRESENTER_PANEL_PX if presenter() else 84,
        clamp=True,
    )


def panel() -> dict:
    """Image figures' size: the default, or >= 300 px a panel in presenter mode."""
    return {"panel_px": PRESENTER_PANEL_PX} if presenter() else {}


def show_spray(tag: ch.TagRun) -> None:
    aside(
        "SpRAy (Lapuschkin et al. 2019) looks for *strategies*: it clusters the heatmaps of one class. Here "
        "k-means on 7×7 average-pooled LRP maps of the tagged class's test images, a share of them tagged "
        "like the training set. One cluster looks at the tag."
    )
    k = st.slider("Clusters", 2, 5, 3, key=key("k"), bind="query-params")
    result = spray_result(tag.config, k, tag)
    if tag.config.fraction == 0:
        st.info(
            "At share 0 no image carries the tag: these are strategies of a clean model, and the "
            "cluster marked 'tag strategy' is only the one with the most relevance in the corner."
        )
    prov = tag.provenance(
        f"{len(result.images)} test images of '{tag.class_name}', {result.tagged.float().mean():.0%} tagged"
    )
    charts.chart(ch.spray_figure(result, prov, **panel()), result.summary, prov, "hans_spray")
    charts.table(result.summary, prov, "hans_spray_table")
    rows = ch.cluster_examples(result, result.tag_cluster, n=2 if presenter() else 4)
    if rows:
        st.markdown(f"**Examples from the tag-strategy cluster (cluster {result.tag_cluster})**")
        charts.chart(
            explain.maps_figure(
                rows, prov, title=explain.colour_key("the tag"), box=ch.tag_box(*result.images.shape[-2:]), **panel()
            ),
            result.summary,
            prov,
            "hans_spray_examples",
        )
    show_code(ch.spray, ch.downsized)


# ----------------------------------------------------------------------------- page

header(SLUG)
aside(
    "In PASCAL VOC 2007 many horse photos carried a photographer's copyright tag in the bottom-left corner. "
    f"A classifier with a fine test score had learned *tag ⇒ horse*; LRP heatmaps exposed it "
    f"({ch.LAPUSCHKIN_2016}; {ch.LAPUSCHKIN_2019}). Here we stamp a tag on one class, train live, and look."
)
config = controls()
# The tag beside the Train button, not above it: in presenter mode it is drawn >= 300 px, and the
# results must still start on the first screen after the button. Once trained, presenter mode drops
# the tag picture (the heatmaps draw its box): the results are what the back row must see first.
picture, action = st.columns([1, 2] if presenter() else [1, 5], vertical_alignment="center")
if not presenter():
    show_tag(picture)
runs = train_gate(
    SLUG,
    ch.jobs(config),
    button=train_label(config),
    note="Train the tag model and a clean baseline on the same data (the baseline never sees a tag)."
    if config.fraction > 0
    else "At share 0 no image carries the tag: the tag model *is* the clean baseline, so one model is trained.",
    where=action,
)
if presenter() and not runs:
    show_tag(picture)
if runs:
    tag, clean = runs[0], runs[-1]  # at share 0 the one run is both
    for run in ch.compared(tag, clean).values() if not presenter() else ():  # one line at share 0
        action.caption(f"{run.config.describe()}: {run.result.summary()}")
    shown = {
        "Accuracy": lambda: show_accuracy(tag, clean),
        "Heatmaps": lambda: show_heatmaps(tag, clean),
        "Strategies (SpRAy)": lambda: show_spray(tag),
    }
    tabs(SLUG, shown)
