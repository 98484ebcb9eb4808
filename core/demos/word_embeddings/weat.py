"""WEAT, the Word Embedding Association Test, and the ten tests of the paper with its Table 1.

Caliskan, Bryson & Narayanan (2017, "Semantics derived automatically from language corpora
contain human-like biases", Science 356:183) port the human Implicit Association Test to
vectors: an effect size d and a permutation p-value for "targets X are closer to attributes A
than targets Y are, relative to B". :func:`weat` is the test; :func:`weat_specs` and
:func:`run_weat` run the paper's ten word lists and say what the vocabulary lacks and which
names are also ordinary words once lower-cased (*bill*, *jack*), two of the choices
Ethayarajh, Duvenaud & Hirst (2019, "Understanding undesirable word embedding associations",
ACL) show the numbers depend on.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from core.glove import Embeddings, ParsedWords, WordListError, parse_words

from .sources import NAME_WORD_COLLISIONS, WORDLISTS

Words = Sequence[str]  # a word set of a WEAT, every word in the vocabulary


@dataclass(frozen=True)
class WeatConfig:
    """Settings of the WEAT permutation test."""

    exact_max_partitions: int = 200_000  # enumerate every split up to this (8+8: 12,870; 10+10: 184,756)
    mc_samples: int = 100_000  # random splits beyond that: p down to ~1e-5; all ten tests < 2 s
    seed: int = 0  # fixes the Monte Carlo splits: same seed, same p
    min_targets: int = 2  # per target set: with one word per side no split differs from another
    min_attributes: int = 1  # an attribute may be one word (he vs she); more words average out senses
    max_imbalance: float = 2.0  # refuse sets more than twice the size of their partner


TIE_TOLERANCE = 1e-12  # splits whose statistic equals the observed one up to float rounding count as ">="


@dataclass(frozen=True, eq=False)
class WeatResult:
    """The outcome of one WEAT.

    Attributes:
        X, Y, A, B: the word sets used (targets X, Y; attributes A, B).
        s_x, s_y: association ``s(w, A, B)`` of each word of X and of Y (read-only arrays).
        effect_size: Cohen's d, ``(mean s_x - mean s_y) / SD(s over X ∪ Y)`` with the
            sample SD (n - 1) as in Caliskan et al.'s code; in [-2, 2] for equal sizes.
        p_value: one-sided: the share of equal-size splits of X ∪ Y whose difference of
            means is at least the observed one.
        p_method: ``"exact"`` (all splits) or ``"monte carlo"`` (random splits, ``seed``).
        n_splits: splits enumerated (exact) or drawn (Monte Carlo).
        seed: the Monte Carlo seed, None for exact.
    """

    X: tuple[str, ...]
    Y: tuple[str, ...]
    A: tuple[str, ...]
    B: tuple[str, ...]
    s_x: np.ndarray
    s_y: np.ndarray
    effect_size: float
    p_value: float
    p_method: str
    n_splits: int
    seed: int | None

    def __post_init__(self) -> None:
        for scores in (self.s_x, self.s_y):
            scores.setflags(write=False)  # results may be cached and shared: keep them as computed

    @property
    def statistic(self) -> float:
        """Caliskan's test statistic s(X, Y, A, B) = Σ_x s(x, A, B) - Σ_y s(y, A, B)."""
        return float(self.s_x.sum() - self.s_y.sum())

    def p_text(self) -> str:
        """The p-value as a reader should see it: ``p ≤ 1e-05`` when no random split reached
        the observed difference (Monte Carlo cannot resolve smaller p), else ``p = 0.0023``."""
        if self.p_method == "monte carlo" and self.p_value * (self.n_splits + 1) < 1.5:
            return f"p ≤ {self.p_value:.1g}"
        return f"p = {self.p_value:.2g}"


def association(emb: Embeddings, words: Words, A: Words, B: Words) -> np.ndarray:
    """s(w, A, B) = mean cosine of w with A - mean cosine of w with B, for each word w."""
    W, A, B = emb.matrix(words), emb.matrix(A), emb.matrix(B)  # unit rows: dot product = cosine
    return (W @ A.T).mean(axis=1) - (W @ B.T).mean(axis=1)


