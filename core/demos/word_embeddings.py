"""Word vectors learned from web text absorb society's stereotypes, and the standard tests can both reveal and exaggerate them.

A word embedding gives each word a point in space so that words used in similar
contexts lie close together. GloVe (Pennington, Socher & Manning 2014) learns them
from how often words co-occur in 6 billion tokens of Wikipedia and newswire. Nobody
told it about gender or race, yet its geometry records how people write: *nurse*
lies nearer to *she* than *surgeon* does (cosine 0.65 against 0.45).

This module measures that in five ways, each with the paper that introduced it and
the critique that keeps it honest.

1. **Analogies.** "a is to b as c is to ?" is answered by the word nearest to
   b - a + c (3CosAdd, Mikolov, Yih & Zweig 2013; 3CosMul, Levy & Goldberg 2014).
   Bolukbasi et al. (2016, "Man is to Computer Programmer as Woman is to
   Homemaker?") made such analogies famous. Nissim, van Noord & van der Goot (2020,
   "Fair is better than sensational", Computational Linguistics 46(2)) point out that
   the standard procedure forbids answering with one of the three input words. Here
   king - man + woman is closest to *king* itself, and man : doctor :: woman : ? is
   closest to *doctor*: "nurse" is only the best answer once *doctor* is excluded.
   We therefore show where the excluded words would have ranked.
2. **A bias direction.** Bolukbasi et al. take the first principal component of the
   differences within ten definitional pairs (she/he, woman/man, ...) as "the gender
   direction" and project words on it. Any two word lists (rich/poor, young/old)
   define an axis the same way.
3. **WEAT** (Caliskan, Bryson & Narayanan 2017, Science 356:183) ports the human
   Implicit Association Test to vectors: an effect size d and a permutation p-value
   for "X is closer to A than Y is, relative to B". The numbers depend on choices:
   which words the vocabulary lacks, names that are also ordinary words once
   lower-cased (*bill*, *jack*), and word lists of 6 to 25 items
   (Ethayarajh, Duvenaud & Hirst 2019, "Understanding undesirable word embedding
   associations", ACL).
4. **Hard debiasing** (Bolukbasi et al. 2016) removes the gender direction from
   every word that is not gender-specific and makes pairs such as grandmother /
   grandfather symmetric about it. Gonen & Goldberg (2019, "Lipstick on a pig",
   NAACL) show that the bias is hidden, not removed: words that leaned male still
   cluster with each other, and a classifier recovers the old gender from the
   debiased vectors.
5. **Pictures**: projections, explained variance, a 2-D map of words on two axes.

Everything is computed live on GloVe 6B 50d (400,000 lower-cased words, PDDL). The
paper's own numbers (Caliskan's Table 1, on GloVe 840B Common Crawl vectors) are
shown beside ours and labelled as published. Word lists: Caliskan et al.'s
supplement and Bolukbasi et al.'s code release (see ``core/assets/wordlists``).

Example::

    emb = load_glove()  # 0.4 s; immutable, so one copy can serve every session
    analogy(emb, "man", "doctor", "woman").answer                        # 'nurse'
    analogy(emb, "man", "doctor", "woman", exclude_inputs=False).answer  # 'doctor'
    run_weat(emb, weat_specs()[0]).result.effect_size                    # WEAT 1: 1.08

Functions raise :class:`WordListError` (a ``ValueError``) with a message meant for
the user when typed words cannot be used, and :class:`VectorsNotFound` when the
GloVe package is missing.
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
import plotly.graph_objects as go

from core import plots
from core.glove import (  # re-exported: the page needs only this module
    GLOVE_SOURCE,
    Embeddings,
    ParseConfig,
    ParsedWords,
    UnknownWordError,
    VectorsNotFound,
    WordListError,
    load_glove,
    lookup_word,
    parse_words,
)
from core.paths import ASSETS
from core.provenance import Provenance

__all__ = [
    "Embeddings",
    "load_glove",
    "VectorsNotFound",
    "WordListError",
    "UnknownWordError",
    "ParseConfig",
    "ParsedWords",
    "parse_words",
    "lookup_word",
    "neighbours",
    "analogy",
    "AnalogyResult",
    "ANALOGY_PRESETS",
    "Direction",
    "gender_direction",
    "pca_direction",
    "axis_direction",
    "projections",
    "profession_projections",
    "GenerationConfig",
    "generate_analogies",
    "WeatConfig",
    "WeatResult",
    "association",
    "weat",
    "permutation_p_value",
    "WeatSpec",
    "WeatReport",
    "weat_specs",
    "run_weat",
    "run_all_weats",
    "weat_table",
    "weat_from_text",
    "CALISKAN_TABLE1",
    "DebiasConfig",
    "DebiasResult",
    "hard_debias",
    "compare_projections",
    "weat_before_after",
    "RecoveryConfig",
    "RecoveryResult",
    "gender_recovery",
    "analogy_figure",
    "explained_variance_figure",
    "projection_figure",
    "scatter_figure",
    "weat_figure",
    "weat_comparison_figure",
    "debias_projection_figure",
    "recovery_figure",
]

WORDLISTS = ASSETS / "wordlists"
CALISKAN_SOURCE = (
    "Caliskan, Bryson & Narayanan (2017), Semantics derived automatically from language "
    "corpora contain human-like biases, Science 356:183, Table 1"
)
BOLUKBASI_SOURCE = (
    "Bolukbasi et al. (2016), Man is to Computer Programmer as Woman is to Homemaker? "
    "NeurIPS; word lists from github.com/tolga-b/debiaswe"
)
GONEN_SOURCE = "Gonen & Goldberg (2019), Lipstick on a Pig, NAACL"
NISSIM_SOURCE = "Nissim, van Noord & van der Goot (2020), Fair is better than sensational, Comput. Linguist. 46(2)"


# =========================================================================== word lists


@dataclass(frozen=True)
class BolukbasiLists:
    """Bolukbasi et al.'s lists, lower-cased for GloVe 6B (which has no capitals).

    Attributes:
        definitional_pairs: 10 (female, male) pairs that define the gender direction.
        equalize_pairs: (a, b) pairs that hard debiasing makes symmetric, duplicates removed.
        gender_specific: words hard debiasing leaves alone: the 218-word seed plus every
            word of the two pair lists.
        professions: (word, definitional, stereotypical) with scores in [-1, 1], + = male.
    """

    definitional_pairs: tuple[tuple[str, str], ...]
    equalize_pairs: tuple[tuple[str, str], ...]
    gender_specific: frozenset[str]
    professions: tuple[tuple[str, float, float], ...]


@functools.lru_cache(maxsize=1)
def bolukbasi_lists() -> BolukbasiLists:
    """The lists of ``debiaswe_lists.json`` (read once; the result is immutable)."""
    raw = json.loads((WORDLISTS / "debiaswe_lists.json").read_text(encoding="utf-8"))
    definitional = tuple((a.lower(), b.lower()) for a, b in raw["definitional_pairs"])
    equalize: dict[frozenset[str], tuple[str, str]] = {}
    for a, b in raw["equalize_pairs"]:  # "He/She" and "he/she" are one pair once lower-cased
        equalize.setdefault(frozenset((a.lower(), b.lower())), (a.lower(), b.lower()))
    specific = {w.lower() for w in raw["gender_specific_seed"]}
    specific |= {w for pair in (*definitional, *equalize.values()) for w in pair}
    professions = tuple((w, float(d), float(s)) for w, d, s in raw["professions"])
    return BolukbasiLists(definitional, tuple(equalize.values()), frozenset(specific), professions)


# First names that, lower-cased, are also a common English word, place or brand, so
# their one GloVe vector mixes both senses ("bill" the name and the invoice). Made by
# hand for this lab, not taken from a paper.
NAME_WORD_COLLISIONS = frozenset(
    {
        "amber",
        "april",
        "bill",
        "billy",
        "bob",
        "brad",
        "chip",
        "crystal",
        "daisy",
        "dawn",
        "ebony",
        "faith",
        "frank",
        "grace",
        "hank",
        "harry",
        "hope",
        "iris",
        "jack",
        "jasmine",
        "jay",
        "joey",
        "josh",
        "joy",
        "kenya",
        "lily",
        "mark",
        "mike",
        "pat",
        "pearl",
        "penny",
        "rich",
        "roger",
        "rose",
        "ruby",
        "shannon",
        "sue",
        "summer",
        "tiffany",
        "torrance",
        "violet",
        "will",
    }
)


# =========================================================================== neighbours & analogies


def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` largest scores, best first: argpartition is O(n), a full sort O(n log n)."""
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def _check_k(k: int) -> None:
    if not 1 <= k <= 1_000:
        raise WordListError(f"Ask for between 1 and 1,000 words, not {k}.")


