"""Bias in word embeddings: analogies, a bias direction, WEAT and debiasing on GloVe 6B 50d.

Thin page: widgets -> core.demos.word_embeddings -> charts. Heavy results (the ten WEATs,
the debiased vectors, the she-he list, the recovery experiment) are cached by their
settings, so moving a slider never recomputes them.
"""

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.word_embeddings as eb  # noqa: E402  (after the guard: see ui.shell)
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.shell import aside, header, literal, page_key, presenter, seed, tabs  # noqa: E402

SLUG = "word_embeddings"
key = page_key(SLUG)  # "word_embeddings.<name>": the URL holds these and "reset" finds them


# ----------------------------------------------------------------------------- cached work


@st.cache_resource(show_spinner="Loading GloVe 6B 50d (400,000 words)…")
def vectors() -> eb.Embeddings:
    return eb.load_glove()  # immutable: one copy serves every session


@st.cache_resource(show_spinner="Hard-debiasing 400,000 vectors…")
def debiased() -> eb.DebiasResult:
    return eb.hard_debias(vectors())  # a new Embeddings object; the original is untouched


@st.cache_resource(show_spinner="Running WEAT 1–10 with permutation tests…")  # results are frozen
def ten_weats(reduced: bool, mc_seed: int) -> tuple[eb.WeatReport, ...]:
    return eb.run_all_weats(vectors(), reduced=reduced, config=eb.WeatConfig(seed=mc_seed))


@st.cache_data(show_spinner="Comparing WEAT before and after debiasing…")
def weats_before_after(mc_seed: int):
    return eb.weat_before_after(vectors(), debiased().embeddings, config=eb.WeatConfig(seed=mc_seed))


@st.cache_data(show_spinner="Searching she–he pairs among the 10,000 most frequent words…")
def she_he_pairs(method: str):
    return eb.generate_analogies(vectors(), eb.gender_direction(vectors(), method))


@st.cache_resource(show_spinner="Training the clustering and the SVM on debiased vectors…")
def recovery(mc_seed: int) -> eb.RecoveryResult:
    return eb.gender_recovery(vectors(), debiased().embeddings, eb.RecoveryConfig(seed=mc_seed))


def parsed(text: str, what: str) -> tuple[str, ...]:
    """Typed words -> known words, telling the user what was changed or not found."""
    try:
        words = eb.parse_words(text, emb, what)
    except eb.WordListError as err:  # empty, too long, ...: say so and carry on with no words
        st.warning(literal(err))
        return ()
    for notice in words.notices:
        st.caption(literal(notice))
    if words.missing:
        st.warning(literal(words.missing_message()))
    return words.found


# ----------------------------------------------------------------------------- page

header(SLUG)
emb = vectors()  # missing GloVe (eb.VectorsNotFound, an Unavailable): the shell's boundary says how to install it
glove = eb.provenance(emb)  # measured on GloVe, all 400,000 words; each chart narrows it with .but(...)
aside(
    f"All numbers are computed live on **{emb.name}** ({eb.GLOVE_SOURCE}). "
    "Published numbers are labelled *published* and come from the cited paper."
)


