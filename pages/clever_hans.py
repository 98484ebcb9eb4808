"""Clever Hans: the horse tag (issue #5 A). Thin page: widgets -> core.demos.clever_hans / core.explain -> charts.

Training runs only on the button, once per configuration for the whole server (the page's own
SharedRuns store); heatmaps, shares and clusters are cached by the configuration too, computed from
the runs passed in (never looked up inside a cached function).
"""

import inspect
import time

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import torch  # noqa: E402  (after the guard: see ui.shell)

import core.demos.clever_hans as ch  # noqa: E402
from core import explain  # noqa: E402
from core.data import FASHION_CLASSES, DatasetUnavailable, source_status  # noqa: E402
from core.provenance import Provenance  # noqa: E402
from core.training import SharedRuns  # noqa: E402
from ui import charts  # noqa: E402
from ui.runs import page_runs  # noqa: E402
from ui.shell import aside, header, page_key, presenter, seed  # noqa: E402

SLUG = "clever_hans"
key = page_key(SLUG)
PRESENTER_PANEL_PX = 320  # presenter mode: every heatmap panel >= 300 px on screen (issue #13, defect 8)


# ----------------------------------------------------------------------------- cached work


def shared_runs() -> SharedRuns:
    return page_runs(SLUG)  # this page's own store: see ui/runs.py


@st.cache_data(show_spinner="Computing four heatmaps for the tagged class's test images…")
def relevance_table(config: ch.TagConfig, _tag: ch.TagRun, _clean: ch.TagRun) -> pd.DataFrame:
    """Relevance in the tag box per model and method. Cached by ``config`` (hashed); the runs are
    passed unhashed (``_``): they are what ``config`` trains, deterministically."""
    images, targets = ch.explained_images(_tag, limit=50)
    models = {name: run.model for name, run in ch.compared(_tag, _clean).items()}
    models[f"{_tag.config.role}, weights randomised"] = explain.randomized_copy(_tag.model, seed=config.seed)
    return ch.relevance_shares(models, images, targets)


@st.cache_resource(show_spinner="Clustering the relevance maps (LRP, k-means)…", max_entries=8)
def spray_result(config: ch.TagConfig, k: int, _tag: ch.TagRun) -> ch.SprayResult:
    """SpRAy on the run ``config`` trained (passed unhashed). Read-only afterwards: shared by all sessions."""
    return ch.spray(_tag, k=k)


def runs_for(config: ch.TagConfig) -> tuple[ch.TagRun | None, ch.TagRun | None]:
    """(tag model, clean baseline) if trained; at fraction 0 both are the one clean run."""
    runs = shared_runs()
    return runs.peek(ch.run_key(config)), runs.peek(ch.run_key(config.baseline()))


def train_label(config: ch.TagConfig) -> str:
    """The Train button says what was measured (bench/bench_clever_hans.py), for what it will train."""
    n = len(ch.configs(config))
    if config.source != "fashion":
        return "Train (time measured on Fashion-MNIST only)"
    return f"Train (≈ {ch.PRESET_SECONDS * n / 2:.0f} s on 2 cores)"  # the bench times the 2-model preset


def train_all(config: ch.TagConfig) -> None:
    """Train what the experiment needs (two models, one at fraction 0), with a time left estimated
    from the steps done so far: on a busy server the button's figure can be far off."""
    todo = ch.configs(config)
    bar = st.progress(0.0, text="Starting…")
    start = time.perf_counter()
    for i, cfg in enumerate(todo):

        def progress(step, total, metrics, i=i, cfg=cfg):
            done = (i + step / total) / len(todo)
            text = f"Training the {cfg.describe()}: step {step}/{total}"
            if done >= 0.05:
                left = (time.perf_counter() - start) * (1 - done) / done
                text += f" · about {left:.0f} s left (estimated from the steps so far)"
            bar.progress(min(done, 1.0), text=text)

        shared_runs().get_or_run(ch.run_key(cfg), lambda cfg=cfg, progress=progress: ch.train(cfg, progress))
    bar.empty()


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


def provenance(run: ch.TagRun, what: str) -> Provenance:
    versus = " vs clean baseline" if run.config.fraction > 0 else ""
    return Provenance(
        "measured",
        model=f"{run.model.config.describe()}, {run.config.describe()}{versus}",
        data=f"{run.test.info.name}, {what}",
        seed=run.config.seed,
    )