def weat(emb: Embeddings, X: Words, Y: Words, A: Words, B: Words, config: WeatConfig = WeatConfig()) -> WeatResult:
    """Word Embedding Association Test (Caliskan, Bryson & Narayanan 2017).

    Are targets X (e.g. flowers) closer to attributes A (pleasant) than targets Y
    (insects) are, relative to B (unpleasant)? Each target word w gets
    ``s(w, A, B) = mean_a cos(w, a) - mean_b cos(w, b)``; the effect size d compares
    the X and Y averages in units of their pooled standard deviation (d > 0: X leans
    to A). The p-value asks how often splitting X ∪ Y at random into two sets of the
    same sizes gives a difference at least this large.

    Args:
        emb: the vectors.
        X, Y: target words (in the vocabulary); equal sizes in the paper, here within 2x.
        A, B: attribute words (in the vocabulary).
        config: permutation settings, see :class:`WeatConfig`.

    Raises:
        WordListError: a set too small, sets too unbalanced, or a word in both X and Y
            (or both A and B).
    """
    _check_weat_sets(X, Y, A, B, config)
    s_x, s_y = association(emb, X, A, B), association(emb, Y, A, B)
    pooled_sd = np.concatenate([s_x, s_y]).std(ddof=1)  # sample SD (n - 1), as Caliskan's code
    if pooled_sd == 0:
        raise WordListError("All target words have the same association: the effect size is undefined.")
    d = (s_x.mean() - s_y.mean()) / pooled_sd
    p, method, n_splits = permutation_p_value(s_x, s_y, config)
    seed = config.seed if method == "monte carlo" else None  # exact p-values use no randomness
    return WeatResult(*map(tuple, (X, Y, A, B)), s_x, s_y, float(d), p, method, n_splits, seed)


def permutation_p_value(s_x: np.ndarray, s_y: np.ndarray, config: WeatConfig = WeatConfig()) -> tuple[float, str, int]:
    """One-sided permutation p-value of ``mean(s_x) - mean(s_y)``.

    With equal sizes this difference is Caliskan's statistic divided by |X|, so the
    test is the paper's. Splits are enumerated exactly when there are at most
    ``config.exact_max_partitions`` of them; otherwise ``config.mc_samples`` random
    splits are drawn with ``config.seed`` and ``p = (hits + 1) / (samples + 1)``, which
    never reports an impossible p = 0 (Phipson & Smyth 2010).

    Returns:
        ``(p, "exact" or "monte carlo", number of splits)``.
    """
    scores, n_x = np.concatenate([s_x, s_y]), len(s_x)
    observed = s_x.mean() - s_y.mean()
    n_splits = math.comb(len(scores), n_x)
    if n_splits <= config.exact_max_partitions:
        x_rows = np.array(list(itertools.combinations(range(len(scores)), n_x)), dtype=np.int32)
        diffs = _split_differences(scores, n_x, scores[x_rows].sum(axis=1))
        return float(np.mean(diffs >= observed - TIE_TOLERANCE)), "exact", n_splits
    rng, hits, chunk = np.random.default_rng(config.seed), 0, 10_000
    for start in range(0, config.mc_samples, chunk):
        shuffled = rng.permuted(np.tile(scores, (min(chunk, config.mc_samples - start), 1)), axis=1)
        diffs = _split_differences(scores, n_x, shuffled[:, :n_x].sum(axis=1))
        hits += int(np.count_nonzero(diffs >= observed - TIE_TOLERANCE))
    return (hits + 1) / (config.mc_samples + 1), "monte carlo", config.mc_samples


def _split_differences(scores: np.ndarray, n_x: int, x_sums: np.ndarray) -> np.ndarray:
    """mean(X_i) - mean(Y_i) for splits given by the sums of their X parts."""
    return x_sums / n_x - (scores.sum() - x_sums) / (len(scores) - n_x)


def _check_weat_sets(X, Y, A, B, config: WeatConfig) -> None:
    """Refuse sets a WEAT cannot meaningfully compare, with a message for the user."""
    for name, words in zip("XYAB", (X, Y, A, B)):
        minimum = config.min_targets if name in "XY" else config.min_attributes
        if len(words) < minimum:
            raise WordListError(
                f"Set {name} has {len(words)} known word(s); a WEAT needs at least {minimum} in set {name}."
            )
    for (n1, s1), (n2, s2) in ((("X", X), ("Y", Y)), (("A", A), ("B", B))):
        shared = sorted(set(s1) & set(s2))
        if shared:
            raise WordListError(
                f"Sets {n1} and {n2} share words ({', '.join(shared)}): a word cannot be "
                "on both sides of the comparison."
            )
        if max(len(s1), len(s2)) > config.max_imbalance * min(len(s1), len(s2)):
            raise WordListError(
                f"Sets {n1} and {n2} are unbalanced ({len(s1)} vs {len(s2)} words); keep "
                f"them within {config.max_imbalance:g}x of each other."
            )


