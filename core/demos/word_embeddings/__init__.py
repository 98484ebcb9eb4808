"""Word vectors learned from web text absorb society's stereotypes, and the standard tests can both reveal and exaggerate them.

A word embedding gives each word a point in space so that words used in similar
contexts lie close together. GloVe (Pennington, Socher & Manning 2014) learns them
from how often words co-occur in 6 billion tokens of Wikipedia and newswire. Nobody
told it about gender or race, yet its geometry records how people write: *nurse*
lies nearer to *she* than *surgeon* does (cosine 0.65 against 0.45).

This package measures that in five ways, each with the paper that introduced it and
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

What is where (one module per lesson, each with its papers):

- ``analogies.py``: :func:`neighbours`, :func:`analogy` (3CosAdd, 3CosMul) and the presets;
- ``direction.py``: :class:`Direction`, :func:`gender_direction`, :func:`axis_direction`,
  projections, and Bolukbasi et al.'s generated she-he analogies (:func:`generate_analogies`);
- ``weat.py``: :func:`weat` with its permutation test, the paper's ten tests and its Table 1,
  and the gender tests before and after debiasing;
- ``debias.py``: :func:`hard_debias` and Gonen & Goldberg's :func:`gender_recovery`;
- ``figures.py``: the plotly figures the page draws;
- ``sources.py``: the papers' word lists, their citations, and :func:`provenance`;
- ``core/glove.py`` (a building block, not part of this package): loading the vectors and
  reading the word lists people type.

Everything public is re-exported here: ``import core.demos.word_embeddings as eb`` is all a
page, a test or a benchmark needs.

Example::

    emb = load_glove()  # 0.4 s; immutable, so one copy can serve every session
    analogy(emb, "man", "doctor", "woman").answer                        # 'nurse'
    analogy(emb, "man", "doctor", "woman", exclude_inputs=False).answer  # 'doctor'
    run_weat(emb, weat_specs()[0]).result.effect_size                    # WEAT 1: 1.08

Functions raise :class:`WordListError` (a :class:`core.errors.BadInput`) with a message
meant for the user when typed words cannot be used, and :class:`VectorsNotFound` (an
:class:`core.errors.Unavailable`) when the GloVe package is missing.
"""

from core.glove import (
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

from .analogies import (
    ANALOGY_METHODS,
    ANALOGY_PRESETS,
    AnalogyPreset,
    AnalogyResult,
    analogy,
    analogy_scores,
    neighbours,
)
from .debias import (
    DebiasConfig,
    DebiasResult,
    RecoveryConfig,
    RecoveryResult,
    compare_projections,
    gender_recovery,
    hard_debias,
)
from .direction import (
    Direction,
    GenerationConfig,
    axis_direction,
    gender_direction,
    generate_analogies,
    pca_direction,
    profession_projections,
    projections,
)
from .figures import (
    analogy_figure,
    debias_projection_figure,
    explained_variance_figure,
    projection_figure,
    recovery_figure,
    scatter_figure,
    weat_comparison_figure,
    weat_figure,
)
from .sources import (
    BOLUKBASI_SOURCE,
    CALISKAN_SOURCE,
    GONEN_SOURCE,
    NAME_WORD_COLLISIONS,
    NISSIM_SOURCE,
    BolukbasiLists,
    bolukbasi_lists,
    provenance,
)
from .weat import (
    CALISKAN_TABLE1,
    WeatConfig,
    WeatReport,
    WeatResult,
    WeatSpec,
    association,
    permutation_p_value,
    run_all_weats,
    run_weat,
    weat,
    weat_before_after,
    weat_from_text,
    weat_specs,
    weat_table,
)

__all__ = [
    "GLOVE_SOURCE",
    "Embeddings",
    "ParseConfig",
    "ParsedWords",
    "UnknownWordError",
    "VectorsNotFound",
    "WordListError",
    "load_glove",
    "lookup_word",
    "parse_words",
    "ANALOGY_METHODS",
    "ANALOGY_PRESETS",
    "AnalogyPreset",
    "AnalogyResult",
    "analogy",
    "analogy_scores",
    "neighbours",
    "DebiasConfig",
    "DebiasResult",
    "RecoveryConfig",
    "RecoveryResult",
    "compare_projections",
    "gender_recovery",
    "hard_debias",
    "Direction",
    "GenerationConfig",
    "axis_direction",
    "gender_direction",
    "generate_analogies",
    "pca_direction",
    "profession_projections",
    "projections",
    "analogy_figure",
    "debias_projection_figure",
    "explained_variance_figure",
    "projection_figure",
    "recovery_figure",
    "scatter_figure",
    "weat_comparison_figure",
    "weat_figure",
    "BOLUKBASI_SOURCE",
    "CALISKAN_SOURCE",
    "GONEN_SOURCE",
    "NAME_WORD_COLLISIONS",
    "NISSIM_SOURCE",
    "BolukbasiLists",
    "bolukbasi_lists",
    "provenance",
    "CALISKAN_TABLE1",
    "WeatConfig",
    "WeatReport",
    "WeatResult",
    "WeatSpec",
    "association",
    "permutation_p_value",
    "run_all_weats",
    "run_weat",
    "weat",
    "weat_before_after",
    "weat_from_text",
    "weat_specs",
    "weat_table",
]