def show_analogies() -> None:
    presets = {f"{p.a} : {p.b} :: {p.c} : ?": p for p in eb.ANALOGY_PRESETS}

    def use_preset() -> None:
        """Load a preset into the three (URL-bound) word boxes; the boxes alone define the view."""
        p = presets.get(st.session_state[key("preset")])
        if p:
            st.session_state[key("a")], st.session_state[key("b")], st.session_state[key("c")] = p.a, p.b, p.c

    first = eb.ANALOGY_PRESETS[0]
    # Presenter mode's wide layout has room for the preset and the words on one row, which keeps the
    # answer and its warning on the first screen at presenter type sizes.
    slots = st.columns([2, 1, 1, 1]) if presenter() else [st.container(), *st.columns(3)]
    slots[0].selectbox("Load a preset", ["—", *presets], key=key("preset"), on_change=use_preset)
    a = slots[1].text_input("a", first.a, key=key("a"), bind="query-params")
    b = slots[2].text_input("is to b", first.b, key=key("b"), bind="query-params")
    c = slots[3].text_input("as c is to ?", first.c, key=key("c"), bind="query-params")
    exclude = st.toggle(
        "Exclude the three input words (as the papers do)", True, key=key("exclude"), bind="query-params"
    )
    # The answer, the Nissim warning and the chart go into this slot; the refinements (method, how many
    # answers) are read first but drawn below it: above, they pushed the headline off a 1600x900 screen.
    shown = st.container()
    if not presenter():
        left, right = st.columns(2)
        method = left.radio("Method", eb.ANALOGY_METHODS, horizontal=True, key=key("method"), bind="query-params")
        k = right.slider("Answers shown", 3, 20, 10, key=key("k"), bind="query-params")
    else:
        method, k = st.session_state.get(key("method"), "3CosAdd"), st.session_state.get(key("k"), 10)
    with shown:
        try:
            result = eb.analogy(emb, a, b, c, k=k, method=method, exclude_inputs=exclude)
        except eb.WordListError as err:
            st.warning(literal(err))
            return
        st.metric(literal(f"{result.a} : {result.b} :: {result.c} :"), result.answer)
        top_input = result.best_input
        if exclude and int(top_input["rank"]) == 1:  # the lesson: right under the answer
            st.warning(
                f"Without the exclusion the answer would be **{literal(top_input['word'])}** — one of the inputs "
                f"(score {top_input['score']:.3f}). The famous answer exists only because the procedure "
                "forbids it (Nissim, van Noord & van der Goot 2020)."
            )
        if result.note:
            st.info(result.note)
        charts.chart(
            eb.analogy_figure(result, emb),
            result.candidates,
            glove.but(data=f"{method}, top {k}, inputs {'excluded' if exclude else 'allowed'}"),
            "analogy",
        )
        st.markdown("**Where the input words would have ranked** (same scores, nothing excluded):")
        charts.table(result.inputs, glove.but(source=eb.NISSIM_SOURCE), "analogy_inputs")


def show_neighbours() -> None:
    word = st.text_input("Word", "nurse", key=key("word"), bind="query-params")
    n = st.slider("How many", 5, 30, 10, key=key("n"), bind="query-params")
    try:
        charts.table(eb.neighbours(emb, word, k=n), glove.but(data="cosine over all 400,000 words"), "neighbours")
    except eb.WordListError as err:
        st.warning(literal(err))


def show_bias_direction() -> None:
    kinds = {
        "Gender: Bolukbasi's PCA of 10 definitional pairs": "pca",
        "Gender: she − he": "she-he",
        "My own axis from two word lists": "custom",
    }
    kind = kinds[st.radio("Direction", list(kinds), key=key("direction"), bind="query-params")]
    try:
        if kind == "custom":
            left, right = st.columns(2)
            pos = left.text_area(
                "Positive end (+)", "rich, wealthy, affluent, prosperous", key=key("pos"), bind="query-params"
            )
            neg = right.text_area(
                "Negative end (−)", "poor, impoverished, needy, destitute", key=key("neg"), bind="query-params"
            )
            direction = eb.axis_direction(emb, pos, neg)
        else:
            direction = eb.gender_direction(emb, kind)
        st.caption(f"{direction.name}: {direction.method}")
        if direction.explained_variance and not presenter():
            aside(
                "Bolukbasi et al. take the first principal component as *the* gender direction; the chart shows "
                "how much of the variance of the centred pairs it explains."
            )
            ev = direction.explained_variance
            charts.chart(
                eb.explained_variance_figure(direction, emb),
                pd.DataFrame({"component": range(1, len(ev) + 1), "explained_variance": ev}),
                glove.but(data="10 definitional pairs", source=eb.BOLUKBASI_SOURCE),
                "explained_variance",
            )
        typed = parsed(
            st.text_input(
                "Also place these words", "nurse, surgeon, homemaker, programmer", key=key("typed"), bind="query-params"
            ),
            "Typed words",
        )
        table = eb.profession_projections(emb, direction, extra=typed)
        charts.chart(
            eb.projection_figure(table, direction, emb, highlight=typed),
            table,
            glove.but(data="Bolukbasi et al.'s 320 professions + typed words", source=eb.BOLUKBASI_SOURCE),
            "projections",
        )
    except eb.WordListError as err:
        st.warning(literal(err))