def neighbours(emb: Embeddings, word: str, k: int = 10, vocab_limit: int | None = None) -> pd.DataFrame:
    """The ``k`` words with the highest cosine similarity to ``word``.

    One matrix-vector product compares the word with every row (all unit vectors, so
    the dot product is the cosine): about 10 ms for 400,000 words.

    Args:
        emb: the vectors.
        word: a word as typed (lower-cased and checked; unknown words raise with suggestions).
        k: how many neighbours, 1 to 1,000. Default 10.
        vocab_limit: search only this many most frequent words (``None``: all).

    Returns:
        DataFrame with columns ``rank`` (1 = closest), ``word``, ``cosine`` in [-1, 1].

    Raises:
        WordListError: empty, several or unknown words.
    """
    _check_k(k)
    row = emb.index[lookup_word(word, emb)]
    scores = emb.vectors[:vocab_limit] @ emb.vectors[row]
    if row < scores.shape[0]:
        scores[row] = -np.inf  # a word is its own nearest neighbour; skip the obvious
    top = _top_rows(scores, k)
    return pd.DataFrame(
        {"rank": np.arange(1, len(top) + 1), "word": [emb.words[i] for i in top], "cosine": scores[top].astype(float)}
    )


@dataclass(frozen=True)
class AnalogyPreset:
    """An analogy a : b :: c : ? worth showing, and why."""

    a: str
    b: str
    c: str
    note: str


ANALOGY_PRESETS: tuple[AnalogyPreset, ...] = (
    AnalogyPreset(
        "man",
        "king",
        "woman",
        "The textbook example (Mikolov et al. 2013). Untick the exclusion: the closest word is king itself.",
    ),
    AnalogyPreset("paris", "france", "rome", "Capital is to country: a relation the vectors do learn."),
    AnalogyPreset("man", "doctor", "woman", "'nurse' appears only because 'doctor' may not be the answer."),
    AnalogyPreset("man", "programmer", "woman", "The title of Bolukbasi et al. (2016), there on word2vec."),
    AnalogyPreset("he", "brilliant", "she", "Adjectives: compare the top 10 with and without exclusion."),
    AnalogyPreset("he", "surgeon", "she", "A profession with a strong gender stereotype."),
    AnalogyPreset("she", "volleyball", "he", "Nissim et al. (2020): where would 'volleyball' itself rank?"),
)

ANALOGY_METHODS = ("3CosAdd", "3CosMul")


@dataclass(frozen=True)
class AnalogyResult:
    """The answer to a : b :: c : ?, with the evidence needed to judge it.

    Attributes:
        a, b, c: the three input words (vocabulary form).
        method: ``"3CosAdd"`` or ``"3CosMul"``.
        exclude_inputs: whether a, b, c were barred from the answers (the papers' procedure).
        candidates: DataFrame ``rank, word, score``: the top answers.
        inputs: DataFrame ``role, word, rank, score``: where a, b and c rank in the same
            scoring when nothing is excluded (rank 1 = they would have been the answer).
    """

    a: str
    b: str
    c: str
    method: str
    exclude_inputs: bool
    candidates: pd.DataFrame
    inputs: pd.DataFrame

    @property
    def answer(self) -> str:
        """The top answer."""
        return str(self.candidates["word"].iloc[0])


def analogy_scores(
    emb: Embeddings, a: str, b: str, c: str, method: str = "3CosAdd", vocab_limit: int | None = None
) -> np.ndarray:
    """How well each word d completes a : b :: c : d, one score per row, higher is better.

    * 3CosAdd (Mikolov et al. 2013): ``cos(d, b - a + c)``, in [-1, 1].
    * 3CosMul (Levy & Goldberg 2014): ``cos'(d,b) * cos'(d,c) / (cos'(d,a) + 0.001)``
      with cosines shifted to [0, 1] (``cos' = (cos + 1) / 2``). Multiplying keeps one
      large similarity from drowning the others.

    Args:
        a, b, c: words in the vocabulary.
        method: ``"3CosAdd"`` (default) or ``"3CosMul"``.
        vocab_limit: score only this many most frequent words (``None``: all 400k).

    Returns:
        float32 array of shape ``(vocab_limit or len(emb),)``.
    """
    if method not in ANALOGY_METHODS:
        raise ValueError(f"method must be one of {ANALOGY_METHODS}, got {method!r}")
    vectors = emb.vectors[:vocab_limit]
    va, vb, vc = (emb.vector(w) for w in (a, b, c))
    if method == "3CosAdd":
        query = vb - va + vc
        return vectors @ (query / np.linalg.norm(query))
    cos = (np.stack([va, vb, vc]) @ vectors.T + 1) / 2  # (3, n): 4x faster than vectors @ (n, 3)
    return cos[1] * cos[2] / (cos[0] + 1e-3)


