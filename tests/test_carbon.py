"""The CO2 demo's published figures, grid intensities, calculator and equivalents, the lab's runs, the ladder chart."""

import importlib.util
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from core import plots
from core.demos.carbon import calculator, figures, lab_runs, published
from core.demos.carbon import fit as energy_fit
from core.errors import BadInput
from core.ledger import Ledger, LedgerRow
from core.paths import REPO_ROOT


def codecarbon_energy_mix() -> dict:
    """codecarbon's bundled grid data, read here independently of core.demos.carbon.calculator."""
    spec = importlib.util.find_spec("codecarbon")
    root = Path(list(spec.submodule_search_locations)[0])
    return json.loads((root / "data" / "private_infra" / "global_energy_mix.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ published figures
def test_strubell_rows_are_converted_from_pounds():
    expected_lbs = {
        "Transformer base": 26,
        "Transformer big": 192,
        "ELMo": 262,
        "BERT base": 1438,
        "Transformer big + NAS": 626155,
        "NY↔SF flight, 1 passenger": 1984,
    }
    for name, lbs in expected_lbs.items():
        fig = published.published(name)
        assert fig.unit == "lbs CO2e" and fig.value == lbs
        assert fig.kg_co2e == pytest.approx(lbs * 0.45359237)
    assert published.published("BERT base").kg_co2e == pytest.approx(652.266, abs=1e-3)  # 1438 × 0.45359237
    assert "394,863" in published.published("Transformer big + NAS").note


def test_large_model_figures_in_kg():
    assert published.published("GPT-3 (175B)").kg_co2e == 552_000
    assert published.published("GPT-3 (175B)").energy_kwh == 1_287_000
    assert published.published("BLOOM (176B), training power").kg_co2e == 24_700
    assert published.published("BLOOM (176B), life cycle").kg_co2e == 50_500
    assert published.published("Llama 2 (all sizes)").kg_co2e == 539_000


def test_each_figure_says_whether_and_what_was_checked():
    for fig in published.PUBLISHED:
        assert fig.citation and fig.includes and fig.note, fig.name
        assert fig.note.startswith("Checked") == fig.verified, fig.name  # the note says what "verified" covers
    # BLOOM's energy and grid intensity were read only in secondary copies: the row must say so.
    assert published.NOT_PRIMARY in published.published("BLOOM (176B), training power").note
    for comp in published.POWER_COMPARISONS:
        assert comp.is_estimate and comp.caveat and comp.citation
    assert "estimate" in published.POWER_COMPARISONS[1].citation  # ~1 MW is nobody's measurement
    with pytest.raises(KeyError, match="BERT base"):
        published.published("GPT-5")


def codecarbon_factor(pattern: str) -> float:
    """A number from codecarbon's own dashboard code (viz/data.py), read as text: importing it needs dash."""
    import re

    spec = importlib.util.find_spec("codecarbon")
    text = (Path(list(spec.submodule_search_locations)[0]) / calculator.CODECARBON_EQUIVALENTS_FILE).read_text()
    return float(re.search(pattern, text).group(1))


def test_everyday_equivalents_use_codecarbons_factors():
    car, tv, household = calculator.EQUIVALENTS
    assert car.kg_per_unit == codecarbon_factor(r"= ([\d.]+) kg CO2E/mile")
    assert tv.kg_per_unit == codecarbon_factor(r"Ratio is ([\d.]+) kg CO2 / 1 hour tv")
    assert household.kg_per_unit == codecarbon_factor(r"= ([\d.]+) kg CO2/week")
    amounts = dict((e.unit, a) for e, a in calculator.equivalents(0.818))
    assert amounts["miles"] == pytest.approx(2.0) and amounts["hours"] == pytest.approx(0.818 / 0.097)
    with pytest.raises(ValueError, match="negative"):
        calculator.equivalents(-1)
    # tiny amounts in readable units: 0.409 g is 1/1000 mile = 1.61 m; 0.097 g is 1/1000 h = 3.6 s
    assert car.readable(0.409e-3) == "1.61 m" and car.readable(0.409 * 10) == "16.1 km"
    assert tv.readable(0.097e-3) == "3.6 s" and tv.readable(0.097 * 48) == "2 days"
    assert household.readable(160.58 * 3) == "3 weeks"


def test_figures_are_frozen():
    with pytest.raises(AttributeError):
        published.PUBLISHED[0].value = 0


# ------------------------------------------------------------------ grid intensity
def test_intensities_match_codecarbon_data():
    mix = codecarbon_energy_mix()
    for code in ("FRA", "DEU", "USA", "POL"):
        assert calculator.intensity_g_per_kwh(code) == pytest.approx(mix[code]["carbon_intensity"])
    assert calculator.intensity_g_per_kwh(" fra ") == calculator.intensity_g_per_kwh("FRA")


def test_intensity_order_in_the_bundled_data():
    # Checked against codecarbon 3.3.2's data (2023): FRA 56, USA 369, DEU 381, POL 662 g/kWh.
    # USA and DEU are close; a codecarbon data update could swap them, then update this test.
    fr, us, de, pl = (calculator.intensity_g_per_kwh(c) for c in ("FRA", "USA", "DEU", "POL"))
    assert fr < us < de < pl


def test_unknown_country_has_a_helpful_message():
    with pytest.raises(calculator.UnknownCountry, match="ISO 3166") as info:
        calculator.intensity_g_per_kwh("XX")
    assert isinstance(info.value, ValueError)
    with pytest.raises(calculator.UnknownCountry):
        calculator.emissions_kg(1.0, "Atlantis")


def test_countries_lists_codes_and_names():
    pairs = calculator.countries()
    assert ("FRA", "France") in pairs and ("DEU", "Germany") in pairs
    assert len(pairs) == len({code for code, _ in pairs}) > 100
    assert [name for _, name in pairs] == sorted(name for _, name in pairs)


def test_emissions_by_hand():
    fr = codecarbon_energy_mix()["FRA"]["carbon_intensity"]
    assert calculator.emissions_kg(10.0, "FRA") == pytest.approx(10.0 * fr / 1000)
    assert calculator.emissions_kg(0.0, "USA") == 0.0
    with pytest.raises(ValueError):
        calculator.emissions_kg(-1.0, "USA")


# ------------------------------------------------------------------ calculator
def test_estimate_by_hand():
    # 8 V100 × 300 W × 24 h × PUE 1.58 = 91,008 Wh = 91.008 kWh
    est = calculator.estimate("NVIDIA V100", count=8, hours=24, pue=1.58, country="USA")
    assert est.energy_kwh == pytest.approx(91.008)
    usa = codecarbon_energy_mix()["USA"]["carbon_intensity"]
    assert est.emissions_kg == pytest.approx(91.008 * usa / 1000)
    assert est.tdp_w == 300 and est.intensity_g_per_kwh == pytest.approx(usa)
    assert "300 W × 8 × 24 h × PUE 1.58" in est.formula and "91.01 kWh" in est.formula
    assert est.provenance.kind == "estimated"


def test_estimate_small_cases_and_defaults():
    # One T4 for 10 h at PUE 1: 70 W × 10 h = 0.7 kWh
    assert calculator.estimate("NVIDIA T4", 1, 10, pue=1.0, country="FRA").energy_kwh == pytest.approx(0.7)
    # Laptop, 2 h, defaults (PUE 1.58, USA): 15 × 2 × 1.58 / 1000 = 0.0474 kWh
    est = calculator.estimate("Laptop CPU", 1, 2)
    assert est.energy_kwh == pytest.approx(0.0474) and est.country == "USA" and est.pue == 1.58
    assert calculator.HARDWARE["NVIDIA H100"].tdp_w == 700 and calculator.HARDWARE["NVIDIA A100"].tdp_w == 400


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(hardware="TPU v9", count=1, hours=1), calculator.UnknownHardware),
        (dict(hardware="NVIDIA T4", count=0, hours=1), BadInput),
        (dict(hardware="NVIDIA T4", count=1.5, hours=1), BadInput),
        (dict(hardware="NVIDIA T4", count=1, hours=-1), BadInput),
        (dict(hardware="NVIDIA T4", count=1, hours=1, pue=0.9), BadInput),
        (dict(hardware="NVIDIA T4", count=1, hours=1, country="ZZZ"), calculator.UnknownCountry),
    ],
)
def test_estimate_rejects_bad_inputs(kwargs, error):
    with pytest.raises(error):
        calculator.estimate(**kwargs)