# Table 1 of Caliskan et al. (2017), "our finding" columns: d and p of WEAT 1-10 on the
# GloVe 840B Common Crawl vectors (300 d, cased), the paper's embedding results. (The
# json's `original_finding` holds the human IAT results instead.)
CALISKAN_TABLE1: Mapping[int, tuple[float, str]] = {
    1: (1.50, "1e-7"),
    2: (1.53, "1e-7"),
    3: (1.41, "1e-8"),
    4: (1.50, "1e-4"),
    5: (1.28, "1e-3"),
    6: (1.81, "1e-3"),
    7: (1.06, ".018"),
    8: (1.24, "1e-2"),
    9: (1.38, "1e-2"),
    10: (1.21, "1e-2"),
}
SET_KEYS = ("first_target", "second_target", "first_attribute", "second_attribute")


@dataclass(frozen=True)
class WeatSpec:
    """One of the paper's ten tests, as published.

    Attributes:
        number: 1 to 10.
        names: names of X, Y, A, B (e.g. "Flowers", "Insects", "Pleasant", "Unpleasant").
        words: the four word lists exactly as in the supplement (capitals included).
        removed: per set, the words the paper's Table 1 left out (the reduced name sets).
        paper_d, paper_p: Caliskan's Table 1 result on GloVe 840B (published).
        iat: the human IAT finding (``N``, ``d``, ``p``, ``Ref``); empty strings where none.
    """

    number: int
    names: tuple[str, str, str, str]
    words: tuple[tuple[str, ...], ...]
    removed: tuple[tuple[str, ...], ...]
    paper_d: float
    paper_p: str
    iat: Mapping[str, str]

    @property
    def title(self) -> str:
        x, y, a, b = self.names
        return f"WEAT {self.number}: {x} vs {y} × {a} vs {b}"


@functools.lru_cache(maxsize=1)
def weat_specs() -> tuple[WeatSpec, ...]:
    """The ten WEATs of Caliskan et al. (2017), from ``weat_caliskan_lists.json``."""
    raw = json.loads((WORDLISTS / "weat_caliskan_lists.json").read_text(encoding="utf-8"))
    specs = []
    for number, test in enumerate(raw, start=1):
        sets = [test[key] for key in SET_KEYS]
        specs.append(
            WeatSpec(
                number,
                tuple(s["name"] for s in sets),
                tuple(tuple(s["words"]) for s in sets),
                tuple(tuple(s.get("remove", ())) for s in sets),
                *CALISKAN_TABLE1[number],
                MappingProxyType(dict(test["original_finding"])),
            )
        )
    return tuple(specs)


@dataclass(frozen=True)
class WeatReport:
    """A WEAT with the story around it: what was missing, what was odd, what the paper found.

    Attributes:
        title: e.g. "WEAT 1: Flowers vs Insects × Pleasant vs Unpleasant".
        names: names of X, Y, A, B.
        result: the :class:`WeatResult`.
        missing: per set name, words not in the vocabulary (e.g. "gladiola").
        collisions: target words that are both a first name and an ordinary word once
            lower-cased (bill, jack, rose): one vector mixes the two senses.
        notices: other remarks (lower-casing, reduced sets, overlaps).
        paper_d, paper_p: Caliskan's Table 1 result on GloVe 840B, None for user tests.
        iat: the human IAT finding, empty for user tests.
    """

    title: str
    names: tuple[str, str, str, str]
    result: WeatResult
    missing: Mapping[str, tuple[str, ...]]
    collisions: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    paper_d: float | None = None
    paper_p: str | None = None
    iat: Mapping[str, str] = field(default_factory=dict)


def _report(
    emb: Embeddings,
    title: str,
    names: Sequence[str],
    parsed: Sequence[ParsedWords],
    config: WeatConfig,
    notices: Sequence[str] = (),
    **paper,
) -> WeatReport:
    """Run a WEAT on parsed sets and gather the remarks a reader needs."""
    X, Y, A, B = (p.found for p in parsed)
    overlap = sorted((set(X) | set(Y)) & (set(A) | set(B)))
    notes = [f"{name}: {n}" for name, p in zip(names, parsed) for n in p.notices] + list(notices)
    if overlap:
        notes.append(f"In both a target and an attribute set (compared with itself, cos = 1): {', '.join(overlap)}.")
    collisions = tuple(w for w in (*X, *Y) if w in NAME_WORD_COLLISIONS)
    return WeatReport(
        title,
        tuple(names),
        weat(emb, X, Y, A, B, config),
        {name: p.missing for name, p in zip(names, parsed)},
        collisions,
        tuple(notes),
        **paper,
    )