def analogy(
    emb: Embeddings,
    a: str,
    b: str,
    c: str,
    *,
    k: int = 10,
    method: str = "3CosAdd",
    exclude_inputs: bool = True,
    vocab_limit: int | None = None,
) -> AnalogyResult:
    """Solve a : b :: c : ? and report where the input words themselves rank.

    Example: ``analogy(emb, "man", "king", "woman").answer == "queen"``; with
    ``exclude_inputs=False`` the answer is ``"king"`` (Nissim et al. 2020).

    Args:
        emb: the vectors.
        a, b, c: words as typed (lower-cased and checked).
        k: number of answers to list, 1 to 1,000. Default 10.
        method: ``"3CosAdd"`` (default) or ``"3CosMul"``; see :func:`analogy_scores`.
        exclude_inputs: bar a, b and c from the answers, as the papers do. Default True.
        vocab_limit: search only this many most frequent words (``None``: all 400k).

    Raises:
        WordListError: a word is empty, several words or unknown (with suggestions).
    """
    _check_k(k)
    words = [lookup_word(w, emb, f"Word {role}") for w, role in zip((a, b, c), "abc")]
    scores = analogy_scores(emb, *words, method=method, vocab_limit=vocab_limit)
    input_rows = [emb.index[w] for w in words]
    ranked = scores.copy()
    if exclude_inputs:
        ranked[[r for r in input_rows if r < len(ranked)]] = -np.inf
    top = _top_rows(ranked, k)
    candidates = pd.DataFrame(
        {"rank": np.arange(1, len(top) + 1), "word": [emb.words[i] for i in top], "score": ranked[top].astype(float)}
    )
    inputs = pd.DataFrame(
        [
            {
                "role": role,
                "word": w,
                "rank": int(np.count_nonzero(scores > scores[r])) + 1 if r < len(scores) else None,
                "score": float(scores[r]) if r < len(scores) else float("nan"),
            }
            for role, w, r in zip("abc", words, input_rows)
        ]
    )
    return AnalogyResult(*words, method, exclude_inputs, candidates, inputs)


# =========================================================================== directions & projections


@dataclass(frozen=True, eq=False)
class Direction:
    """A unit vector that points from one concept to another, e.g. from *he* to *she*.

    The projection ``w · direction`` of a unit word vector is its cosine with the
    direction: positive leans towards ``positive``, negative towards ``negative``.

    Attributes:
        name: what the direction is, for titles.
        vector: unit vector, shape ``(dim,)``, read-only.
        positive, negative: labels of the two ends.
        method: how it was computed, one line.
        explained_variance: for a PCA direction, the share of variance of each principal
            component (sums to 1); empty otherwise.
        used: the words (or pairs, as ``"she/he"``) it was computed from.
        missing: words asked for but not in the vocabulary.
    """

    name: str
    vector: np.ndarray
    positive: str
    negative: str
    method: str
    explained_variance: tuple[float, ...] = ()
    used: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def _frozen_unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    if norm < 1e-9:
        raise WordListError("The two word lists have the same average: they define no direction.")
    unit = np.asarray(vector, dtype=np.float64) / norm
    unit.setflags(write=False)
    return unit


def pca_direction(
    emb: Embeddings, pairs: Sequence[tuple[str, str]], name: str, positive: str, negative: str
) -> Direction:
    """Bolukbasi et al.'s direction: first principal component of centred pairs.

    Each pair (x, y) is centred on its midpoint, giving the two vectors ±(x - y)/2;
    their principal components are computed with an SVD. If the pairs share one
    difference, the first component carries most of the variance (the explained
    variance chart shows how far that holds). The sign is chosen so that the first
    word of each pair projects higher on average.

    Args:
        emb: the vectors.
        pairs: (x, y) word pairs; pairs with a word not in the vocabulary are skipped.
        name, positive, negative: labels.

    Raises:
        WordListError: fewer than two usable pairs.
    """
    usable = [(x, y) for x, y in pairs if x in emb.index and y in emb.index]
    missing = tuple(w for pair in pairs for w in pair if w not in emb.index)
    if len(usable) < 2:
        raise WordListError(f"Need at least 2 pairs of known words for a direction, found {len(usable)}.")
    half_diffs = np.concatenate(
        [[(emb.vector(x) - emb.vector(y)) / 2, (emb.vector(y) - emb.vector(x)) / 2] for x, y in usable]
    ).astype(np.float64)
    _, singular, components = np.linalg.svd(half_diffs, full_matrices=False)
    variance = singular**2 / np.sum(singular**2)
    first = components[0]
    if np.mean([(emb.vector(x) - emb.vector(y)) @ first for x, y in usable]) < 0:
        first = -first  # the SVD's sign is arbitrary; make "first word of the pair" the + end
    return Direction(
        name,
        _frozen_unit(first),
        positive,
        negative,
        f"PC1 of {len(usable)} centred pairs (Bolukbasi et al. 2016)",
        tuple(float(v) for v in variance[:10]),
        tuple(f"{x}/{y}" for x, y in usable),
        missing,
    )


def gender_direction(emb: Embeddings, method: str = "pca") -> Direction:
    """The gender direction, from *he* (-) to *she* (+).

    On these 50-d vectors the first principal component explains only about half of
    the variance of the ten pairs (Bolukbasi et al. saw one dominant component on
    300-d word2vec): the rare pair gal/guy differs in other ways too and makes a
    second component of its own, while female/male barely moves along the first.

    Args:
        emb: the vectors.
        method: ``"pca"`` (default): Bolukbasi et al.'s first principal component of the
            10 definitional pairs; ``"she-he"``: simply she - he, normalised.
    """
    if method == "pca":
        pairs = bolukbasi_lists().definitional_pairs
        return pca_direction(emb, pairs, "gender (Bolukbasi PCA)", "she", "he")
    if method == "she-he":
        vector = emb.vector("she") - emb.vector("he")
        return Direction(
            "gender (she - he)", _frozen_unit(vector), "she", "he", "she - he, normalised", used=("she", "he")
        )
    raise ValueError(f"method must be 'pca' or 'she-he', got {method!r}")