# ------------------------------------------------------------------ ledger and figure
def _row(demo, label, kg, status="measured"):
    return LedgerRow(
        demo=demo,
        label=label,
        config_json="{}",
        seed=0,
        duration_s=1.0,
        energy_kwh=None if kg is None else kg * 2,
        emissions_kg=kg,
        country="FRA",
        intensity_g_per_kwh=56.0,
        method="estimated: test",
        status=status,
    )


def test_ledger_frame_and_runs(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    assert lab_runs.per_demo_frame(ledger.rows()).empty and lab_runs.ladder_points(ledger.rows()) == []
    for row in (
        _row("adversarial", "train", 1e-4),
        _row("adversarial", "train", 3e-4),
        _row("carbon", "demo", 2e-5),
        _row("carbon", "broken", None, status="not measured"),
    ):
        ledger.append(row)
    frame = lab_runs.per_demo_frame(ledger.rows())
    assert list(frame.columns) == ["demo", "runs", "energy_kwh", "emissions_kg"]
    adv = frame.set_index("demo").loc["adversarial"]
    assert adv["runs"] == 2 and adv["emissions_kg"] == pytest.approx(4e-4)
    assert frame.set_index("demo").loc["carbon", "runs"] == 1
    runs = lab_runs.ladder_points(ledger.rows())
    assert len(runs) == 3 and len({label for label, _ in runs}) == 3


def test_scale_ladder_figure():
    fig = figures.scale_ladder_figure([("my CNN", 2e-4), ("my CNN", 3e-4), ("failed", 0.0)])
    assert fig.layout.xaxis.type == "log"
    papers, ours = fig.data
    assert papers.name.startswith("published") and ours.name.startswith("measured")
    assert papers.marker.color != ours.marker.color
    assert len(papers.x) == len(published.PUBLISHED) and len(ours.x) == 2  # the zero run cannot be on a log axis
    assert list(ours.y) == ["my CNN", "my CNN (2)"] and all(ours.text) and all(papers.text)
    assert list(ours.text) == ["200 mg", "300 mg"]
    prov = plots.provenance_of(fig)
    assert prov["what"] == "measured" and "1 without positive emissions" in prov["data"]


def test_scale_ladder_with_published_only():
    fig = figures.scale_ladder_figure([])
    assert plots.provenance_of(fig)["what"] == "published"
    assert len(fig.data[1].x) == 0


def test_grid_comparison_is_energy_times_intensity_sorted():
    frame = calculator.grid_comparison(2.0, ["pol", "FRA"])
    assert frame["country"].tolist() == ["FRA", "POL"]
    for _, row in frame.iterrows():
        assert row["emissions_kg"] == pytest.approx(2.0 * calculator.intensity_g_per_kwh(row["country"]) / 1000)
    assert frame["emissions_kg"].iloc[1] / frame["emissions_kg"].iloc[0] > 5  # coal vs nuclear: several-fold
    with pytest.raises(BadInput, match="at least one country"):  # what the page shows as a warning
        calculator.grid_comparison(1.0, [])
    with pytest.raises(calculator.UnknownCountry):
        calculator.grid_comparison(1.0, ["XYZ"])
    fig = calculator.grid_comparison_figure(frame, 2.0, "typed")
    assert fig.layout.meta["provenance"]["what"] == "estimated"


def test_the_grid_chart_says_the_years_of_its_intensities_as_the_data_gives_them():
    """The chart once said "2023 intensities" for every grid; codecarbon's file mixes 2022 and 2023 figures."""
    mix = codecarbon_energy_mix()
    frame = calculator.grid_comparison(1.0, ["FRA", "USA", "DEU", "POL"])
    assert frame["year"].tolist() == [mix[c]["year"] for c in frame["country"]]
    years = sorted({mix[c]["year"] for c in frame["country"]})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else f"{years[0]}"
    prov = calculator.grid_provenance(frame, 1.0, "typed on this page")
    assert prov.source.endswith(f"(yearly averages, {span})") and prov.data == "1 kWh (typed on this page)"
    assert calculator.grid_comparison_figure(frame, 1.0, "typed on this page").layout.meta["provenance"] == dict(
        prov.items()
    )  # the chart and the page's caption say the same


def test_every_bad_calculator_input_is_the_lab_s_own_error():
    """The page catches only BadInput: each of these must be one, or it would reach the error boundary."""
    for bad in (
        lambda: calculator.estimate("NVIDIA T4", 1, 1, pue=0.5),
        lambda: calculator.estimate("TPU v9", 1, 1),
        lambda: calculator.emissions_kg(-1.0, "USA"),
        lambda: calculator.equivalents(-1.0),
        lambda: calculator.intensity_g_per_kwh("XX"),
    ):
        with pytest.raises(BadInput):
            bad()


# ------------------------------------------------------------------ shared by the CO2 page's charts
def test_scale_ladder_axis_labels_whole_decades_only():
    """Issue #13, defect 10: log axes must not label every digit ("2 3 … 9 0.1 2 3")."""
    axis = json.loads(figures.scale_ladder_figure([("my CNN", 2e-4)]).to_json())["layout"]["xaxis"]
    low, high = axis["range"]
    assert axis["type"] == "log" and isinstance(axis["dtick"], int) and low == int(low) and high == int(high)
    assert low <= -4 - 1 and high >= 5.742 + 1  # 0.2 g … 552 t, a decade to spare on each side


@pytest.mark.parametrize(
    "values, ticks",
    [
        ([0.05, 0.38], [-2, -1, 0]),  # under a decade: the range widens to whole decades, so two ticks or more show
        ([3.7e9, 3.14e23], list(range(9, 25, 2))),  # fifteen decades: every other one
        ([7.0], [0, 1]),
    ],
)
def test_log_axis_ticks_sit_on_decades(values, ticks):
    axis = figures.log_axis(values)
    low, high = axis["range"]
    shown = [e for e in range(low, high + 1) if (e - axis["tick0"]) % axis["dtick"] == 0]
    assert shown[0] <= ticks[0] and shown[-1] >= ticks[-1] and len(shown) <= 9
    assert axis["exponentformat"] == "power" and low <= min(math.log10(v) for v in values)


def test_demo_colours_are_fixed_and_distinct_for_every_demo():
    from core.demos import DEMOS

    colours = [figures.demo_colour(d.slug) for d in DEMOS]
    assert len(set(colours)) == len(DEMOS)  # a new demo needs its own colour in the mapping
    assert plots.ORANGE not in colours and plots.GREY not in colours  # those mean "published" and "not fitted"
    assert figures.demo_colour("some test demo") == figures.demo_colour("some test demo")


def test_codecarbon_version_is_read_from_the_installed_package():
    from importlib.metadata import version

    assert lab_runs.codecarbon_name() == f"codecarbon {version('codecarbon')}"


def test_captions_name_the_codecarbon_installed_now(monkeypatch):
    """Issue #14: the page typed "codecarbon 3.3.2" three times; every caption now reads the version at run time."""
    monkeypatch.setattr(lab_runs, "library_version", lambda name: {"codecarbon": "9.9.9"}[name])
    assert "codecarbon 9.9.9 offline tracker" in lab_runs.ledger_provenance().caption()
    runs = pd.DataFrame({"test_acc": [0.9, math.nan]})
    prov = lab_runs.accuracy_provenance(runs)
    assert "codecarbon 9.9.9" in prov.model and prov.data.startswith("1 ledger runs that recorded")


def test_ladder_runs_keep_the_last_runs_and_add_the_lab_total(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    for i in range(5):
        ledger.append(_row("carbon", f"run {i}", 1e-5 * (i + 1)))
    points = lab_runs.ladder_runs(ledger.rows(), total_kg=1.5e-4, last=3)
    assert [label.split(": ")[1] for label, _ in points[:3]] == ["run 2", "run 3", "run 4"]
    assert points[-1] == ("all measured runs of this lab, total", 1.5e-4)
    assert lab_runs.ladder_runs(ledger.rows().iloc[:0], total_kg=0.0) == []  # nothing measured: no total either


def test_published_table_has_one_row_per_figure_as_printed():
    table = published.published_table()
    assert table["name"].tolist() == [p.name for p in published.PUBLISHED]
    bert = table.set_index("name").loc["BERT base"]
    assert bert["as published"] == "1,438 lbs CO2e" and bert["kg_co2e"] == pytest.approx(652.266, abs=1e-3)
    assert published.published_provenance().kind == "published"


def test_the_calculator_and_the_published_figures_import_without_torch_or_pandas():
    """The package's __init__ and the light modules stay light: the home page and the calculator pay nothing."""
    import subprocess
    import sys

    code = (
        "import sys; import core.demos.carbon.published, core.demos.carbon.calculator; "
        "print(sorted(m for m in ('torch', 'pandas', 'plotly') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT).stdout
    assert out.strip() == "[]"


def test_energy_source_says_where_the_value_came_from():
    """Issue #13, defect 10: "typed on this page" was shown for the value the page filled in."""
    filled = calculator.energy_source(0.0123, 0.0123, 7)
    assert filled == "filled in by the page: the total of this lab's 7 measured runs"
    assert "example value" in calculator.energy_source(1.0, 1.0, 0)
    assert calculator.energy_source(5.0, 0.0123, 7) == "typed on this page"


def test_power_of_ten_is_one_significant_digit():
    assert energy_fit.power_of_ten(3.14e7) == "3 × 10⁷" and energy_fit.power_of_ten(2.6e-5) == "3 × 10⁻⁵"