def run_weat(emb: Embeddings, spec: WeatSpec, reduced: bool = True, config: WeatConfig = WeatConfig()) -> WeatReport:
    """Run one of the paper's tests on ``emb``, reporting missing words and name collisions.

    Args:
        spec: from :func:`weat_specs`.
        reduced: use the reduced name sets of the paper's Table 1 (default True).
    """
    sets = [[w for w in words if not (reduced and w in removed)] for words, removed in zip(spec.words, spec.removed)]
    parsed = [parse_words([w.lower() for w in words], emb, name) for words, name in zip(sets, spec.names)]
    notices = (
        ["Words were lower-cased: GloVe 6B has no capitals, so a name and a word spelled alike share one vector."]
        if any(w != w.lower() for s in sets for w in s)
        else []
    )
    if reduced and any(spec.removed):
        notices.append(f"Reduced name sets of the paper's Table 1: left out {sum(map(len, spec.removed))} names.")
    return _report(
        emb, spec.title, spec.names, parsed, config, notices, paper_d=spec.paper_d, paper_p=spec.paper_p, iat=spec.iat
    )


def run_all_weats(emb: Embeddings, reduced: bool = True, config: WeatConfig = WeatConfig()) -> tuple[WeatReport, ...]:
    """WEAT 1-10 of the paper on ``emb`` (about 1 s on two cores)."""
    return tuple(run_weat(emb, spec, reduced, config) for spec in weat_specs())


def weat_from_text(
    emb: Embeddings,
    x: str | Iterable[str],
    y: str | Iterable[str],
    a: str | Iterable[str],
    b: str | Iterable[str],
    names: Sequence[str] = ("X", "Y", "A", "B"),
    config: WeatConfig = WeatConfig(),
) -> WeatReport:
    """A WEAT on four word sets typed by a user.

    Raises:
        WordListError: a set empty, too small, too unbalanced or overlapping (clear message).
    """
    parsed = [parse_words(text, emb, f"Set {name}") for text, name in zip((x, y, a, b), names)]
    return _report(emb, f"Your WEAT: {names[0]} vs {names[1]} × {names[2]} vs {names[3]}", names, parsed, config)


def weat_table(reports: Sequence[WeatReport]) -> pd.DataFrame:
    """One row per test: our d and p next to the paper's GloVe 840B values and the human IAT.

    Columns: ``test, targets, attributes, n_targets, n_attributes, d, p, p_method,
    paper_d, paper_p, iat_d, iat_p, missing, collisions``.
    """
    rows = []
    for report in reports:
        r, (x, y, a, b) = report.result, report.names
        rows.append(
            {
                "test": report.title.split(":")[0],
                "targets": f"{x} vs {y}",
                "attributes": f"{a} vs {b}",
                "n_targets": f"{len(r.X)}+{len(r.Y)}",
                "n_attributes": f"{len(r.A)}+{len(r.B)}",
                "d": round(r.effect_size, 2),
                "p": r.p_text(),
                "p_method": f"{r.p_method} ({r.n_splits:,}" + (f", seed {r.seed})" if r.seed is not None else ")"),
                "paper_d": report.paper_d,
                "paper_p": report.paper_p,
                "iat_d": report.iat.get("d") or None,
                "iat_p": report.iat.get("p") or None,
                "missing": ", ".join(w for ws in report.missing.values() for w in ws),
                "collisions": ", ".join(report.collisions),
            }
        )
    return pd.DataFrame(rows)


def weat_before_after(
    before: Embeddings, after: Embeddings, numbers: Sequence[int] = (6, 7, 8), config: WeatConfig = WeatConfig()
) -> pd.DataFrame:
    """The gender WEATs (6: names × career/family, 7: math/arts, 8: science/arts) before and after.

    Returns:
        DataFrame ``test, d_before, p_before, d_after, p_after``.
    """
    rows = []
    for spec in (s for s in weat_specs() if s.number in numbers):
        old, new = run_weat(before, spec, config=config).result, run_weat(after, spec, config=config).result
        rows.append(
            {
                "test": spec.title,
                "d_before": old.effect_size,
                "p_before": old.p_text(),
                "d_after": new.effect_size,
                "p_after": new.p_text(),
            }
        )
    return pd.DataFrame(rows)