def axis_direction(
    emb: Embeddings,
    positive_words: str | Iterable[str],
    negative_words: str | Iterable[str],
    positive: str = "",
    negative: str = "",
) -> Direction:
    """A direction from two typed word lists: mean of one minus mean of the other.

    E.g. ``axis_direction(emb, "rich, wealthy, affluent", "poor, impoverished, needy")``.
    Several words per side average out each word's other meanings (Kozlowski, Taddy &
    Evans 2019, "The geometry of culture").

    Args:
        positive_words, negative_words: the two lists, as typed or as lists.
        positive, negative: labels of the two ends; default: each list's first word.

    Raises:
        WordListError: a list is empty or has no known word, or both lists share words.
    """
    pos = parse_words(positive_words, emb, "Words for the + end")
    neg = parse_words(negative_words, emb, "Words for the - end")
    pos_words, neg_words = pos.require("Words for the + end"), neg.require("Words for the - end")
    shared = sorted(set(pos_words) & set(neg_words))
    if shared:
        raise WordListError(f"A word cannot be at both ends of an axis: {', '.join(shared)}.")
    vector = emb.matrix(pos_words).mean(axis=0) - emb.matrix(neg_words).mean(axis=0)
    pos_label, neg_label = positive or pos_words[0], negative or neg_words[0]
    return Direction(
        f"{neg_label} → {pos_label}",
        _frozen_unit(vector),
        pos_label,
        neg_label,
        f"mean of {len(pos_words)} words - mean of {len(neg_words)} words",
        used=pos_words + neg_words,
        missing=pos.missing + neg.missing,
    )


def projections(emb: Embeddings, words: Iterable[str], direction: Direction) -> pd.DataFrame:
    """Projection of each word on the direction (its cosine with it), sorted low to high.

    Args:
        words: words in the vocabulary (e.g. ``parse_words(...).found``).

    Returns:
        DataFrame ``word, projection`` with projection in [-1, 1].
    """
    words = list(words)
    values = emb.matrix(words) @ direction.vector if words else np.empty(0)
    return (
        pd.DataFrame({"word": words, "projection": values})
        .sort_values("projection", kind="stable")
        .reset_index(drop=True)
    )


