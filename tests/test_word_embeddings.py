"""core.demos.word_embeddings: each formula pinned on tiny hand-made vectors, then checked on GloVe."""

from __future__ import annotations

import itertools
import math
import threading

import numpy as np
import plotly.graph_objects as go
import pytest

from core.demos import word_embeddings as eb
from core.demos.word_embeddings import Embeddings, WeatConfig, WordListError
from core.plots import BASE_FONT, provenance_of


@pytest.fixture(scope="module")
def emb() -> Embeddings:
    return eb.load_glove()


@pytest.fixture(scope="module")
def debiased(emb) -> eb.DebiasResult:
    return eb.hard_debias(emb)


def unit(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


@pytest.fixture
def plane() -> Embeddings:
    """Words on the unit circle: attributes a (0°) and b (90°), targets at chosen angles.

    With A = [a], B = [b]: s(w) = cos θ - sin θ, so
    x1 (0°) -> 1, x2 (-45°) -> √2, y1 (45°) -> 0, y2 (90°, same as b) -> -1.
    """
    angles = {"a": 0, "b": 90, "xone": 0, "xtwo": -45, "yone": 45, "ytwo": 90}
    return Embeddings.from_arrays(list(angles), [unit(t) for t in angles.values()], "plane")


# =========================================================================== neighbours & analogies


def test_analogy_with_exclusion_returns_queen(emb):
    result = eb.analogy(emb, "man", "king", "woman")
    assert result.answer == "queen"
    assert result.exclude_inputs and result.method == "3CosAdd"
    assert list(result.candidates["rank"]) == list(range(1, 11))
    assert result.candidates["score"].is_monotonic_decreasing


def test_without_exclusion_the_answer_is_an_input_word(emb):
    # Nissim et al. (2020): the famous answers exist because b may not be returned.
    kept = eb.analogy(emb, "man", "king", "woman", exclude_inputs=False)
    assert kept.answer == "king"
    excluded = eb.analogy(emb, "man", "doctor", "woman")
    assert excluded.answer == "nurse"
    ranks = dict(zip(excluded.inputs["word"], excluded.inputs["rank"]))
    assert ranks["doctor"] == 1  # "would have ranked first"
    assert excluded.inputs.set_index("word").loc["doctor", "score"] > excluded.candidates["score"].iloc[0]


def test_3cosmul_also_finds_queen(emb):
    assert eb.analogy(emb, "man", "king", "woman", method="3CosMul").answer == "queen"


def test_analogy_scores_match_the_formulas(plane):
    a, b, c = (plane.vector(w) for w in ("a", "b", "yone"))
    add = plane.vectors @ ((b - a + c) / np.linalg.norm(b - a + c))
    np.testing.assert_allclose(eb.analogy_scores(plane, "a", "b", "yone"), add, rtol=1e-6)
    cos = lambda v: (plane.vectors @ v + 1) / 2  # noqa: E731
    mul = cos(b) * cos(c) / (cos(a) + 1e-3)
    np.testing.assert_allclose(eb.analogy_scores(plane, "a", "b", "yone", "3CosMul"), mul, rtol=1e-5)
    with pytest.raises(ValueError):
        eb.analogy_scores(plane, "a", "b", "yone", "3CosSomething")


def test_bad_analogy_input_gives_a_message_not_a_traceback(emb):
    with pytest.raises(WordListError, match="Word b is empty"):
        eb.analogy(emb, "man", "", "woman")
    with pytest.raises(WordListError, match="Did you mean: .*king"):
        eb.analogy(emb, "man", "kign", "woman")
    with pytest.raises(WordListError, match="single word"):
        eb.analogy(emb, "man", "new york", "woman")
    with pytest.raises(WordListError, match="between 1 and 1,000"):
        eb.analogy(emb, "man", "king", "woman", k=0)


def test_neighbours_equal_a_full_sort(emb):
    table = eb.neighbours(emb, "Nurse", k=10)
    cosines = emb.vectors @ emb.vector("nurse")
    expected = [emb.words[i] for i in np.argsort(-cosines)[1:11]]  # [0] is nurse itself
    assert list(table["word"]) == expected
    np.testing.assert_allclose(table["cosine"], np.sort(cosines)[::-1][1:11], rtol=1e-6)
    assert "nurse" not in set(eb.neighbours(emb, "nurse", k=50, vocab_limit=20_000)["word"])


def test_shared_vectors_answer_the_same_from_many_threads(emb):
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(eb.analogy(emb, "paris", "france", "rome").answer))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == ["italy"] * 8


