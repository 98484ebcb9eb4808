import pytest

from core import plots
from core.provenance import Provenance


def test_caption_and_csv_header_carry_every_field():
    p = Provenance("measured", model="SmallCNN", data="Fashion-MNIST", seed=3, source="here")
    assert p.caption() == "measured · model: SmallCNN · data: Fashion-MNIST · seed: 3 · source: here"
    assert p.csv_header().splitlines() == [
        "# what: measured",
        "# model: SmallCNN",
        "# data: Fashion-MNIST",
        "# seed: 3",
        "# source: here",
    ]
    assert p.slug() == "measured_SmallCNN_seed3"


def test_seed_zero_is_kept_and_missing_seed_is_omitted():
    assert "seed: 0" in Provenance("measured", seed=0).caption()
    assert "seed" not in Provenance("published", source="Strubell et al. 2019").caption()


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="kind"):
        Provenance("guessed")


def finished(**layout):
    fig = plots.figure("t", **layout)
    fig.add_scatter(x=[0, 1], y=[1, 0], mode="lines+text", text=["a", "b"], line_color=plots.BLACK)
    fig.add_annotation(text="note", x=0, y=0)
    return plots.finish(fig, Provenance("estimated", model="m", seed=1))


def test_finish_stamps_provenance_once_in_the_metadata_not_drawn_inside():
    """The page prints the provenance as the caption; drawn inside too, it was there twice (issue #13, defect 8)."""
    fig = finished()
    assert plots.provenance_of(fig) == {"what": "estimated", "model": "m", "seed": "1"}
    assert not any((a.text or "").startswith("estimated") for a in fig.layout.annotations)
    assert fig.layout.template.layout.colorway[0] == plots.PALETTE[0]


def font_sizes(fig) -> dict:
    """Every font size the screen will use, read from the figure itself (Streamlit's theme ignores the template's)."""
    d = fig.to_dict()["layout"]
    return {
        "text": d["font"]["size"],
        "legend": d["legend"]["font"]["size"],
        "ticks": min(d[a]["tickfont"]["size"] for a in d if a.startswith(("xaxis", "yaxis"))),
        "annotations": min(a["font"]["size"] for a in d["annotations"]),
        "trace text": min(t["textfont"]["size"] for t in fig.to_dict()["data"]),
    }


def test_every_size_is_on_the_figure_itself():
    assert min(font_sizes(finished()).values()) == plots.BASE_FONT


def test_presenter_mode_draws_ticks_and_labels_at_18px_or_more_on_a_copy():
    fig = finished(height=400, margin_t=150)  # e.g. room for a legend above the plot
    big = plots.for_screen(fig, presenter=True)
    assert min(font_sizes(big).values()) >= 18 and big.layout.height > 400
    assert big.layout.margin.t >= 150 * plots.PRESENTER_FONT / plots.BASE_FONT  # the legend's room grows with it
    assert min(font_sizes(fig).values()) == plots.BASE_FONT and fig.layout.height == 400  # the cached original


def test_presenter_mode_keeps_a_plot_without_a_height_from_being_squeezed_to_a_strip():
    """Grown margins in plotly's default 450 px left 160 px of plot; the figure grows with its text instead."""
    fig = finished(legend_below=True, margin_t=70)
    big = plots.for_screen(fig, presenter=True)
    plot_px = big.layout.height - big.layout.margin.t - big.layout.margin.b
    assert plot_px >= plots.DEFAULT_HEIGHT - 70 - plots.LEGEND_BELOW_MARGIN  # the base size's plot, or more
    assert fig.layout.height is None  # the cached original is untouched


def test_a_legend_below_sits_at_the_figure_s_foot_not_at_a_share_of_the_plot():
    """Anchored to the plot (y = -0.25) it ran into the x-axis title when presenter mode grew the text."""
    fig = finished(legend_below=True, margin_b=200)
    legend = fig.layout.legend
    assert (legend.yref, legend.y, legend.yanchor, legend.orientation) == ("container", 0, "bottom", "h")
    assert fig.layout.margin.b == 200  # a figure that needs more room than the default keeps it
    assert finished(legend_below=True).layout.margin.b == plots.LEGEND_BELOW_MARGIN


def test_log_axes_get_one_tick_per_decade_unless_they_chose_their_own():
    fig = finished(yaxis_type="log", xaxis=dict(type="log", tickvals=[1, 3]))
    assert (fig.layout.yaxis.dtick, fig.layout.yaxis.exponentformat) == (1, "power")
    assert fig.layout.xaxis.dtick is None  # its own ticks stay
    assert finished().layout.yaxis.dtick is None  # a linear axis is left alone


def test_dark_theme_swaps_black_ink_for_light_but_not_words():
    fig = finished()
    fig.add_scatter(x=[0], y=[0], text=["black"], mode="text")
    dark = plots.for_screen(fig, dark=True)
    assert dark.data[0].line.color == plots.LIGHT_INK and fig.data[0].line.color == plots.BLACK
    assert list(dark.data[1].text) == ["black"]
    layout = fig.to_dict()["layout"]["template"]["layout"]
    assert "color" not in layout["font"] and layout["paper_bgcolor"] == "rgba(0,0,0,0)"  # the theme shows through


def test_chart_json_keeps_non_ascii_as_written():
    """With orjson (pinned) plotly writes ±ε as it is; without it, \\u00b1\\u03b5 (issue #13, defect 5)."""
    import plotly.io as pio

    assert "±ε" in pio.to_json(plots.figure("±ε"))


def test_palette_is_okabe_ito_and_distinct():
    assert len(set(plots.PALETTE)) == len(plots.PALETTE) == 8
    assert plots.PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")