def show_accuracy(tag: ch.TagRun, clean: ch.TagRun) -> None:
    name = tag.test.classes[tag.cls]
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
    st.caption(provenance(tag, f"the same {n} test images of '{name}', with and without the tag").caption())
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
    charts.chart(
        ch.accuracy_figure(table, provenance(tag, f"test split, {len(tag.test):,} images")),
        table,
        provenance(tag, f"test split, {len(tag.test):,} images"),
        "hans_accuracy",
    )
    pasted = ch.paste_share(tag.model, tag.test, tag.cls)
    prov = provenance(tag, f"{int(pasted['n'].sum()):,} test images of the other classes")
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
    images, targets = ch.explained_images(tag, limit=50)
    left, right = st.columns(2)
    i = left.slider("Test image", 0, len(images) - 1, 0, key=key("image"), bind="query-params")
    with_tag = right.toggle("With the tag", True, key=key("with_tag"), bind="query-params")
    methods = shown_methods()
    x = images[i : i + 1] if with_tag else tag.test.images[tag.test.labels == tag.cls][i : i + 1]
    models = {label: run.model for label, run in ch.compared(tag, clean).items()}
    models["randomised"] = explain.randomized_copy(tag.model, seed=tag.config.seed)
    rows = [
        (label, x[0], {m: explain.attribute(model, x, targets[:1], m)[0] for m in methods})
        for label, model in models.items()
    ]
    name = tag.test.classes[tag.cls]
    prov = provenance(tag, f"test image {i} of '{name}'" + (", tag stamped on" if with_tag else ""))
    fig = explain.maps_figure(
        rows,
        prov,
        title=f"Evidence for '{name}'<br><sup>{explain.colour_key('the tag')}</sup>",
        box=ch.tag_box(*x.shape[-2:]),
        **panel(),
    )
    frame = pd.DataFrame(
        [
            {
                "model": r[0],
                "method": m,
                "share_in_box": float(explain.positive_share_inside(v.unsqueeze(0), ch.tag_mask(*x.shape[-2:]))[0]),
            }
            for r in rows
            for m, v in r[2].items()
        ]
    )
    charts.chart(fig, frame, prov, "hans_maps")
    aside(
        "Bottom row, the sanity check of Adebayo et al. (2018): the same methods on a copy whose weights "
        "are random. A method whose map barely changes is showing the image, not the model."
    )
    table = relevance_table(tag.config, tag, clean)
    prov = provenance(tag, f"{int(table['images'].iloc[0])} test images of '{name}' with the tag")
    charts.chart(ch.share_figure(table, prov), table, prov, "hans_shares")
    with st.expander("Show the code"):
        st.code(
            inspect.getsource(explain.attribute) + "\n\n" + inspect.getsource(explain.positive_share_inside),
            language="python",
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
    name = tag.test.classes[tag.cls]
    prov = provenance(tag, f"{len(result.images)} test images of '{name}', {result.tagged.float().mean():.0%} tagged")
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
    with st.expander("Show the code"):
        st.code(inspect.getsource(ch.spray) + "\n\n" + inspect.getsource(ch.downsized), language="python")


# ----------------------------------------------------------------------------- page

header(SLUG)
aside(
    "In PASCAL VOC 2007 many horse photos carried a photographer's copyright tag in the bottom-left corner. "
    f"A classifier with a fine test score had learned *tag ⇒ horse*; LRP heatmaps exposed it "
    f"({ch.LAPUSCHKIN_2016}; {ch.LAPUSCHKIN_2019}). Here we stamp a tag on one class, train live, and look."
)
try:
    config = controls()
    tag, clean = runs_for(config)
    # The tag beside the Train button, not above it: in presenter mode it is drawn >= 300 px, and
    # the results must still start on the first screen after the button.
    # Once trained, presenter mode drops the tag picture (the heatmaps draw its box): the results are what
    # the back row must see on the first screen.
    trained = tag is not None and clean is not None
    picture, action = st.columns([1, 2] if presenter() else [1, 5], vertical_alignment="center")
    if not (presenter() and trained):
        picture.image(
            ch.stamp_tag(torch.zeros(1, 1, 28, 28))[0, 0].numpy(),
            caption="The tag (bottom-left, white)",
            width=PRESENTER_PANEL_PX if presenter() else 84,
            clamp=True,
        )
    if tag is None or clean is None:
        action.info(
            "Train the tag model and a clean baseline on the same data (the baseline never sees a tag)."
            if config.fraction > 0
            else "At share 0 no image carries the tag: the tag model *is* the clean baseline, so one model is trained."
        )
        if action.button(train_label(config), type="primary", icon=":material/play_arrow:", key=key("train")):
            with action:
                train_all(config)
            st.rerun()  # redraw without the button: the results now exist for everyone
    if trained:
        for run in ch.compared(tag, clean).values() if not presenter() else ():  # one line at share 0
            action.caption(
                f"{run.config.describe()}: trained in {run.result.seconds:.1f} s · energy {run.result.carbon.summary()}"
            )
        tabs = {
            "Accuracy": lambda: show_accuracy(tag, clean),
            "Heatmaps": lambda: show_heatmaps(tag, clean),
            "Strategies (SpRAy)": lambda: show_spray(tag),
        }
        for tab, show in zip(
            st.tabs(list(tabs), key=key("tab"), on_change="rerun", bind="query-params"), tabs.values()
        ):
            if tab.open:
                with tab:
                    show()
# Only the errors a user can cause or fix; anything else is a bug and reaches the shell's error
# boundary ("unexpected error"), not a yellow warning that looks like the user's fault.
except DatasetUnavailable as err:
    st.error(str(err))
except ch.ExperimentError as err:
    st.warning(str(err))