# =========================================================================== directions


def test_pca_direction_of_parallel_pairs_is_their_difference():
    # Three pairs that differ only along the first axis (plus pair-specific offsets elsewhere).
    words = ["f1", "m1", "f2", "m2", "f3", "m3"]
    vectors = [[1, 1, 0], [-1, 1, 0], [2, 0, 1], [-2, 0, 1], [1, -1, 1], [-1, -1, 1]]
    tiny = Embeddings.from_arrays(words, vectors)
    d = eb.pca_direction(tiny, [("f1", "m1"), ("f2", "m2"), ("f3", "m3")], "toy", "f", "m")
    np.testing.assert_allclose(d.vector, [1, 0, 0], atol=1e-12)  # oriented towards the first words
    assert d.explained_variance[0] == pytest.approx(1.0)
    with pytest.raises(WordListError, match="at least 2 pairs"):
        eb.pca_direction(tiny, [("f1", "m1"), ("f1", "zz")], "toy", "f", "m")


def test_gender_direction_points_from_he_to_she(emb):
    pca = eb.gender_direction(emb)
    simple = eb.gender_direction(emb, "she-he")
    assert len(pca.used) == 10 and not pca.missing
    assert sum(pca.explained_variance) == pytest.approx(1.0)
    assert pca.explained_variance[0] == max(pca.explained_variance)
    assert float(pca.vector @ simple.vector) > 0.8  # the two definitions agree
    for d in (pca, simple):
        assert emb.vector("she") @ d.vector > emb.vector("he") @ d.vector
        assert emb.vector("nurse") @ d.vector > emb.vector("carpenter") @ d.vector


def test_axis_from_two_lists_and_its_errors(emb):
    axis = eb.axis_direction(emb, "rich, wealthy, affluent", "poor, impoverished, needy")
    assert axis.positive == "rich" and axis.negative == "poor"
    assert np.linalg.norm(axis.vector) == pytest.approx(1.0)
    assert emb.vector("millionaire") @ axis.vector > emb.vector("beggar") @ axis.vector
    with pytest.raises(WordListError, match="both ends"):
        eb.axis_direction(emb, "rich, poor", "poor")
    with pytest.raises(WordListError, match="empty"):
        eb.axis_direction(emb, "", "poor")
    with pytest.raises(WordListError, match="need at least 1 known word"):
        eb.axis_direction(emb, "qqqzzz", "poor")


def test_profession_projections_cover_all_320(emb):
    g = eb.gender_direction(emb)
    table = eb.profession_projections(emb, g)
    assert len(table) == 320
    known = table[table["in_vocabulary"]]
    assert known["projection"].is_monotonic_increasing
    assert table.loc[~table["in_vocabulary"], "projection"].isna().all()
    assert "adjunct_professor" in set(table.loc[~table["in_vocabulary"], "word"])
    # The stereotype is there: the crowd's "female" professions project towards she.
    assert np.corrcoef(known["projection"], known["stereotypical"])[0, 1] < -0.3
    with_typed = eb.profession_projections(emb, g, extra=["volleyball", "nurse", "volleyball"])
    assert len(with_typed) == 321  # nurse is already a profession; duplicates count once
    assert np.isnan(with_typed.set_index("word").loc["volleyball", "stereotypical"])


# =========================================================================== analogy generation


