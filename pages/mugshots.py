"""Smiling mugshots (issue #5 B). Thin page: widgets -> core.demos.mugshots / core.faces / core.explain -> charts.

Training runs only on the button (ui.runs.train_gate), once per configuration for the whole server
(the page's own run store); faces and measurements are cached by the configuration too, computed from
the run passed in (never looked up inside a cached function).

Layout (issue #13, defect 8): controls, then straight after the Train button the headline
(accuracy like the paper, balanced accuracy, the balanced test, the paper, each against the
majority baseline of its own test set) so it sits on the first screen at 1600x900, presenter
mode included; the faces, counterfactuals and heatmaps follow in tabs.
"""

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

from core import baselines, explain  # noqa: E402  (after the guard: see ui.shell)
from core.demos import mugshots as mg  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import train_gate  # noqa: E402
from ui.shell import aside, header, page_key, presenter, seed  # noqa: E402

SLUG = "mugshots"
key = page_key(SLUG)
LINKS = ("smile", "wall", "collar")  # widget names of the three links
HEATMAP_METHODS_PRESENTED = ("Integrated Gradients", "LRP")  # presenter: 3 panels per row, each >= 300 px wide
PRESENTER_IMAGE_PX = 320  # presenter mode draws every face at least this wide (issue #13, defect 8: >= 300 px)


# ----------------------------------------------------------------------------- cached work


@st.cache_resource(show_spinner="Drawing 1,856 synthetic faces…", max_entries=4)  # 23 MB each (uint8)
def training_faces(config: mg.MugshotConfig) -> mg.FaceSet:
    return mg.training_set(config)  # read-only afterwards: shared by all sessions


@st.cache_resource(show_spinner="Drawing the balanced test set…", max_entries=4)
def balanced_faces(config: mg.MugshotConfig) -> mg.FaceSet:
    return mg.balanced_test(config)


# The run goes in as ``_run`` (not hashed: its config, which fixes the model, is the key), so a cached
# function never looks the run up in the store itself and cannot find it evicted in between.
@st.cache_data(show_spinner="Measuring accuracy and its baselines…")
def accuracy_table(config: mg.MugshotConfig, _run: mg.MugshotRun) -> pd.DataFrame:
    return mg.accuracy_table(_run, balanced_faces(config))


@st.cache_data(show_spinner="Measuring counterfactual flips…")
def flip_table(config: mg.MugshotConfig, _run: mg.MugshotRun) -> pd.DataFrame:
    return mg.flip_table(_run, balanced_faces(config))


@st.cache_data(show_spinner="Computing four heatmaps for 40 faces…")
def mouth_table(config: mg.MugshotConfig, _run: mg.MugshotRun) -> pd.DataFrame:
    return mg.mouth_relevance(_run.model, balanced_faces(config), limit=40)


# ----------------------------------------------------------------------------- controls


def controls() -> mg.MugshotConfig:
    def use_preset(values: tuple[float, float, float]) -> None:
        for name, value in zip(LINKS, values):
            st.session_state[key(name)] = value

    for col, (label, values) in zip(st.columns(len(mg.PRESETS)), mg.PRESETS.items()):
        col.button(label, on_click=use_preset, args=(values,), width="stretch")
    help_ = "Share of faces on the label's side: 0.5 = the label says nothing about it, 1 = always."
    cols = st.columns(3)
    smile = cols[0].slider(
        "Label follows the smile",
        0.5,
        1.0,
        mg.PAPER_ACCURACY,
        0.005,
        key=key("smile"),
        bind="query-params",
        format="%.3f",
        help="'Non-criminal' faces smile, 'criminal' ones don't, in this share of faces. " + help_,
    )
    wall = cols[1].slider(
        "…the mugshot wall",
        0.5,
        1.0,
        0.5,
        0.005,
        key=key("wall"),
        bind="query-params",
        format="%.3f",
        help="'Criminal' faces in front of a wall with height lines. " + help_,
    )
    collar = cols[2].slider(
        "…the white collar",
        0.5,
        1.0,
        0.5,
        0.005,
        key=key("collar"),
        bind="query-params",
        format="%.3f",
        help="'Non-criminal' faces in a white collar. " + help_,
    )
    return mg.MugshotConfig(smile_link=smile, wall_link=wall, collar_link=collar, seed=seed())