def show_she_he_pairs() -> None:
    aside(
        "Bolukbasi et al. generate analogies *she : x :: he : y* automatically: pairs of close words whose "
        "difference points along the gender direction. Gender-specific pairs (her/his) are expected; the "
        "rest are the stereotypes. 50-d vectors make the list noisier than the paper's 300-d word2vec."
    )
    pairs = she_he_pairs("pca")
    show = (
        pairs
        if not st.toggle("Hide gender-specific pairs", True, key=key("hide_specific"), bind="query-params")
        else pairs[~pairs["gender_specific"]]
    )
    charts.table(
        show.head(40), glove.but(data="10,000 most frequent words", source=eb.BOLUKBASI_SOURCE), "she_he_pairs"
    )


def show_weat() -> None:
    reduced = st.toggle(
        "Use the reduced name sets of the paper's Table 1", True, key=key("reduced"), bind="query-params"
    )
    reports = ten_weats(reduced, seed())
    table = eb.weat_table(reports)
    weat_prov = glove.but(
        seed=seed(),
        data="word lists of Caliskan et al. 2017",
        source=f"paper_d: {eb.CALISKAN_SOURCE} (GloVe 840B, published)",
    )
    charts.chart(eb.weat_comparison_figure(table, emb), table, weat_prov, "weat_comparison")
    charts.table(table, weat_prov, "weat_table")
    choice = st.selectbox("Look at one test", [r.title for r in reports], key=key("weat"), bind="query-params")
    report = next(r for r in reports if r.title == choice)
    charts.chart(eb.weat_figure(report, emb), table[table["test"] == choice.split(":")[0]], weat_prov, "weat_one")
    for name, words in report.missing.items():
        if words:
            st.caption(f"Missing from the vocabulary in *{name}*: {literal(', '.join(words))}")
    if report.collisions:
        st.caption(f"Names that are also ordinary words once lower-cased: {literal(', '.join(report.collisions))}")
    show_code(eb.weat, eb.permutation_p_value, title="Show the code of the WEAT that ran")
    with st.form(key("own_weat_form")):
        st.markdown("**Your own WEAT** — four word lists, comma-separated")
        c1, c2 = st.columns(2)
        x = c1.text_area("Targets X", "math, algebra, geometry, calculus, equations")
        y = c2.text_area("Targets Y", "poetry, art, dance, literature, novel")
        a_ = c1.text_area("Attributes A", "male, man, boy, brother, he, him, his, son")
        b_ = c2.text_area("Attributes B", "female, woman, girl, sister, she, her, hers, daughter")
        submitted = st.form_submit_button("Run WEAT")
    if submitted:
        try:
            own = eb.weat_from_text(emb, x, y, a_, b_, config=eb.WeatConfig(seed=seed()))
            for notice in own.notices:
                st.caption(literal(notice))
            for name, words in own.missing.items():  # left out of the test: say so, or d looks like all of them
                if words:
                    st.warning(literal(f"Not in the vocabulary, left out of set {name}: {', '.join(words)}."))
            st.metric("Effect size d", f"{own.result.effect_size:.2f}", help=own.result.p_text())
            st.caption(f"{own.result.p_text()} · " + weat_prov.but(data="your four word sets", source="").caption())
            charts.chart(eb.weat_figure(own, emb), eb.weat_table([own]), weat_prov.but(source=""), "weat_own")
        except eb.WordListError as err:
            st.warning(literal(err))