def brute_force_generation(tiny: Embeddings, g: np.ndarray, delta: float, top_n: int) -> list[tuple[str, str]]:
    """Every ordered pair, scored by cos(x - y, g), greedy with each word once per side."""
    scored = []
    for x, y in itertools.permutations(tiny.words, 2):
        diff = tiny.vector(x).astype(float) - tiny.vector(y)
        if np.linalg.norm(diff) <= delta and diff @ g > 0:
            scored.append((diff @ g / np.linalg.norm(diff), x, y))
    used_x, used_y, pairs = set(), set(), []
    for _, x, y in sorted(scored, reverse=True):
        if x not in used_x and y not in used_y:
            used_x.add(x), used_y.add(y), pairs.append((x, y))
    return pairs[:top_n]


def test_generation_matches_brute_force():
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdefghij"), 6)) for _ in range(60)]
    tiny = Embeddings.from_arrays(words, rng.normal(size=(60, 4)))
    g = np.array([1.0, 0, 0, 0])
    direction = eb.Direction("toy", g, "+", "-", "axis 0")
    config = eb.GenerationConfig(vocab_limit=None, delta=1.2, top_n=15, skip_names=False, block=7)
    table = eb.generate_analogies(tiny, direction, config)
    assert list(zip(table["positive"], table["negative"])) == brute_force_generation(tiny, g, 1.2, 15)
    assert table["score"].is_monotonic_decreasing and (table["distance"] <= 1.2 + 1e-6).all()
    assert table["positive"].is_unique and table["negative"].is_unique


def test_she_he_analogies_on_glove_start_with_definitional_pairs(emb):
    table = eb.generate_analogies(emb, eb.gender_direction(emb), eb.GenerationConfig(vocab_limit=3_000, top_n=20))
    top = set(zip(table["positive"], table["negative"]))
    assert {("she", "he"), ("mother", "father")} <= top
    assert table["gender_specific"].iloc[:4].all()  # (actress/actor is 5th: "actor" is not in the seed list)


# =========================================================================== WEAT


def test_weat_d_and_p_by_hand(plane):
    # s: X = {1, √2}, Y = {0, -1}. d = (mean X - mean Y) / sample SD of all four.
    result = eb.weat(plane, ["xone", "xtwo"], ["yone", "ytwo"], ["a"], ["b"])
    np.testing.assert_allclose(result.s_x, [1, math.sqrt(2)], atol=1e-6)
    np.testing.assert_allclose(result.s_y, [0, -1], atol=1e-6)
    expected_d = ((1 + math.sqrt(2)) / 2 + 0.5) / math.sqrt(3.5 / 3)  # squared deviations sum to 3.5
    assert result.effect_size == pytest.approx(expected_d, abs=1e-5)
    # 6 ways to split {1, √2, 0, -1} into 2 + 2; only the observed one has a difference ≥ 1.707.
    assert result.p_method == "exact" and result.n_splits == 6
    assert result.p_value == pytest.approx(1 / 6)
    assert result.statistic == pytest.approx(1 + math.sqrt(2) + 1, abs=1e-5)  # Caliskan's Σs_x - Σs_y


def test_swapping_targets_negates_d(plane, emb):
    forward = eb.weat(plane, ["xone", "xtwo"], ["yone", "ytwo"], ["a"], ["b"])
    swapped = eb.weat(plane, ["yone", "ytwo"], ["xone", "xtwo"], ["a"], ["b"])
    assert swapped.effect_size == pytest.approx(-forward.effect_size)
    assert swapped.p_value == pytest.approx(1.0)  # every split is at least as large as the smallest
    spec = eb.weat_specs()[5]
    X, Y, A, B = ([w.lower() for w in words] for words in spec.words)
    d = eb.weat(emb, X, Y, A, B).effect_size
    assert eb.weat(emb, Y, X, A, B).effect_size == pytest.approx(-d)
    assert eb.weat(emb, X, Y, B, A).effect_size == pytest.approx(-d)


def brute_force_p(s_x, s_y) -> float:
    values, n_x = list(s_x) + list(s_y), len(s_x)
    observed = sum(s_x) / n_x - sum(s_y) / len(s_y)
    hits = total = 0
    for chosen in itertools.combinations(range(len(values)), n_x):
        x = [values[i] for i in chosen]
        y = [values[i] for i in range(len(values)) if i not in chosen]
        total += 1
        hits += sum(x) / len(x) - sum(y) / len(y) >= observed - 1e-12
    return hits / total