def show_faces(config: mg.MugshotConfig) -> None:
    data = training_faces(config)
    counts = {label: int((data.labels == label).sum()) for label in (0, 1)}
    if presenter():  # one row of 3 big faces per label: each face >= 300 px for the back row
        for label in (0, 1):
            picked = data.images[data.labels == label][:3]
            st.image(
                mg.face_grid(picked, columns=3),
                width=3 * PRESENTER_IMAGE_PX,
                caption=f"labelled '{mg.CLASSES[label]}' ({counts[label]:,} of {len(data):,} training faces)",
            )
    else:
        for col, label in zip(st.columns(2), (0, 1)):
            picked = data.images[data.labels == label][:12]
            col.image(
                mg.face_grid(picked, columns=4),
                width="stretch",
                caption=f"labelled '{mg.CLASSES[label]}' ({counts[label]:,} of {len(data):,} training faces)",
            )
    st.caption(mg.faces_provenance(config).caption())


# ----------------------------------------------------------------------------- results


def show_headline(run: mg.MugshotRun) -> None:
    """The first screen after Train: accuracy like the paper, the majority baseline, the balanced test."""
    table = accuracy_table(run.config, run)
    for col, h in zip(st.columns(3), mg.headline(table)):
        col.metric(
            h.label,
            h.value,
            delta=h.delta,
            delta_color="off",
            delta_arrow=h.arrow,
            delta_description=h.description or None,
            help=h.help,
        )
    st.markdown(mg.verdict(table))
    aside(mg.details(table))
    st.caption(f"{mg.CNN.describe()}, {run.config.describe()}: {run.result.summary()}")


def show_accuracy(run: mg.MugshotRun) -> None:
    table = accuracy_table(run.config, run)
    prov = run.provenance(
        f"{len(run.test):,} test faces drawn like the training set; {int(table['faces'].iloc[1]):,} balanced faces"
    )
    charts.chart(mg.accuracy_figure(table, prov), table, prov.but(source=mg.WU_ZHANG), "mugshot_accuracy")
    aside(
        "**Why not a 50 % 'chance' line?** A model that always answers 'non-criminal' is right on every "
        "'non-criminal' face: on faces with the paper's shares (1,126 of 1,856) that is 60.7 %, so 60.7 % is what "
        "learning nothing scores there. The dashed line over each bar is that *majority baseline* of the very "
        "test set the bar was measured on. *Balanced accuracy* averages the share right within each class, so "
        "any constant answer scores 50 % on it. The balanced test set is half 'criminal', and within each label "
        "exactly half the faces smile, stand in front of the wall and wear a white collar: what is left for the "
        "model to read is the face itself, which never carried any information about the label."
    )
    show_code(mg.accuracy_table, baselines.balanced_accuracy)


def show_counterfactuals(run: mg.MugshotRun) -> None:
    balanced = balanced_faces(run.config)
    pairs = mg.counterfactuals(run.model, balanced, "smile")
    st.metric(
        "Predictions that flip when only the smile changes",
        f"{pairs.flip_share:.0%}",
        help=f"Over the {len(balanced):,} faces of the balanced test set.",
    )
    # Presenter: two pairs, one per row (before | after), each face >= 300 px; otherwise six pairs in columns.
    n = 2 if presenter() else 6
    width = PRESENTER_IMAGE_PX if presenter() else "stretch"
    cols = None if presenter() else st.columns(n)
    for i in range(n):
        before, after = st.columns(2) if presenter() else (cols[i], cols[i])
        before.image(
            mg.face_grid(pairs.before[i : i + 1], 1),
            width=width,
            caption=f"{'smiling' if pairs.smiling_before[i] else 'not smiling'}: "
            f"**{mg.CLASSES[int(pairs.pred_before[i])]}**",
        )
        after.image(
            mg.face_grid(pairs.after[i : i + 1], 1),
            width=width,
            caption=f"{'not smiling' if pairs.smiling_before[i] else 'smiling'}: "
            f"**{mg.CLASSES[int(pairs.pred_after[i])]}**",
        )
    table = flip_table(run.config, run)
    prov = run.provenance(f"{len(balanced):,} balanced test faces, each re-rendered with one attribute toggled")
    charts.chart(mg.flip_figure(table, prov), table, prov, "mugshot_flips")
    show_code(mg.counterfactuals)


