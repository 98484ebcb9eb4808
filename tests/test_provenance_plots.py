import pytest

from core import plots
from core.provenance import Provenance


def test_caption_and_csv_header_carry_every_field():
    p = Provenance("measured", model="SmallCNN", data="Fashion-MNIST", seed=3, source="here")
    assert p.caption() == "measured · model: SmallCNN · data: Fashion-MNIST · seed: 3 · source: here"
    assert p.csv_header().splitlines() == ["# what: measured", "# model: SmallCNN", "# data: Fashion-MNIST",
                                           "# seed: 3", "# source: here"]
    assert p.slug() == "measured_SmallCNN_seed3"


def test_seed_zero_is_kept_and_missing_seed_is_omitted():
    assert "seed: 0" in Provenance("measured", seed=0).caption()
    assert "seed" not in Provenance("published", source="Strubell et al. 2019").caption()


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="kind"):
        Provenance("guessed")


def test_finish_stamps_provenance_inside_the_figure():
    fig = plots.figure("t")
    fig.add_scatter(x=[0, 1], y=[1, 0])
    plots.finish(fig, Provenance("estimated", model="m", seed=1))
    assert plots.provenance_of(fig) == {"what": "estimated", "model": "m", "seed": "1"}
    assert any(a.text.startswith("estimated") for a in fig.layout.annotations)
    assert fig.layout.template.layout.colorway[0] == plots.PALETTE[0]


def test_palette_is_okabe_ito_and_distinct():
    assert len(set(plots.PALETTE)) == len(plots.PALETTE) == 8
    assert plots.PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")