@pytest.mark.parametrize("n_x, n_y, seed", [(6, 6, 0), (5, 7, 1), (8, 8, 2), (3, 3, 3)])
def test_exact_p_equals_brute_force_enumeration(n_x, n_y, seed):
    rng = np.random.default_rng(seed)
    s_x, s_y = rng.normal(0.3, 1, n_x), rng.normal(0, 1, n_y)
    p, method, n_splits = eb.permutation_p_value(s_x, s_y)
    assert method == "exact" and n_splits == math.comb(n_x + n_y, n_x)
    assert p == pytest.approx(brute_force_p(s_x, s_y), abs=1e-15)


def test_monte_carlo_p_is_reproducible_and_close_to_exact():
    rng = np.random.default_rng(4)
    s_x, s_y = rng.normal(0.5, 1, 8), rng.normal(0, 1, 8)
    exact, _, _ = eb.permutation_p_value(s_x, s_y)
    config = WeatConfig(exact_max_partitions=0, mc_samples=20_000, seed=7)
    p1, method, n = eb.permutation_p_value(s_x, s_y, config)
    p2, _, _ = eb.permutation_p_value(s_x, s_y, config)
    p3, _, _ = eb.permutation_p_value(s_x, s_y, WeatConfig(exact_max_partitions=0, mc_samples=20_000, seed=8))
    assert method == "monte carlo" and n == 20_000
    assert p1 == p2  # same seed, same p
    assert p1 != p3
    assert abs(p1 - exact) < 4 * math.sqrt(exact * (1 - exact) / 20_000) + 1e-4


def test_weat_refuses_sets_it_cannot_compare(plane):
    with pytest.raises(WordListError, match="at least 2"):
        eb.weat(plane, ["xone"], ["yone", "ytwo"], ["a"], ["b"])
    with pytest.raises(WordListError, match="share words"):
        eb.weat(plane, ["xone", "xtwo"], ["xone", "ytwo"], ["a", "xtwo"], ["b", "yone"])
    circle = Embeddings.from_arrays([f"w{i}" for i in range(8)], [unit(20 * i) for i in range(8)])
    with pytest.raises(WordListError, match="unbalanced"):
        eb.weat(circle, ["w0", "w1", "w2"], ["w3"], ["w6"], ["w7"], WeatConfig(min_targets=1))


def test_the_ten_paper_tests_are_all_there():
    specs = eb.weat_specs()
    assert [s.number for s in specs] == list(range(1, 11))
    assert set(eb.CALISKAN_TABLE1) == set(range(1, 11))
    assert specs[0].names == ("Flowers", "Insects", "Pleasant", "Unpleasant")
    assert specs[2].removed[0] and "Chip" in specs[2].removed[0]
    assert specs[9].words[3][-1] == "failure"  # the typo "failur" is corrected
    assert specs[5].iat["d"] == "0.72"  # the human IAT result, kept apart from the paper's GloVe d


def test_run_weat_reports_missing_words_and_name_collisions(emb):
    reports = eb.run_all_weats(emb)
    by_number = {int(r.title.split(":")[0].split()[1]): r for r in reports}
    assert by_number[1].missing["Flowers"] == ("gladiola",)
    assert "bill" in by_number[6].collisions
    assert len(by_number[3].result.X) == len(by_number[3].result.Y) == 32  # the paper's reduced 32 + 32
    assert len(by_number[4].result.X) == 16
    assert by_number[6].result.p_method == "exact" and by_number[1].result.p_method == "monte carlo"
    assert all(r.result.effect_size > 0 for r in reports)  # every bias points the way the paper found
    assert any("lower-cased" in n for n in by_number[6].notices)
    table = eb.weat_table(reports)
    assert list(table["paper_d"]) == [eb.CALISKAN_TABLE1[n][0] for n in range(1, 11)]
    assert table.loc[0, "missing"] == "gladiola"


