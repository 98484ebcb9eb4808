"""Smiling mugshots (issue #5 B). Thin page: widgets -> core.mugshots / core.faces / core.explain -> charts.

Training runs only on the button, once per configuration for the whole server (SharedRuns in
st.cache_resource); faces, measurements and heatmaps are cached by the configuration too.
"""
import inspect

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

from core import explain, faces  # noqa: E402  (after the guard: see ui.shell)
from core import mugshots as mg  # noqa: E402
from core.provenance import Provenance  # noqa: E402
from core.training import SharedRuns  # noqa: E402
from ui import charts  # noqa: E402
from ui.runs import page_runs  # noqa: E402
from ui.shell import aside, header, page_key, presenter, seed  # noqa: E402

SLUG = "mugshots"
key = page_key(SLUG)
LINKS = ("smile", "wall", "collar")  # widget names of the three links
PRESETS = {  # label -> (smile, wall, collar) links
    "Wu & Zhang: smile 89.5 %": (mg.PAPER_ACCURACY, 0.5, 0.5),
    "All three cues 80 %": (0.8, 0.8, 0.8),
    "No link": (0.5, 0.5, 0.5),
}


# ----------------------------------------------------------------------------- cached work

def shared_runs() -> SharedRuns:
    return page_runs(SLUG, max_entries=4)  # this page's own store: see ui/runs.py


@st.cache_resource(show_spinner="Drawing 1,856 synthetic faces…", max_entries=4)  # ~100 MB each
def training_faces(config: mg.MugshotConfig) -> mg.FaceSet:
    return mg.training_set(config)  # read-only afterwards: shared by all sessions


@st.cache_resource(show_spinner="Drawing the balanced test set…", max_entries=4)
def balanced_faces(config: mg.MugshotConfig) -> mg.FaceSet:
    return mg.balanced_test(config)


@st.cache_data(show_spinner="Measuring accuracy and counterfactual flips…")
def measurement_table(config: mg.MugshotConfig) -> pd.DataFrame:
    return mg.measurements(run_for(config), balanced_faces(config))


@st.cache_data(show_spinner="Computing four heatmaps for 40 faces…")
def mouth_table(config: mg.MugshotConfig) -> pd.DataFrame:
    return mg.mouth_relevance(run_for(config).model, balanced_faces(config), limit=40)


def run_for(config: mg.MugshotConfig) -> mg.MugshotRun | None:
    return shared_runs().peek(("mugshots", config))


def train(config: mg.MugshotConfig) -> None:
    bar = st.progress(0.0, text="Starting…")

    def progress(step: int, total: int, metrics: dict) -> None:
        bar.progress(step / total, text=f"Training: step {step}/{total}, epoch {metrics['epoch']}")
    shared_runs().get_or_run(("mugshots", config), lambda: mg.train(config, progress))
    bar.empty()


# ----------------------------------------------------------------------------- controls

def controls() -> mg.MugshotConfig:
    def use_preset(values: tuple[float, float, float]) -> None:
        for name, value in zip(LINKS, values):
            st.session_state[key(name)] = value
    for col, (label, values) in zip(st.columns(len(PRESETS)), PRESETS.items()):
        col.button(label, on_click=use_preset, args=(values,), width="stretch")
    help_ = "Share of faces on the label's side: 0.5 = the label says nothing about it, 1 = always."
    cols = st.columns(3)
    smile = cols[0].slider("Label follows the smile", 0.5, 1.0, mg.PAPER_ACCURACY, 0.005, key=key("smile"),
                           bind="query-params", format="%.3f", help="'Non-criminal' faces smile, 'criminal' ones "
                           "don't, in this share of faces. " + help_)
    wall = cols[1].slider("…the mugshot wall", 0.5, 1.0, 0.5, 0.005, key=key("wall"), bind="query-params",
                          format="%.3f", help="'Criminal' faces in front of a wall with height lines. " + help_)
    collar = cols[2].slider("…the white collar", 0.5, 1.0, 0.5, 0.005, key=key("collar"), bind="query-params",
                            format="%.3f", help="'Non-criminal' faces in a white collar. " + help_)
    return mg.MugshotConfig(smile_link=smile, wall_link=wall, collar_link=collar, seed=seed())


