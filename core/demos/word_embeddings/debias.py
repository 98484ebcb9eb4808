"""Hard debiasing (Bolukbasi et al. 2016) and the test that it hides the bias (Gonen & Goldberg 2019).

Bolukbasi et al. (2016, "Man is to Computer Programmer as Woman is to Homemaker?", NeurIPS)
remove the gender direction from every word that is not gender-specific and make pairs such as
grandmother / grandfather symmetric about it. Gonen & Goldberg (2019, "Lipstick on a pig:
debiasing methods cover up systematic gender biases in word embeddings but do not remove
them", NAACL) show the bias is hidden, not removed: words that leaned male still cluster
together, and a classifier recovers the old gender from the debiased vectors
(:func:`gender_recovery`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.glove import Embeddings

from .direction import Direction, gender_direction
from .sources import bolukbasi_lists


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