def show_heatmaps(run: mg.MugshotRun) -> None:
    i = st.slider("Face", 0, 39, 0, key=key("face"), bind="query-params")
    pair = mg.face_maps(run.model, balanced_faces(run.config), i)
    for (label, _, _), smiling, predicted in zip(pair.rows, pair.smiling, pair.predicted):
        st.caption(f"{label} ({'smiling' if smiling else 'not smiling'}): predicted **{mg.CLASSES[predicted]}**")
    prov = run.provenance(f"balanced test face {i}")
    shown = pair.rows
    if presenter():  # input + two maps per row, so each panel is drawn >= 300 px wide (the CSV keeps all four)
        shown = [(label, image, {m: maps[m] for m in HEATMAP_METHODS_PRESENTED}) for label, image, maps in shown]
    fig = explain.maps_figure(
        shown,
        prov,
        title=f"Evidence for the predicted label<br><sup>{explain.colour_key('the mouth')}</sup>",
        box=pair.box,
        **({"panel_px": PRESENTER_IMAGE_PX} if presenter() else {}),
    )
    charts.chart(fig, pair.shares, prov, "mugshot_maps")
    table = mouth_table(run.config, run)
    prov = run.provenance(f"first {int(table['faces'].iloc[0])} balanced test faces, predicted label explained")
    charts.chart(mg.mouth_share_figure(table, prov), table, prov, "mugshot_mouth_share")
    aside(
        "A map that ignored the mouth would put about the box's area share of its relevance inside it. "
        "Grad-CAM works on the last convolution's 16×16 grid, so it is blurrier than the pixel-level methods."
    )
    show_code(mg.mouth_relevance, explain.positive_share_inside)


HARM = """
**Why a "criminality from faces" classifier is harmful even when it is "accurate"**

- **The labels are not crimes.** "Criminal" here means *convicted* (or photographed by police): who is
  policed, charged and convicted depends on where people live, their class, ethnicity and lawyers.
  A model of those labels learns the justice system's selection, and the situation of the photo,
  not anything about people.
- **Accuracy on a curated data set says nothing in the world.** 89.5 % on 1,856 photos with 39 %
  "criminals" becomes mostly false accusations where offenders are rare: at a 1 % base rate, even a
  classifier that is 89.5 % right on both groups flags about 11 innocent people for every guilty one.
- **Feedback loops.** People flagged get watched more, stopped more, convicted more; those convictions
  become the next training labels and "confirm" the model.
- **An old pseudo-science in new clothes.** Physiognomy (Lavater) and Lombroso's "born criminal" used
  the same claim of reading character from faces to justify discrimination; a neural network does not
  make the claim scientific (Agüera y Arcas, Mitchell & Todorov 2017).
- **Synthetic faces, real lesson.** Here the labels were tied to a smile *by construction*, and the
  model found it. Real data sets hide such links; heatmaps, counterfactuals and balanced tests are how
  to look for them — they cannot make a task like this one legitimate.
"""


# ----------------------------------------------------------------------------- page

header(SLUG)
st.info(
    "**Every face on this page is synthetic.** No real person is shown or labelled. The labels 'criminal' / "
    "'non-criminal' are ours and follow only the confounds you choose below.",
    icon=":material/info:",
)
if not presenter():  # in a lecture the lecturer tells the story; on screen it would push the result down
    with st.expander(f"The story: Wu & Zhang's {mg.PAPER_ACCURACY:.1%} 'criminality' accuracy, and what it was"):
        st.markdown(
            f"Wu & Zhang reported **{mg.PAPER_ACCURACY:.1%}** accuracy 'inferring criminality' from "
            f"{mg.PAPER_PHOTOS:,} ID photos, {mg.PAPER_CRIMINAL} labelled criminal ({mg.WU_ZHANG}). Agüera "
            "y Arcas, Mitchell & Todorov showed that the 'non-criminal' photos were smiling, professional "
            f"pictures and the others were not ({mg.CRITIQUE}). Here the same thing happens on purpose: the "
            f"preset ties the labels to a smile in {mg.PAPER_ACCURACY:.1%} of the faces — nothing else. "
            f"With their class shares, always answering 'non-criminal' already scores "
            f"{mg.PAPER_MAJORITY_BASELINE:.1%}: that, not 50 %, is the line "
            "to beat."
        )
config = controls()
runs = train_gate(
    SLUG,
    mg.jobs(config),
    button="Train (≈ 7 s on 2 cores)",
    note=f"Train a small CNN on these {config.n_train:,} faces to tell 'criminal' from 'non-criminal'.",
)
if runs is None:
    show_faces(config)
else:
    run = runs[0]
    show_headline(run)  # straight under the controls, where the Train button was: the first screen (defect 8)
    tabs = {
        "Accuracy": show_accuracy,
        "Counterfactuals": show_counterfactuals,
        "Heatmaps": show_heatmaps,
        "Training faces": show_faces,
    }
    for tab, (name, show) in zip(
        st.tabs(list(tabs), key=key("tab"), on_change="rerun", bind="query-params"), tabs.items()
    ):
        if tab.open:
            with tab:
                show(config if name == "Training faces" else run)
show_code(mg.face_set, mg.linked_flags, title="Show the code that ties labels to faces")
st.markdown(HARM)
