"""The papers this demo follows, their word lists, and the provenance line every number carries.

* :func:`bolukbasi_lists`: the definitional pairs, equalise pairs, gender-specific words and 320
  professions of Bolukbasi et al. (2016, "Man is to Computer Programmer as Woman is to
  Homemaker?", NeurIPS), from their code release ``debiaswe`` (``core/assets/wordlists``).
* :data:`NAME_WORD_COLLISIONS`: first names that are also ordinary words once lower-cased.
* the citations shown under charts (``*_SOURCE``), and :func:`provenance`, which turns them into
  the :class:`~core.provenance.Provenance` of a number measured on the vectors.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from core.glove import GLOVE_SOURCE, Embeddings
from core.paths import ASSETS
from core.provenance import Provenance

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


def provenance(emb: Embeddings, data: str = "", seed: int | None = None, source: str = GLOVE_SOURCE) -> Provenance:
    """What a number computed on ``emb`` is: measured, on which vectors, which words, which seed, which paper.

    Args:
        emb: the vectors the number was computed on (its name is the provenance's model).
        data: which words; default: the whole vocabulary, e.g. "400,000 lower-cased words".
        seed: the seed of any randomness (permutation test, k-means); None when there is none.
        source: the paper or data source; default: GloVe's.
    """
    return Provenance(
        "measured", model=emb.name, data=data or f"{len(emb):,} lower-cased words", seed=seed, source=source
    )