def test_full_name_sets_run_too(emb):
    report = eb.run_weat(emb, eb.weat_specs()[2], reduced=False)
    assert len(report.result.X) + len(report.missing["European American names"]) == 50


def test_user_weat_from_text_and_its_messages(emb):
    report = eb.weat_from_text(
        emb,
        "math, algebra, geometry, calculus",
        "poetry, art, dance, literature",
        "he, him, his, man",
        "she, her, hers, woman",
    )
    assert report.result.effect_size > 0 and report.paper_d is None
    with pytest.raises(WordListError, match="Set X is empty"):
        eb.weat_from_text(emb, "", "poetry", "he", "she")
    with pytest.raises(WordListError, match="at least 2 in set X"):
        eb.weat_from_text(emb, "math", "poetry", "he, him", "she, her")
    with pytest.raises(WordListError, match="at least 1 in set B"):
        eb.weat_from_text(emb, "math, algebra", "poetry, art", "he", "qqqzz")
    with pytest.raises(WordListError, match="unbalanced"):
        eb.weat_from_text(emb, "math, algebra", "poetry, art, dance, drama, novel", "he, him", "she, her")
    with pytest.raises(WordListError, match="share words"):
        eb.weat_from_text(emb, "math, art", "art, poetry", "he, him", "she, her")
    report = eb.weat_from_text(emb, "Math, algebra, qqqzz", "poetry, art", "he, him", "she, her")
    assert report.missing["X"] == ("qqqzz",)
    assert any("Lower-cased" in n for n in report.notices)


# =========================================================================== debiasing


def test_neutralised_words_have_zero_projection(emb, debiased):
    g = debiased.direction.vector
    after = debiased.embeddings
    for word in ("nurse", "engineer", "receptionist", "captain", "homemaker", "brilliant"):
        assert abs(float(after.vector(word) @ g)) < 1e-6
    rows = np.random.default_rng(0).choice(len(after), 2_000, replace=False)
    neutral = [r for r in rows if after.words[r] not in debiased.gender_specific]
    assert np.abs(after.vectors[neutral] @ g).max() < 1e-6
    np.testing.assert_allclose(np.linalg.norm(after.vectors[rows], axis=1), 1, atol=1e-5)


def test_equalised_pairs_are_symmetric_about_the_direction(debiased):
    g, after = debiased.direction.vector, debiased.embeddings
    assert ("grandmother", "grandfather") in {tuple(sorted(p, reverse=True)) for p in debiased.equalized}
    for a, b in debiased.equalized:
        va, vb = after.vector(a).astype(float), after.vector(b).astype(float)
        assert va @ g == pytest.approx(-(vb @ g), abs=1e-6)
        np.testing.assert_allclose(va - (va @ g) * g, vb - (vb @ g) * g, atol=1e-6)
        assert np.linalg.norm(va) == pytest.approx(1, abs=1e-6)


def test_debiasing_returns_a_new_object_and_leaves_the_shared_one_alone(emb, debiased):
    g = debiased.direction.vector
    assert debiased.embeddings is not emb and not debiased.embeddings.vectors.flags.writeable
    assert float(emb.vector("nurse") @ g) > 0.2  # original still biased
    np.testing.assert_array_equal(debiased.embeddings.vector("actress"), emb.vector("actress"))  # gender-specific
    small = eb.hard_debias(emb, config=eb.DebiasConfig(vocab_limit=50_000, equalize=False))
    assert len(small.embeddings) == 50_000 and small.equalized == ()


def test_debiasing_removes_projection_bias_but_gender_is_recoverable(emb, debiased):
    g = debiased.direction
    table = eb.compare_projections(emb, debiased.embeddings, ["nurse", "captain", "she", "he"], g)
    assert (table.set_index("word").loc[["nurse", "captain"], "after"].abs() < 1e-6).all()
    weats = eb.weat_before_after(emb, debiased.embeddings, numbers=(7,))
    assert abs(weats.loc[0, "d_after"]) < abs(weats.loc[0, "d_before"])
    # Gonen & Goldberg (2019): the old gender is still readable from the debiased vectors.
    config = eb.RecoveryConfig(vocab_limit=20_000, n_cluster=300, n_classify=1_500, n_train=500)
    recovery = eb.gender_recovery(emb, debiased.embeddings, config)
    assert recovery.cluster_before > 0.95 and recovery.classify_before > 0.95
    assert recovery.cluster_after > 0.8 and recovery.classify_after > 0.8  # far above chance (0.5)