def profession_projections(emb: Embeddings, direction: Direction, extra: Iterable[str] = ()) -> pd.DataFrame:
    """Bolukbasi et al.'s 320 professions projected on ``direction``, plus any ``extra`` words.

    Args:
        extra: more words to place among them (e.g. ``parse_words(...).found``); their
            crowd scores are NaN. Mark them with ``projection_figure(..., highlight=extra)``.

    Returns:
        DataFrame ``word, projection, definitional, stereotypical, in_vocabulary``, sorted
        by projection; professions GloVe 6B lacks (e.g. multi-word ``adjunct_professor``)
        have ``in_vocabulary`` False and projection NaN, listed last. ``definitional`` and
        ``stereotypical`` are the crowd scores of the paper (+ = male).

    Read the projections relative to each other: the direction is not centred on the
    professions, and with the PCA direction most of them sit on the *he* side of 0.
    """
    entries = list(bolukbasi_lists().professions)
    listed = {word for word, _, _ in entries}
    entries += [(word, np.nan, np.nan) for word in dict.fromkeys(extra) if word not in listed]
    rows = []
    for word, definitional, stereotypical in entries:
        known = word in emb.index
        rows.append(
            {
                "word": word,
                "projection": float(emb.vector(word) @ direction.vector) if known else np.nan,
                "definitional": definitional,
                "stereotypical": stereotypical,
                "in_vocabulary": known,
            }
        )
    return pd.DataFrame(rows).sort_values("projection", kind="stable", na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class GenerationConfig:
    """Settings of :func:`generate_analogies`."""

    vocab_limit: int = 10_000  # most frequent a-z words; all pairs are compared (n²/2 cosines): ~0.5 s
    delta: float = 0.75  # pairs need ‖x - y‖ ≤ δ. Bolukbasi's δ = 1 (cos ≥ 0.5) suits 300-d word2vec;
    #                      in 50 d unrelated frequent words often reach cos 0.5, so we ask cos ≥ 0.72
    top_n: int = 100  # enough to scroll past he/she, mother/father to the stereotypes
    skip_names: bool = True  # GloVe 6B is lower-case, so first names (emily/james) would fill the list
    name_similarity: float = 0.6  # "a name": cosine ≥ this with the mean of the WEAT lists' first names
    block: int = 512  # rows per block of the similarity matrix (512 × 10k floats ≈ 20 MB)


def generate_analogies(
    emb: Embeddings, direction: Direction, config: GenerationConfig = GenerationConfig()
) -> pd.DataFrame:
    """Bolukbasi et al.'s "she-he analogies": word pairs (x, y) that differ along ``direction``.

    A pair of close words (``‖x - y‖ ≤ δ``) scores ``cos(x - y, direction)``: high when
    x and y differ mostly along the direction, i.e. "x is to y as she is to he". Pairs
    are taken best first, each word at most once on each side, over the most frequent
    words. For unit vectors ``‖x - y‖ = sqrt(2 - 2 cos(x, y))`` and
    ``(x - y)·g = x·g - y·g``, so all scores come from one similarity matrix (built
    block by block) and one projection per word. (The authors' code scores by
    ``(x - y)·g``; we follow the paper's cosine.)

    Bolukbasi et al. kept only lower-case words of the cased word2vec, which drops
    names; GloVe 6B is all lower-case, so with ``skip_names`` we drop words that look
    like first names instead (see :class:`GenerationConfig`).

    Returns:
        DataFrame ``rank, positive, negative, score, distance, gender_specific``:
        ``positive`` is the word on the direction's + side (e.g. she), ``score`` in (0, 1],
        ``gender_specific`` True when both words are in Bolukbasi's gender-specific lists
        (definitional pairs such as mother/father, not stereotypes).
    """
    rows = emb.frequent_rows(config.vocab_limit)
    names = _first_name_centroid(emb) if config.skip_names else None
    if names is not None:
        rows = rows[emb.vectors[rows] @ names < config.name_similarity]
    proj = emb.vectors[rows] @ direction.vector.astype(np.float32)
    order = np.argsort(-proj, kind="stable")  # sorted by projection, x before y means x·g ≥ y·g
    rows, proj = rows[order], proj[order]
    vectors = emb.vectors[rows]
    min_cos = 1 - config.delta**2 / 2  # ‖x - y‖ ≤ δ  ⇔  cos(x, y) ≥ 1 - δ²/2 for unit vectors
    xs, ys, scores = [], [], []
    for start in range(0, len(rows), config.block):
        cos = vectors[start : start + config.block] @ vectors[start:].T  # only y after x: x·g ≥ y·g
        x, y = np.nonzero(cos >= min_cos)
        x, y, c = x + start, y + start, cos[x, y]
        score = (proj[x] - proj[y]) / np.sqrt(np.maximum(2 - 2 * c, 1e-12))
        keep = score > 0
        xs.append(x[keep]), ys.append(y[keep]), scores.append(score[keep])
    xs, ys, scores = np.concatenate(xs), np.concatenate(ys), np.concatenate(scores)
    used_x, used_y, found = set(), set(), []
    specific = bolukbasi_lists().gender_specific
    for k in np.argsort(-scores, kind="stable"):  # greedy, best first, each word once per side
        x, y = int(xs[k]), int(ys[k])
        if x in used_x or y in used_y:
            continue
        used_x.add(x)
        used_y.add(y)
        wx, wy = emb.words[rows[x]], emb.words[rows[y]]
        found.append(
            {
                "rank": len(found) + 1,
                "positive": wx,
                "negative": wy,
                "score": float(scores[k]),
                "distance": float(np.linalg.norm(vectors[x] - vectors[y])),
                "gender_specific": wx in specific and wy in specific,
            }
        )
        if len(found) == config.top_n:
            break
    return pd.DataFrame(found, columns=["rank", "positive", "negative", "score", "distance", "gender_specific"])


def _first_name_centroid(emb: Embeddings) -> np.ndarray | None:
    """Unit mean vector of the first names in the WEAT lists (135 of them in GloVe 6B); None if none known."""
    names = sorted(
        {
            w.lower()
            for spec in weat_specs()
            for name, words in zip(spec.names, spec.words)
            if "names" in name.lower()
            for w in words
        }
        & set(emb.index)
    )
    if not names:
        return None
    mean = emb.matrix(names).mean(axis=0).astype(np.float32)
    return mean / np.linalg.norm(mean)


# =========================================================================== WEAT


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


def association(emb: Embeddings, words: Sequence[str], A: Sequence[str], B: Sequence[str]) -> np.ndarray:
    """s(w, A, B) = mean cosine of w with A - mean cosine of w with B, for each word w."""
    W, A, B = emb.matrix(words), emb.matrix(A), emb.matrix(B)  # unit rows: dot product = cosine
    return (W @ A.T).mean(axis=1) - (W @ B.T).mean(axis=1)


def weat(
    emb: Embeddings,
    X: Sequence[str],
    Y: Sequence[str],
    A: Sequence[str],
    B: Sequence[str],
    config: WeatConfig = WeatConfig(),
) -> WeatResult:
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
    return WeatResult(
        tuple(X),
        tuple(Y),
        tuple(A),
        tuple(B),
        s_x,
        s_y,
        float(d),
        p,
        method,
        n_splits,
        config.seed if method == "monte carlo" else None,
    )


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


# =========================================================================== hard debiasing


@dataclass(frozen=True)
class DebiasConfig:
    """Settings of :func:`hard_debias`."""

    equalize: bool = True  # Bolukbasi's second step; switch off to see neutralising alone
    vocab_limit: int | None = None  # None: all 400k words (vectorised, ~0.3 s, +80 MB); e.g. 50_000 to save memory


@dataclass(frozen=True, eq=False)
class DebiasResult:
    """Hard-debiased vectors and what was done.

    Attributes:
        embeddings: a NEW :class:`Embeddings` (the original is untouched).
        direction: the gender direction that was removed.
        gender_specific: words left as they were.
        equalized: pairs made symmetric about the direction.
        n_neutralized: how many words lost their component along the direction.
    """

    embeddings: Embeddings
    direction: Direction
    gender_specific: frozenset[str]
    equalized: tuple[tuple[str, str], ...]
    n_neutralized: int


def hard_debias(
    emb: Embeddings, direction: Direction | None = None, config: DebiasConfig = DebiasConfig()
) -> DebiasResult:
    """Bolukbasi et al.'s (2016) hard debiasing: neutralise, then equalise.

    * **Neutralise**: every word that is not gender-specific loses its component along
      the gender direction g (``w ← w - (w·g) g``, then length 1 again), so its
      projection on g becomes 0.
    * **Equalise**: each pair (grandmother, grandfather) is moved to the same point
      off the direction plus and minus the same amount along it, so both words are
      equally far from every neutral word.

    Gender-specific words are Bolukbasi's 218-word seed plus the words of both pair
    lists (the paper grew the seed to a longer list with a classifier; we do not
    have that list). The whole vocabulary is neutralised in a few vectorised blocks.

    Args:
        emb: the vectors (not modified).
        direction: the direction to remove; default :func:`gender_direction` (PCA).
        config: see :class:`DebiasConfig`.

    Returns:
        :class:`DebiasResult` with new embeddings of ``config.vocab_limit`` (default all) words.
    """
    direction = direction or gender_direction(emb)
    g = direction.vector.astype(np.float32)
    lists = bolukbasi_lists()
    words = emb.words[: config.vocab_limit]
    vectors = np.array(emb.vectors[: len(words)], dtype=np.float32, order="C")  # a copy: the shared one stays
    neutral = np.ones(len(words), dtype=bool)
    neutral[[emb.index[w] for w in lists.gender_specific if emb.index.get(w, len(words)) < len(words)]] = False
    for start in range(0, len(words), 65_536):  # blocks: no second 80 MB temporary
        block = vectors[start : start + 65_536]
        block -= np.outer((block @ g) * neutral[start : start + 65_536], g)
    equalized = []
    if config.equalize:
        for a, b in lists.equalize_pairs:
            ra, rb = emb.index.get(a, len(words)), emb.index.get(b, len(words))
            if ra < len(words) and rb < len(words):
                vectors[ra], vectors[rb] = _equalize(vectors[ra], vectors[rb], g)
                equalized.append((a, b))
    base = emb if config.vocab_limit is None else emb.first(len(words))
    debiased = base.with_vectors(vectors, f"{emb.name}, hard-debiased (Bolukbasi et al. 2016)", copy=False)
    return DebiasResult(debiased, direction, lists.gender_specific, tuple(equalized), int(neutral.sum()))


def _equalize(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make unit vectors a, b share their part off g and mirror each other along g."""
    mid = (a + b) / 2
    off = mid - (mid @ g) * g  # the shared part, orthogonal to g
    along = np.sqrt(max(1 - float(off @ off), 0.0))  # length 1 again
    along = along if (a - b) @ g >= 0 else -along  # keep which word was on which side
    return off + along * g, off - along * g


def compare_projections(
    before: Embeddings, after: Embeddings, words: Iterable[str], direction: Direction
) -> pd.DataFrame:
    """Projection of each word on ``direction`` before and after debiasing.

    Returns:
        DataFrame ``word, before, after`` sorted by ``before``; words missing from either
        vocabulary are skipped.
    """
    words = [w for w in words if w in before.index and w in after.index]
    return (
        pd.DataFrame(
            {
                "word": words,
                "before": before.matrix(words) @ direction.vector if words else [],
                "after": after.matrix(words) @ direction.vector if words else [],
            }
        )
        .sort_values("before", kind="stable")
        .reset_index(drop=True)
    )


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


@dataclass(frozen=True)
class RecoveryConfig:
    """Settings of :func:`gender_recovery` (Gonen & Goldberg's experiments)."""

    vocab_limit: int = 50_000  # G&G: the 50k most frequent words
    n_cluster: int = 500  # G&G: k-means on the 500 most biased words, 250 per side
    n_classify: int = 5_000  # G&G: an SVM on the 5,000 most biased words, 2,500 per side...
    n_train: int = 1_000  # ...trained on 1,000 of them and tested on the other 4,000
    seed: int = 0  # k-means starts and the train/test split


@dataclass(frozen=True, eq=False)
class RecoveryResult:
    """How much of the removed gender is still in the debiased vectors.

    Attributes:
        cluster_before, cluster_after: accuracy of 2-means clusters against the words'
            original gender (0.5 = chance, 1 = the clusters are the genders).
        classify_before, classify_after: test accuracy of an RBF-kernel SVM predicting it.
        words: the ``n_cluster`` most biased words; ``labels`` 1 where they leaned to she.
        coords_after: 2-D PCA of their debiased vectors, shape ``(n_cluster, 2)``, for the figure.
        config: the settings used.
    """

    cluster_before: float
    cluster_after: float
    classify_before: float
    classify_after: float
    words: tuple[str, ...]
    labels: np.ndarray
    coords_after: np.ndarray
    config: RecoveryConfig


def gender_recovery(
    original: Embeddings, debiased: Embeddings, config: RecoveryConfig = RecoveryConfig()
) -> RecoveryResult:
    """Gonen & Goldberg (2019): is gender still recoverable after hard debiasing?

    Take the most frequent neutral words, label each by the side it leaned to on the
    *original* she - he axis, then ask the *debiased* vectors, in which every such
    word projects 0 on the gender direction: (1) do 2-means clusters of the most
    biased words still split by gender? (2) can a classifier learn the old gender?
    If debiasing had removed gender, both would be at chance (0.5). The paper found,
    for word2vec, 92.5 % cluster agreement and 88.9 % classifier accuracy after
    debiasing.
    """
    from sklearn.cluster import KMeans  # imported here: ~1 s, only when this runs
    from sklearn.svm import SVC

    specific = bolukbasi_lists().gender_specific
    rows = [
        r
        for r in original.frequent_rows(config.vocab_limit)
        if original.words[r] not in specific and original.words[r] in debiased.index
    ]
    words = [original.words[r] for r in rows]
    bias = original.matrix(words) @ gender_direction(original, "she-he").vector

    def most_biased(n: int) -> tuple[list[str], np.ndarray]:
        order = np.argsort(bias)
        picked = np.concatenate([order[: n // 2], order[-(n // 2) :]])  # most he-ward, most she-ward
        return [words[i] for i in picked], (bias[picked] > 0).astype(int)

    def cluster_accuracy(vectors: np.ndarray, labels: np.ndarray) -> float:
        found = KMeans(2, n_init=10, random_state=config.seed).fit_predict(vectors)
        agree = float(np.mean(found == labels))
        return max(agree, 1 - agree)  # cluster ids are arbitrary

    def classifier_accuracy(vectors: np.ndarray, labels: np.ndarray) -> float:
        train = np.random.default_rng(config.seed).permutation(len(labels))[: config.n_train]
        test = np.setdiff1d(np.arange(len(labels)), train)
        return float(SVC(kernel="rbf").fit(vectors[train], labels[train]).score(vectors[test], labels[test]))

    few, few_labels = most_biased(config.n_cluster)
    many, many_labels = most_biased(config.n_classify)
    after = debiased.matrix(few)
    centred = after - after.mean(axis=0)
    coords = centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T
    return RecoveryResult(
        cluster_accuracy(original.matrix(few), few_labels),
        cluster_accuracy(after, few_labels),
        classifier_accuracy(original.matrix(many), many_labels),
        classifier_accuracy(debiased.matrix(many), many_labels),
        tuple(few),
        few_labels,
        coords,
        config,
    )


# =========================================================================== figures


_TOP_LEGEND = dict(orientation="h", x=0, y=1.0, yanchor="bottom")  # above the plot, clear of the data


def _finish(fig: go.Figure, provenance: Provenance) -> go.Figure:
    """:func:`core.plots.finish`, with the base font size set on the figure itself.

    Streamlit's chart theme replaces the font sizes a plotly *template* sets: it draws
    text at the figure's own ``layout.font.size`` (12 px when only the template sets
    one), ticks and legend at 0.75 and axis titles at 0.875 of it (measured in Chromium
    at 1600 x 900: word-map labels, the analogy legend and the projection chart's words
    were 12 px; issue #13 defect 8). Sizes in the figure's own layout are kept, so the
    base size is set here for every kind of label, after the builder's own layout
    (a later ``xaxis_title="..."`` would drop a title font set earlier). Presenter
    mode replaces them centrally in ``ui.charts.chart``; no text sets a size of its own.
    """
    size = plots.BASE_FONT
    fig.update_layout(font_size=size, legend_font_size=size)
    fig.update_xaxes(tickfont_size=size, title_font_size=size)
    fig.update_yaxes(tickfont_size=size, title_font_size=size)
    return plots.finish(fig, provenance)


def _provenance(emb: Embeddings, data: str, seed: int | None = None, source: str = "") -> Provenance:
    return Provenance("measured", model=emb.name, data=data, seed=seed, source=source or GLOVE_SOURCE)


def analogy_figure(result: AnalogyResult, emb: Embeddings) -> go.Figure:
    """Bar chart of the top answers, with the three inputs' would-be scores as dashed lines.

    Each input's line is named in the legend above the plot ("man (rank 995)"), not
    labelled inside it: a label inside lands on the dark bars, and two inputs that score
    alike overprint each other. The lines live on a hidden second y-axis spanning [0, 1]
    so that they cross the whole plot and hover like any trace.
    """
    table = result.candidates.iloc[::-1]
    fig = plots.figure(f"{result.a} : {result.b} :: {result.c} : ?  ({result.method})")
    fig.add_bar(
        x=table["score"],
        y=table["word"],
        orientation="h",
        marker_color=plots.BLUE,
        name="answers",
        hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        showlegend=False,
    )
    for (_, row), colour in zip(result.inputs.iterrows(), (plots.GREY, plots.VERMILION, plots.GREEN)):
        searched = not pd.isna(row["rank"])  # None when vocab_limit left the input word out
        label = f"{row['word']} (rank {int(row['rank']):,})" if searched else f"{row['word']} (not searched)"
        fig.add_scatter(
            x=[row["score"]] * 2 if searched else [],
            y=[0, 1] if searched else [],
            yaxis="y2",
            mode="lines",
            line=dict(dash="dash", color=colour, width=2),
            name=label,
            hovertemplate=f"{label}: %{{x:.3f}}<extra></extra>",
        )
    scores = pd.concat([table["score"], result.inputs["score"]]).dropna().to_numpy()
    low, high = min(float(scores.min()), 0.0), float(scores.max())
    fig.update_xaxes(range=[low, high + 0.04 * (high - low)])  # a line at the top score stays clear of the edge
    fig.update_layout(
        xaxis_title="score",
        height=max(450, 230 + 28 * len(table)),
        legend=_TOP_LEGEND,
        yaxis2=dict(overlaying="y", range=[0, 1], visible=False, fixedrange=True),
        yaxis_automargin=True,
        margin_t=110,
    )  # t: the title and a legend that wraps at presenter sizes
    excluded = "inputs excluded" if result.exclude_inputs else "inputs allowed"
    return _finish(fig, _provenance(emb, f"analogy over the vocabulary, {excluded}", source=NISSIM_SOURCE))


def explained_variance_figure(direction: Direction, emb: Embeddings) -> go.Figure:
    """Share of variance of each principal component of the centred definitional pairs."""
    if not direction.explained_variance:
        raise ValueError(f"{direction.name} was not computed by PCA")
    share = np.asarray(direction.explained_variance)
    fig = plots.figure("How one-dimensional is gender? Variance of the definitional pairs per component")
    fig.add_bar(
        x=[f"PC{i + 1}" for i in range(len(share))],
        y=share,
        marker_color=[plots.VERMILION] + [plots.BLUE] * (len(share) - 1),
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_layout(yaxis_title="share of variance", yaxis_tickformat=".0%", showlegend=False)
    return _finish(
        fig, _provenance(emb, f"{len(direction.used)} pairs: {', '.join(direction.used)}", source=BOLUKBASI_SOURCE)
    )


def projection_figure(
    table: pd.DataFrame,
    direction: Direction,
    emb: Embeddings,
    highlight: Iterable[str] = (),
    n_labels: int = 8,
    data: str = "",
) -> go.Figure:
    """The words at both ends of ``direction``, and ``highlight``, one row each, above a rug of all words.

    Each labelled word gets a row, sorted by projection, and its name is the row's
    tick label: plotly makes room for tick labels, so no label is cut at the plot's
    edge and none lies over a line or another label, at any font size. (Labels with
    leader lines beside the points crossed each other's lines and ran off the edge:
    issue #13, defect 9.) The bottom row is a rug of every word, so the extremes are
    seen against the whole distribution; hovering one of its marks names the word.

    Args:
        table: DataFrame with ``word`` and ``projection`` (e.g. :func:`profession_projections`).
        highlight: words to mark with a black diamond and always list (e.g. the words a user typed).
        n_labels: how many words to list at each end.
    """
    table = table.dropna(subset=["projection"]).sort_values("projection", kind="stable").reset_index(drop=True)
    table = table.drop_duplicates("word")  # one row per word: a category axis would merge repeats anyway
    n_end = min(n_labels, len(table) // 2)
    marked = table["word"].isin(set(highlight))
    ends = (table.index < n_end) | (table.index >= len(table) - n_end)
    shown = table[ends | marked]
    rug = f"all {len(table)} words"
    rows = [rug, *shown["word"]]  # bottom to top: the rug, then the listed words from most negative up

    def colours(values: pd.Series) -> np.ndarray:
        return np.where(values > 0, plots.VERMILION, plots.BLUE)

    fig = plots.figure(f"Projection on the {direction.name} direction")
    fig.add_scatter(
        x=table["projection"],
        y=[rug] * len(table),
        mode="markers",
        text=table["word"],
        name=rug,
        marker=dict(symbol="line-ns-open", size=22, line=dict(width=1.5, color=colours(table["projection"]))),
        hovertemplate="%{text}: %{x:.3f}<extra></extra>",
    )
    mine = marked[shown.index].to_numpy()
    for part, name, symbol, size in ((shown[~mine], "ends", "circle", 11), (shown[mine], "your words", "diamond", 14)):
        colour = plots.BLACK if name == "your words" else colours(part["projection"])
        fig.add_scatter(
            x=part["projection"],
            y=part["word"],
            mode="markers",
            name=name,
            marker=dict(color=colour, size=size, symbol=symbol),
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    fig.add_vline(x=0, line_color=plots.GREY)
    fig.update_layout(
        xaxis_title=f"← {direction.negative}   projection   {direction.positive} →",
        showlegend=False,
        height=max(450, 230 + 30 * len(rows)),
    )  # 30 px a row: a label at presenter size fits
    # Every row named (an automatic category axis skips labels when crowded), in this order.
    fig.update_yaxes(categoryorder="array", categoryarray=rows, tickmode="array", tickvals=rows, automargin=True)
    return _finish(fig, _provenance(emb, data or f"{len(table)} words", source=BOLUKBASI_SOURCE))


def scatter_figure(emb: Embeddings, words: Sequence[str], x_axis: Direction, y_axis: Direction) -> go.Figure:
    """Words placed by their projections on two directions; hover shows the word."""
    words = [w for w in words if w in emb.index]
    if not words:
        raise WordListError("No known words to plot.")
    vectors = emb.matrix(words)
    x, y = vectors @ x_axis.vector, vectors @ y_axis.vector
    angle = math.degrees(math.acos(float(np.clip(x_axis.vector @ y_axis.vector, -1, 1))))
    fig = plots.figure(f"{x_axis.name} × {y_axis.name} (axes {angle:.0f}° apart)")
    # cliponaxis=False: a label may run past the axis into the margin rather than be cut.
    fig.add_scatter(
        x=x,
        y=y,
        mode="markers+text",
        text=words,
        textposition="top center",
        cliponaxis=False,
        marker=dict(color=plots.BLUE),
        hovertemplate="%{text}<br>x %{x:.3f}<br>y %{y:.3f}<extra></extra>",
    )
    fig.add_hline(y=0, line_color=plots.GREY)
    fig.add_vline(x=0, line_color=plots.GREY)
    fig.update_layout(
        xaxis_title=f"← {x_axis.negative}   {x_axis.positive} →",
        yaxis_title=f"← {y_axis.negative}   {y_axis.positive} →",
        showlegend=False,
        height=650,
        margin_r=60,
    )  # tall: 16 px labels of nearby words need the room to stay apart
    fig.update_xaxes(range=_padded(x, 0.15))  # room for the labels of the outermost words
    fig.update_yaxes(range=_padded(y, 0.15))
    return _finish(fig, _provenance(emb, f"{len(words)} words"))


def _padded(values: np.ndarray, share: float) -> list[float]:
    """An axis range around ``values`` (and 0) with ``share`` of the span added on each side."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    pad = share * (high - low or 1.0)
    return [low - pad, high + pad]


def weat_figure(report: WeatReport, emb: Embeddings) -> go.Figure:
    """Each target word's association s(w, A, B): the two clouds whose gap d measures."""
    r, (x_name, y_name, a_name, b_name) = report.result, report.names
    fig = plots.figure(f"{report.title.split(':')[0]}: d = {r.effect_size:.2f}, {r.p_text()}")
    for words, values, name, colour in ((r.X, r.s_x, x_name, plots.BLUE), (r.Y, r.s_y, y_name, plots.ORANGE)):
        fig.add_box(
            x=values,
            name=name,
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            text=list(words),
            marker_color=colour,
            hovertemplate="%{text}: %{x:.3f}<extra></extra>",
            orientation="h",
        )
    fig.add_vline(x=0, line_color=plots.GREY)
    fig.update_layout(xaxis_title=f"← closer to {b_name}    s(w, A, B)    closer to {a_name} →", showlegend=False)
    fig.update_yaxes(automargin=True)
    seed = r.seed if r.p_method == "monte carlo" else None
    return _finish(
        fig, _provenance(emb, f"{report.title}; p {r.p_method}, {r.n_splits:,} splits", seed, source=CALISKAN_SOURCE)
    )


def weat_comparison_figure(table: pd.DataFrame, emb: Embeddings) -> go.Figure:
    """Our d per WEAT next to Caliskan et al.'s Table 1 d on GloVe 840B (published)."""
    fig = plots.figure("WEAT effect sizes: measured here vs published")
    fig.add_bar(x=table["test"], y=table["d"], name=f"measured, {emb.name}", marker_color=plots.BLUE)
    fig.add_bar(
        x=table["test"],
        y=table["paper_d"],
        name="published, GloVe 840B (Caliskan et al. 2017)",
        marker_color=plots.GREY,
    )
    fig.update_layout(barmode="group", yaxis_title="effect size d", legend=_TOP_LEGEND)
    return _finish(fig, _provenance(emb, "WEAT 1-10 word lists of the paper", source=CALISKAN_SOURCE))


def debias_projection_figure(table: pd.DataFrame, direction: Direction, emb: Embeddings) -> go.Figure:
    """Dumbbells: each word's projection before (hollow) and after (filled) debiasing."""
    fig = plots.figure("Projection on the gender direction, before and after hard debiasing")
    for _, row in table.iterrows():
        fig.add_scatter(
            x=[row["before"], row["after"]],
            y=[row["word"]] * 2,
            mode="lines",
            line=dict(color=plots.GREY, width=2),
            hoverinfo="skip",
            showlegend=False,
        )
    fig.add_scatter(
        x=table["before"],
        y=table["word"],
        mode="markers",
        name="before",
        marker=dict(symbol="circle-open", color=plots.VERMILION, size=11),
    )
    fig.add_scatter(
        x=table["after"], y=table["word"], mode="markers", name="after", marker=dict(color=plots.BLUE, size=9)
    )
    fig.update_layout(
        xaxis_title=f"← {direction.negative}   projection   {direction.positive} →",
        height=max(450, 200 + 26 * len(table)),
        legend=_TOP_LEGEND,
    )
    fig.update_yaxes(automargin=True)
    return _finish(fig, _provenance(emb, f"{len(table)} words", source=BOLUKBASI_SOURCE))


def recovery_figure(result: RecoveryResult, emb: Embeddings) -> go.Figure:
    """The most biased words in the debiased space (2-D PCA), coloured by their original lean."""
    fig = plots.figure(
        f"Debiased, still sorted by gender: k-means {result.cluster_after:.0%}, SVM {result.classify_after:.0%}"
    )
    words = np.array(result.words)
    for label, name, colour in ((1, "leaned to she", plots.VERMILION), (0, "leaned to he", plots.BLUE)):
        mask = result.labels == label
        fig.add_scatter(
            x=result.coords_after[mask, 0],
            y=result.coords_after[mask, 1],
            mode="markers",
            text=words[mask],
            name=name,
            marker=dict(color=colour, size=7, opacity=0.7),
            hovertemplate="%{text}<extra></extra>",
        )
    fig.update_layout(xaxis_title="PC1 of debiased vectors", yaxis_title="PC2", legend=_TOP_LEGEND)
    return _finish(
        fig,
        _provenance(
            emb,
            f"{len(words)} most gender-biased of the {result.config.vocab_limit:,} most frequent words",
            result.config.seed,
            source=GONEN_SOURCE,
        ),
    )
