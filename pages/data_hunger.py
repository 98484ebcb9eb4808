"""Data hunger (issue #20). Thin page: widgets -> core.demos.data_hunger -> charts.

Three tabs; only the open one runs. The learning curves and the few shots train on their Train buttons
(ui.runs.train_gate), one cached Job per point for the whole server, so a stopped sweep keeps what it finished.
"""

import dataclasses

import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.data_hunger as dh  # noqa: E402  (after the guard: see ui.shell)
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import page_runs, train_gate  # noqa: E402
from ui.shell import aside, header, page_key, seed, tabs  # noqa: E402

SLUG = "data_hunger"
key = page_key(SLUG)


def curves_tab() -> None:
    aside(
        "Vitay (deck 001): *data is never infinite*. The same 5-class problem (sandal, shirt, sneaker, bag, ankle "
        "boot) learned from 10 to 3,000 labelled images by logistic regression on pixels, and by a linear layer on "
        "the features of a small CNN pretrained once on the *other* five classes (transfer). Every point is one "
        f"training of at least {dh.methods.STEPS} steps and {dh.methods.PASSES} passes over its images."
    )
    preset = dataclasses.replace(dh.PRESET, seed=seed())
    quick = train_gate(
        SLUG,
        dh.jobs(preset),
        button=f"Train (≈ {dh.PRESET_SECONDS} s on 2 cores)",
        note=f"Train {len(preset.points())} points ({preset.describe()}) and the backbone: how fast does the error "
        "fall with more labels?",
    )
    if not quick:
        return
    full = dataclasses.replace(dh.FULL, seed=seed())
    full_jobs = dh.jobs(full)
    store = page_runs(SLUG)
    done = sum(store.peek(job.key) is not None for job in full_jobs)
    complete = train_gate(
        SLUG,
        full_jobs,
        button=f"Train the full sweep (≈ {dh.FULL_SECONDS} s on 2 cores)",
        note=f"The full sweep adds the CNN from scratch and with augmentation, and three draws of every point "
        f"({full.describe()}): {done} of {len(full_jobs)} runs are trained. Stopped halfway, it keeps every point "
        "it finished.",
        key="full",
    )
    table = dh.curves.frame(dh.trained(complete or quick))
    laws = dh.curves.exponents(table)
    cols = st.columns(len(laws) + 1)
    for col, row in zip(cols, laws.itertuples()):
        col.metric(f"Exponent b: {row.method.split(' (')[0]}", f"{row.exponent_b:+.2f}")
    low, high = dh.curves.HESTNESS_RANGE
    cols[-1].metric("Published b (Hestness et al. 2017)", f"{low} … {high}")
    match = dh.curves.labels_to_match(table, "logistic", "transfer", 30)
    st.markdown(
        f"**Logistic regression on pixels needs ≈ {match:,.0f} labels to do what transfer does with 30.**"
        if match
        else "**Logistic regression on pixels never reaches, within 3,000 labels, what transfer does with 30.**"
    )
    prov = dh.methods.provenance(seed(), f"{len(table)} points").but(source=dh.curves.HESTNESS_2017)
    charts.chart(dh.figures.learning_curves(table, prov), table, prov, "data_hunger_curves")
    charts.table(laws, prov, "data_hunger_exponents")
    st.caption(
        "Not Hestness et al.'s regime: they fit the power-law region of models grown with the data over 2-3 "
        "orders of magnitude past a small-data region; ours is 10 to 3,000 images, a small budget of steps, one "
        "small model, the small-data region included. The x axis stops at 3,000 because the shipped split holds "
        "only ~4,000 training images of classes 5-9 (the 60,000-image set is not shipped)."
    )
    show_code(dh.methods.train_point, dh.curves.fit_power_law)


def shots_tab() -> None:
    aside(
        "Deck 001: a child learns a new word from one example. Here: k labelled images of each class, the CNN "
        "trained from scratch against a linear layer on features pretrained on the other five classes."
    )
    k = st.select_slider(
        "Labelled examples per class (k)", dh.SHOTS, dh.PRESET_SHOTS, key=key("k"), bind="query-params"
    )
    config = dh.FewShotConfig(k=k, seed=seed())
    runs = train_gate(
        SLUG,
        dh.jobs(config),
        button=f"Train (≈ {dh.SHOT_SECONDS} s on 2 cores)",
        note=f"Train the CNN from scratch and the transferred head on {k} image(s) per class, {config.repeats} draws "
        "each.",
        key="train_shots",
    )
    if not runs:
        return
    store, points = page_runs(SLUG), []
    for other in dh.SHOTS:  # every k trained so far on this server, for the chart
        found = [store.peek(dh.point_key(p)) for p in dataclasses.replace(config, k=other).points()]
        if all(found):
            points += found
    table = dh.shots_frame(points)
    here = table[table.k == k].groupby("method").accuracy.mean()
    cols = st.columns(3)
    cols[0].metric(f"Transfer, k = {k}", f"{here['transfer']:.0%}")
    cols[1].metric(f"CNN from scratch, k = {k}", f"{here['cnn']:.0%}")
    cols[2].metric("Majority class", f"{1 - table.majority_error.iloc[0]:.0%}")
    gain = 100 * (here["transfer"] - here["cnn"])
    st.caption(
        f"Transfer {'gains' if gain >= 0 else 'loses'} {abs(gain):.1f} points at k = {k} (mean of {config.repeats} "
        "draws): what the backbone learned on tops and trousers carries little to shoes and bags. Features "
        "pretrained on far more, and more varied, images are what make few-shot learning work in practice."
    )
    prov = dh.methods.provenance(seed(), f"k per class, {config.repeats} draws")
    charts.chart(dh.figures.few_shot(table, prov), table, prov, "data_hunger_shots")
    if k == 1:
        st.info(
            "One example per class: five images in all. A person shown one sandal and one boot tells the next ones "
            f"apart; here transfer reaches {here['transfer']:.0%} and the CNN {here['cnn']:.0%}: above the majority "
            "class, far from the ~90 % both reach with a few hundred labels (Learning curves tab)."
        )
    st.caption("Train k = 1 and 10 with the slider to see them beside k = 5; the lecture warm-up trains all three.")
    show_code(dh.tasks.few_shot, dh.methods.train_backbone)


def magnitudes_tab() -> None:
    aside(
        "The decks' figures on one log axis, each as published, with its own unit. The blue bars are this page's "
        "training sets."
    )
    source = len(dh.tasks.halves(seed()).source_train)
    ours = {
        "this page: backbone pretraining (classes 0-4)": source,
        "this page: largest learning-curve point": max(dh.curves.SIZES),
        "this page: k = 1 (one image per class)": dh.tasks.N_CLASSES,
    }
    table = dh.magnitudes.frame(ours)
    prov = dh.magnitudes.provenance()
    charts.chart(dh.magnitudes.figure(table, prov), table, prov, "data_hunger_magnitudes")
    charts.table(table, prov, "data_hunger_magnitudes_table")
    show_code(dh.magnitudes.frame)


header(SLUG)
TABS = {"Learning curves": curves_tab, "Few shots": shots_tab, "Orders of magnitude": magnitudes_tab}
tabs(SLUG, TABS)