# =========================================================================== figures


@pytest.fixture(scope="module")
def figures(emb, debiased) -> dict[str, go.Figure]:
    """Every figure builder of the module, on the inputs the page uses by default."""
    g = eb.gender_direction(emb)
    axis = eb.axis_direction(emb, "rich", "poor")
    reports = eb.run_all_weats(emb, config=WeatConfig(mc_samples=2_000))
    small = eb.RecoveryConfig(vocab_limit=5_000, n_cluster=100, n_classify=400, n_train=200)
    typed = ["nurse", "surgeon", "homemaker", "programmer"]  # the bias-direction tab's default words
    map_words = [
        "he",
        "she",
        "king",
        "queen",
        "doctor",
        "nurse",
        "engineer",
        "homemaker",
        "rich",
        "poor",
        "banker",
        "cleaner",
    ]  # the word map's default words
    return {
        "analogy": eb.analogy_figure(eb.analogy(emb, "man", "king", "woman"), emb),
        "explained_variance": eb.explained_variance_figure(g, emb),
        "projection": eb.projection_figure(eb.profession_projections(emb, g, extra=typed), g, emb, highlight=typed),
        "word_map": eb.scatter_figure(emb, map_words, g, axis),
        "weat": eb.weat_figure(reports[0], emb),
        "weat_comparison": eb.weat_comparison_figure(eb.weat_table(reports), emb),
        "debias": eb.debias_projection_figure(eb.compare_projections(emb, debiased.embeddings, typed, g), g, emb),
        "recovery": eb.recovery_figure(eb.gender_recovery(emb, debiased.embeddings, small), emb),
    }


def test_every_figure_carries_its_provenance(emb, figures):
    for fig in figures.values():
        stamp = provenance_of(fig)
        assert stamp["what"] == "measured" and "GloVe 6B 50d" in stamp["model"] and stamp.get("source")
    assert provenance_of(figures["weat"])["seed"] == "0"  # Monte Carlo p: the seed is stated
    g, axis = eb.gender_direction(emb), eb.axis_direction(emb, "rich", "poor")
    with pytest.raises(ValueError):
        eb.explained_variance_figure(axis, emb)
    with pytest.raises(WordListError):
        eb.scatter_figure(emb, ["qqqzz"], g, axis)


def in_figure_text(layout: dict) -> list[dict]:
    """Annotations drawn in the figure, less plots.finish's provenance (the lead's, shown as a caption)."""
    return [a for a in layout.get("annotations", []) if a.get("name") != "provenance"]


def test_every_label_is_drawn_at_least_at_the_base_font_size(figures):
    """Issue #13, defect 8: word-map labels were ~10 px on the projector.

    Streamlit's chart theme replaces the sizes a plotly *template* sets: it draws text
    at the figure's own ``layout.font.size`` (12 px when unset), ticks and legend at
    0.75 and axis titles at 0.875 of it (measured in Chromium). So the sizes that count
    are the figure's own, read from ``to_dict()`` without the template.
    """
    base = BASE_FONT
    for name, fig in figures.items():
        layout, traces = fig.to_dict()["layout"], fig.to_dict()["data"]
        own = layout.get("font", {}).get("size") or 0  # what Streamlit keeps; the template's does not count
        assert own >= base, (name, "layout.font.size", own)
        for trace in traces:
            if "text" in (trace.get("mode") or "") or trace.get("textposition"):
                size = trace.get("textfont", {}).get("size") or own
                assert size >= base, (name, trace.get("name"), size)
        for note in in_figure_text(layout):
            assert (note.get("font", {}).get("size") or own) >= base, (name, note["text"])
        if layout.get("showlegend") is not False and any(t.get("showlegend") is not False for t in traces):
            assert layout.get("legend", {}).get("font", {}).get("size", 0) >= base, (name, "legend")
        for axis_name, axis in layout.items():
            if axis_name.startswith(("xaxis", "yaxis")) and axis.get("visible") is not False:
                assert axis.get("tickfont", {}).get("size", 0) >= base, (name, axis_name, "ticks")
                assert axis.get("title", {}).get("font", {}).get("size", 0) >= base, (name, axis_name, "title")


