"""Nearest neighbours and analogies: "a is to b as c is to ?", and where the excluded inputs would rank.

The answer to a : b :: c : ? is the word nearest to b - a + c (3CosAdd, Mikolov, Yih & Zweig
2013, "Linguistic regularities in continuous space word representations", NAACL) or the best
balance of the three similarities (3CosMul, Levy & Goldberg 2014, "Linguistic regularities in
sparse and explicit word representations", CoNLL). The standard procedure forbids answering
with an input word; Nissim, van Noord & van der Goot (2020, "Fair is better than sensational",
Computational Linguistics 46(2)) show that many famous answers exist only because of that rule,
so :class:`AnalogyResult` also reports where a, b and c would have ranked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.glove import Embeddings, WordListError, lookup_word


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

    @property
    def best_input(self) -> pd.Series:
        """The row of :attr:`inputs` that scores highest: with ``rank`` 1 it would have been the answer."""
        return self.inputs.sort_values("rank").iloc[0]

    @property
    def note(self) -> str:
        """Why this analogy is worth showing, when a, b, c are one of :data:`ANALOGY_PRESETS`; else ''."""
        return next((p.note for p in ANALOGY_PRESETS if (p.a, p.b, p.c) == (self.a, self.b, self.c)), "")


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
