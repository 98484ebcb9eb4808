"""A bias direction and projections on it; Bolukbasi et al.'s automatically generated she-he analogies.

Bolukbasi et al. (2016, "Man is to Computer Programmer as Woman is to Homemaker?", NeurIPS)
take the first principal component of the differences within ten definitional pairs
(she/he, woman/man, ...) as "the gender direction"; a word's projection on it (its cosine
with it) says which way it leans. Any two word lists (rich/poor) define an axis the same way
(Kozlowski, Taddy & Evans 2019, "The geometry of culture"). :func:`generate_analogies` lists
pairs of close words that differ along the direction, the paper's "she-he analogies".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.glove import Embeddings, WordListError, parse_words

from .sources import bolukbasi_lists
from .weat import weat_specs


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