def show_faces(config: mg.MugshotConfig) -> None:
    data = training_faces(config)
    n = 8 if presenter() else 12
    cols = st.columns(2)
    for col, label in zip(cols, (0, 1)):
        picked = data.images[data.labels == label][:n]
        col.image(mg.face_grid(picked, columns=4), width="stretch",
                  caption=f"labelled '{mg.CLASSES[label]}' ({int((data.labels == label).sum()):,} of "
                          f"{len(data):,} training faces)")
    st.caption(Provenance("measured", model="core.faces generator", data=f"training set: {config.describe()}",
                          seed=config.seed).caption())


# ----------------------------------------------------------------------------- results

def provenance(run: mg.MugshotRun, what: str) -> Provenance:
    return Provenance("measured", model=f"{mg.CNN.describe()}, {run.config.describe()}",
                      data=f"synthetic faces, {what}", seed=run.config.seed)


def show_accuracy(run: mg.MugshotRun) -> None:
    table = measurement_table(run.config)
    ours, balanced = table["value"].iloc[0], table["value"].iloc[1]
    cols = st.columns(3)
    cols[0].metric("Accuracy, test like training", f"{ours:.1%}")
    cols[1].metric("Wu & Zhang 2016 (published)", f"{mg.PAPER_ACCURACY:.1%}",
                   help=f"{mg.WU_ZHANG}: real photos, other models; not comparable beyond the headline.")
    cols[2].metric("Balanced test (confounds unlinked)", f"{balanced:.1%}", delta=f"{balanced - 0.5:+.1%} vs chance",
                   delta_color="off")
    prov = provenance(run, f"{len(run.test):,} test faces drawn like the training set; {int(table['faces'].iloc[1]):,} "
                           "balanced faces")
    charts.chart(mg.accuracy_figure(table, prov), table, prov.but(source=mg.WU_ZHANG), "mugshot_accuracy")
    aside("The balanced test set is half 'criminal', and within each label exactly half the faces smile, stand in "
          "front of the wall and wear a white collar. Whatever is left for the model to read is the face itself, "
          "which never carried any information about the label: the accuracy falls to chance.")


def show_counterfactuals(run: mg.MugshotRun) -> None:
    balanced = balanced_faces(run.config)
    pairs = mg.counterfactuals(run.model, balanced, "smile")
    st.metric("Predictions that flip when only the smile changes", f"{pairs.flip_share:.0%}",
              help=f"Over the {len(balanced):,} faces of the balanced test set.")
    n = 4 if presenter() else 6
    cols = st.columns(n)
    for i, col in enumerate(cols):
        col.image(mg.face_grid(pairs.before[i:i + 1], 1), width="stretch",
                  caption=f"{'smiling' if pairs.smiling_before[i] else 'not smiling'}: "
                          f"**{mg.CLASSES[int(pairs.pred_before[i])]}**")
        col.image(mg.face_grid(pairs.after[i:i + 1], 1), width="stretch",
                  caption=f"{'not smiling' if pairs.smiling_before[i] else 'smiling'}: "
                          f"**{mg.CLASSES[int(pairs.pred_after[i])]}**")
    table = measurement_table(run.config)
    prov = provenance(run, f"{len(balanced):,} balanced test faces, each re-rendered with one attribute toggled")
    st.caption(prov.caption())
    charts.chart(mg.flip_figure(table, prov), table, prov, "mugshot_flips")
    with st.expander("Show the code"):
        st.code(inspect.getsource(mg.counterfactuals), language="python")