def show_debiasing() -> None:
    aside(
        "Hard debiasing (Bolukbasi et al. 2016) removes the gender direction from every word that is not "
        "gender-specific, then makes pairs like grandmother/grandfather symmetric. Gonen & Goldberg (2019) "
        "ask whether the bias is really gone."
    )
    if st.toggle("Apply hard debiasing", False, key=key("debias"), bind="query-params"):
        result = debiased()
        st.caption(
            f"{result.n_neutralized:,} words neutralised, {len(result.equalized)} pairs equalised, "
            f"{len(result.gender_specific):,} gender-specific words left as they were."
        )
        words = parsed(
            st.text_input(
                "Words to compare",
                "nurse, homemaker, receptionist, engineer, captain, programmer, grandmother, king",
                key=key("compare"),
                bind="query-params",
            ),
            "Words to compare",
        )
        if words:
            before_after = eb.compare_projections(emb, result.embeddings, words, result.direction)
            charts.chart(
                eb.debias_projection_figure(before_after, result.direction, emb),
                before_after,
                glove.but(source=eb.BOLUKBASI_SOURCE),
                "debias_projections",
            )
        st.markdown("**WEAT on the gender tests, before and after**")
        charts.table(weats_before_after(seed()), glove.but(seed=seed(), source=eb.CALISKAN_SOURCE), "weat_debias")
        st.markdown("**Lipstick on a pig?** Is the old gender still recoverable from the debiased vectors?")
        rec = recovery(seed())
        m1, m2 = st.columns(2)
        m1.metric(
            "k-means clusters match old gender",
            f"{rec.cluster_after:.1%}",
            delta=f"{rec.cluster_after - rec.cluster_before:+.1%} vs before",
            delta_color="off",
        )
        m2.metric(
            "SVM predicts old gender",
            f"{rec.classify_after:.1%}",
            delta=f"{rec.classify_after - rec.classify_before:+.1%} vs before",
            delta_color="off",
        )
        st.caption(
            "Chance is 50 %. "
            + glove.but(
                seed=seed(),
                data=f"{rec.config.n_cluster} (k-means) and {rec.config.n_classify:,} (SVM) most biased of the "
                f"{rec.config.vocab_limit:,} most frequent words",
                source=eb.GONEN_SOURCE,
            ).caption()
        )
        st.caption(
            "Published: Gonen & Goldberg (2019) found the same on hard-debiased 300-d word2vec — "
            "92.5 % cluster agreement, 88.9 % SVM accuracy."
        )
        coords = pd.DataFrame(
            {"word": rec.words, "leaned_she": rec.labels, "pc1": rec.coords_after[:, 0], "pc2": rec.coords_after[:, 1]}
        )
        charts.chart(
            eb.recovery_figure(rec, emb),
            coords,
            glove.but(seed=seed(), data="500 most biased of the 50k most frequent words", source=eb.GONEN_SOURCE),
            "recovery",
        )
    else:
        st.info("Switch on *Apply hard debiasing* to compute the debiased vectors (about a second).")


def show_word_map() -> None:
    words = parsed(
        st.text_area(
            "Words to place",
            "he, she, king, queen, doctor, nurse, engineer, homemaker, rich, poor, banker, cleaner",
            key=key("map_words"),
            bind="query-params",
        ),
        "Words to place",
    )
    st.caption("Horizontal axis: the gender direction (Bolukbasi's PCA). Vertical axis: your two word lists.")
    left, right = st.columns(2)
    up = left.text_input(
        "Vertical axis, top end", "rich, wealthy, affluent, prosperous", key=key("map_up"), bind="query-params"
    )
    down = right.text_input(
        "Vertical axis, bottom end", "poor, impoverished, needy, destitute", key=key("map_down"), bind="query-params"
    )
    try:
        x_axis, y_axis = eb.gender_direction(emb, "pca"), eb.axis_direction(emb, up, down)
        if words:
            table = eb.projections(emb, words, x_axis).merge(
                eb.projections(emb, words, y_axis), on="word", suffixes=("_x_gender", "_y_axis")
            )
            charts.chart(eb.scatter_figure(emb, list(words), x_axis, y_axis), table, glove, "word_map")
    except eb.WordListError as err:
        st.warning(literal(err))


# Only the open tab runs (on_change="rerun"): a hidden tab costs nothing, and the open tab is in the URL.
TABS = {
    "Analogies": show_analogies,
    "Neighbours": show_neighbours,
    "Bias direction": show_bias_direction,
    "She–he pairs": show_she_he_pairs,
    "WEAT": show_weat,
    "Debiasing": show_debiasing,
    "Word map": show_word_map,
}
tabs(SLUG, TABS)