def test_analogy_input_labels_sit_in_the_legend_not_on_the_bars(emb, figures):
    """Issue #13, defect 9: "man (rank 995)" was grey text drawn on a dark blue bar."""
    fig = figures["analogy"].to_dict()
    assert in_figure_text(fig["layout"]) == []  # nothing is written inside the plot area
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert bars and all(not t.get("text") for t in bars)  # no text on the bars either
    result = eb.analogy(emb, "man", "king", "woman")
    named = {t["name"] for t in fig["data"] if t["type"] == "scatter" and t.get("showlegend") is not False}
    assert named == {f"{r.word} (rank {r.rank:,})" for r in result.inputs.itertuples()}  # 'man (rank 995)', ...
    legend = fig["layout"]["legend"]
    assert legend["y"] >= 1 and legend["yanchor"] == "bottom"  # above the plot, clear of the bars


def test_projection_labels_are_the_rows_tick_labels_so_none_is_cut(emb, figures):
    """Issue #13, defect 9: leader-line labels crossed each other's lines and 'homemaker'
    ran off the plot's right edge. Every labelled word is now a row's tick label, which
    plotly gives margin to (automargin); nothing is written inside the plot."""
    fig = figures["projection"].to_dict()
    layout = fig["layout"]
    assert in_figure_text(layout) == []
    assert all("text" not in (t.get("mode") or "") for t in fig["data"])
    rows = layout["yaxis"]["categoryarray"]
    assert layout["yaxis"]["tickvals"] == rows and layout["yaxis"]["automargin"] is True  # every row named
    table = eb.profession_projections(emb, eb.gender_direction(emb)).dropna(subset=["projection"])
    ends = [*table["word"][:8], *table["word"][-8:]]
    assert set(ends) | {"nurse", "surgeon", "homemaker", "programmer"} <= set(rows)
    assert rows[1] == table["word"].iloc[0] and rows[-1] == table["word"].iloc[-1]  # sorted, he end at the bottom
    assert layout["height"] >= 30 * len(rows)  # a row per label, with room for presenter-size type


def test_word_map_labels_run_into_the_margin_rather_than_be_cut(figures):
    (labels,) = [t for t in figures["word_map"].to_dict()["data"] if "text" in t.get("mode", "")]
    assert labels.get("cliponaxis") is False


def test_module_lesson_and_core_rules():
    lesson = eb.__doc__.strip().splitlines()[0]
    assert lesson.startswith("Word vectors learned from web text") and lesson.endswith(".")
    import inspect

    source = inspect.getsource(eb.weat)
    assert len(source.splitlines()) <= 40  # shown to students: keep it short


def test_provenance_of_a_number_measured_on_glove(emb):
    from core.provenance import Provenance

    assert eb.provenance(emb) == Provenance(
        "measured", model=emb.name, data="400,000 lower-cased words", source=eb.GLOVE_SOURCE
    )  # what the page showed under every chart before it was built in core
    narrowed = eb.provenance(emb, "320 professions", seed=3, source=eb.BOLUKBASI_SOURCE)
    assert (narrowed.data, narrowed.seed, narrowed.source) == ("320 professions", 3, eb.BOLUKBASI_SOURCE)


def test_analogy_result_names_the_input_that_would_have_won_and_the_preset_note(emb):
    doctor = eb.analogy(emb, "man", "doctor", "woman")
    assert doctor.best_input["word"] == "doctor" and doctor.best_input["rank"] == 1
    assert doctor.note == eb.ANALOGY_PRESETS[2].note
    assert eb.analogy(emb, "woman", "doctor", "man").note == ""  # not a preset