def show_heatmaps(run: mg.MugshotRun) -> None:
    balanced = balanced_faces(run.config)
    i = st.slider("Face", 0, 39, 0, key=key("face"), bind="query-params")
    one = balanced.faces.subset([i])
    twin = faces.render(one.replace(smile=~one.smile))
    rows = []
    for label, image in (("original", balanced.images[i:i + 1]), ("toggled", twin)):
        target = mg.predictions(run.model, image)
        maps = explain.attribute_all(run.model, image, target)
        rows.append((label, image[0], {m: v[0] for m, v in maps.items()}))
        st.caption(f"{label} ({'smiling' if bool(one.smile[0]) == (label == 'original') else 'not smiling'}): "
                   f"predicted **{mg.CLASSES[int(target)]}**")
    top, bottom, left, right = faces.mouth_boxes(one)[0]
    prov = provenance(run, f"balanced test face {i}")
    fig = explain.maps_figure(rows, prov, title="Evidence for the predicted label (red: for, blue: against; "
                              "green: mouth box)", box=(int(top), int(left), int(bottom - top), int(right - left)))
    mask = faces.mouth_masks(one)[0]
    frame = pd.DataFrame([{"face": r[0], "method": m, "share_in_mouth_box": float(
        explain.positive_share_inside(v.unsqueeze(0), mask)[0])} for r in rows for m, v in r[2].items()])
    charts.chart(fig, frame, prov, "mugshot_maps")
    table = mouth_table(run.config)
    prov = provenance(run, f"first {int(table['faces'].iloc[0])} balanced test faces, predicted label explained")
    charts.chart(mg.mouth_share_figure(table, prov), table, prov, "mugshot_mouth_share")
    aside("A map that ignored the mouth would put about the box's area share of its relevance inside it. "
          "Grad-CAM works on the last convolution's 16×16 grid, so it is blurrier than the pixel-level methods.")
    with st.expander("Show the code"):
        st.code(inspect.getsource(mg.mouth_relevance) + "\n\n" + inspect.getsource(explain.positive_share_inside),
                language="python")


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
st.info("**Every face on this page is synthetic**, drawn by a program from random attributes. No real person is "
        "shown or labelled. The labels 'criminal' / 'non-criminal' are assigned by us and carry no information "
        "about the faces: they follow only the confounds you choose below.", icon=":material/info:")
aside(f"Wu & Zhang reported **{mg.PAPER_ACCURACY:.1%}** accuracy 'inferring criminality' from {mg.PAPER_PHOTOS:,} ID "
      f"photos, {mg.PAPER_CRIMINAL} labelled criminal ({mg.WU_ZHANG}). Agüera y Arcas, Mitchell & Todorov showed "
      "that the 'non-criminal' photos were smiling, professional pictures and the others were not "
      f"({mg.CRITIQUE}). Here the same thing happens on purpose: the preset ties the labels to a smile in "
      f"{mg.PAPER_ACCURACY:.1%} of the faces — nothing else.")
try:
    config = controls()
    show_faces(config)
    run = run_for(config)
    if run is None:
        st.info(f"Train a small CNN on these {config.n_train:,} faces to tell 'criminal' from 'non-criminal'.")
        if st.button("Train (≈ 10 s)", type="primary", icon=":material/play_arrow:", key=key("train")):
            train(config)
            st.rerun()  # redraw without the button: the result now exists for everyone
    else:
        st.caption(f"{mg.CNN.describe()}, {config.describe()}: trained in {run.result.seconds:.1f} s · energy "
                   f"{run.result.carbon.summary()}")
        tabs = {"Accuracy": show_accuracy, "Counterfactuals": show_counterfactuals, "Heatmaps": show_heatmaps}
        for tab, show in zip(st.tabs(list(tabs), key=key("tab"), on_change="rerun", bind="query-params"),
                             tabs.values()):
            if tab.open:
                with tab:
                    show(run)
    with st.expander("Show the code that ties labels to faces"):
        st.code(inspect.getsource(mg.face_set) + "\n\n" + inspect.getsource(mg._linked_flags), language="python")
except ValueError as err:
    st.warning(str(err))
st.markdown(HARM)
