"""Training a model costs energy, and energy x the grid's carbon intensity is CO2: our runs cost grams, published giants cost tonnes.

What this module holds (pure logic, no Streamlit):

* :data:`PUBLISHED` — published training footprints, converted to kg CO2e, each
  with its citation. Strubell, Ganesh & McCallum (2019), "Energy and Policy
  Considerations for Deep Learning in NLP" made the point famous; Patterson et al.
  (2021) re-estimated GPT-3; Luccioni, Viguier & Ligozat (2022) gave BLOOM's full
  life cycle; Touvron et al. (2023) reported Llama 2's own figure.
* :data:`POWER_COMPARISONS` — the lecture's power contrast: a human brain (~20 W)
  versus AlphaGo's distributed version (~1 MW, a back-of-envelope estimate).
* :data:`EQUIVALENTS` — codecarbon's everyday yardsticks (car miles, TV hours,
  household weeks), with their sources.
* Grid carbon intensity (g CO2e per kWh) per country, read from the data file that
  ships inside codecarbon, so our lookups agree with what :mod:`core.carbon` measures.
* :func:`estimate` — the back-of-the-envelope calculator everybody uses:
  ``energy = TDP x count x hours x PUE``, ``CO2 = energy x grid intensity``.
* :func:`scale_ladder_figure` — our measured runs beside the published figures on
  one log axis: the gap spans about nine orders of magnitude.

Why the same formula explains every row: emissions are *energy* times *where* the
energy came from. The same job on the French grid (mostly nuclear) emits several
times less than on the Polish grid (mostly coal) — choosing the place and the
hardware matters as much as choosing the model.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import BadInput
from core.provenance import Provenance

if TYPE_CHECKING:  # imported lazily below: pandas and plotly cost ~0.5 s each at import
    import pandas as pd
    import plotly.graph_objects as go

    from core.ledger import Ledger

LBS_TO_KG = 0.45359237  # exact, by definition of the international avoirdupois pound (1959)

# Checked on 2026-11-23 against each paper's own text (arXiv / ACL Anthology), except where a
# row's note says otherwise: "verified" means the number below is the number printed there.
NOT_PRIMARY = "not verified against the primary source"

STRUBELL_2019 = (
    "Strubell, Ganesh & McCallum (2019), Energy and Policy Considerations for Deep Learning in NLP, ACL 2019, Table 3"
)
STRUBELL_2019_T1 = STRUBELL_2019.replace("Table 3", "Table 1")
PATTERSON_2021 = (
    "Patterson et al. (2021), Carbon Emissions and Large Neural Network Training, arXiv:2104.10350, Table 4"
)
LUCCIONI_2022 = (
    "Luccioni, Viguier & Ligozat (2022), Estimating the Carbon Footprint of BLOOM, "
    "a 176B Parameter Language Model, arXiv:2211.02001, abstract"
)
TOUVRON_2023 = "Touvron et al. (2023), Llama 2: Open Foundation and Fine-Tuned Chat Models, arXiv:2307.09288, Table 2"
BROWN_2020 = "Brown et al. (2020), Language Models are Few-Shot Learners, arXiv:2005.14165, Table D.1"


# --------------------------------------------------------------------------- published figures
@dataclass(frozen=True)
class PublishedFigure:
    """One published footprint, as the paper states it and converted to kg CO2e.

    Attributes:
        name: short label for charts, e.g. ``"BERT base"``.
        includes: what the number covers (training only? tuning? hardware manufacture?).
            Figures that cover different things are not strictly comparable.
        value: the number as printed in the source, in ``unit``.
        unit: the source's unit, e.g. ``"lbs CO2e"`` or ``"t CO2e"``.
        kg_co2e: ``value`` converted to kilograms of CO2-equivalent.
        citation: where it comes from.
        verified: True only once someone checked ``value`` against the primary source.
        note: caveats, corrections, and why ``verified`` is what it is.
        energy_kwh: the energy the source reports, where it reports one.
    """

    name: str
    includes: str
    value: float
    unit: str
    kg_co2e: float
    citation: str
    verified: bool = False
    note: str = ""
    energy_kwh: float | None = None


def _strubell(name: str, lbs: float, includes: str, note: str = "", table: str = STRUBELL_2019) -> PublishedFigure:
    """A Strubell et al. row: pounds of CO2e at the 2018 US average grid (0.954 lbs/kWh) and PUE 1.58."""
    return PublishedFigure(
        name=name,
        includes=includes,
        value=lbs,
        unit="lbs CO2e",
        kg_co2e=lbs * LBS_TO_KG,
        citation=table,
        verified=True,
        note=note or "Checked against the paper's table.",
    )


PUBLISHED: tuple[PublishedFigure, ...] = (
    _strubell("Transformer base", 26, "training one model on GPUs (12 h on 8 P100), US grid, PUE 1.58"),
    _strubell("Transformer big", 192, "training one model on GPUs (84 h on 8 P100), US grid, PUE 1.58"),
    _strubell("ELMo", 262, "training one model (2 weeks on 3 GTX 1080), US grid, PUE 1.58"),
    _strubell("BERT base", 1_438, "training one model on GPUs (79 h on 64 V100), US grid, PUE 1.58"),
    _strubell(
        "Transformer big + NAS",
        626_155,
        "neural architecture search: training thousands of candidate models, US grid, PUE 1.58",
        "Checked against Table 3. The often repeated 394,863 lbs came from a pre-publication summary "
        "circulated before the paper, not from the paper. Either way it is an extrapolation from a "
        "partial run, not a metered search, and far above what a typical NAS costs today.",
    ),
    _strubell(
        "NY↔SF flight, 1 passenger",
        1_984,
        "a round trip New York ↔ San Francisco, per passenger (a yardstick, not a model)",
        table=STRUBELL_2019_T1,
    ),
    _strubell(
        "Human life, 1 year (average)",
        11_023,
        "one average human's yearly emissions (a yardstick)",
        table=STRUBELL_2019_T1,
    ),
    _strubell(
        "American life, 1 year", 36_156, "one average American's yearly emissions (a yardstick)", table=STRUBELL_2019_T1
    ),
    PublishedFigure(
        name="GPT-3 (175B)",
        includes="one final training run on 10,000 V100s for 14.8 days in a Microsoft "
        "data centre (PUE 1.10, 0.429 kg/kWh); excludes experiments, failed runs and hardware manufacture",
        value=552,
        unit="t CO2e",
        kg_co2e=552_000.0,
        citation=PATTERSON_2021,
        verified=True,
        note="Checked against the paper (1,287 MWh, 552 tCO2e). An estimate by Google authors from "
        "published compute, not metered by OpenAI.",
        energy_kwh=1_287_000.0,
    ),
    PublishedFigure(
        name="BLOOM (176B), training power",
        includes="dynamic power of the final training run only (French grid, mostly nuclear)",
        value=24.7,
        unit="t CO2e",
        kg_co2e=24_700.0,
        citation=LUCCIONI_2022,
        verified=True,
        note="Checked: 24.7 t, against the abstract. The 433 MWh and 57 g CO2e/kWh behind it were read only "
        f"in secondary copies ({NOT_PRIMARY}). Low mostly because of the French grid, not a smaller job.",
        energy_kwh=433_000.0,
    ),
    PublishedFigure(
        name="BLOOM (176B), life cycle",
        includes="training power + idle power of the cluster + manufacture of the hardware (embodied emissions)",
        value=50.5,
        unit="t CO2e",
        kg_co2e=50_500.0,
        citation=LUCCIONI_2022,
        verified=True,
        note="Checked against the abstract. Twice the training-only figure: what a footprint includes "
        "changes the answer.",
    ),
    PublishedFigure(
        name="Llama 2 (all sizes)",
        includes="pre-training of the 7B, 13B, 34B and 70B models, "
        "3.3 M A100 GPU-hours (3,311,616 h) at the GPUs' power limit",
        value=539,
        unit="t CO2e",
        kg_co2e=539_000.0,
        citation=TOUVRON_2023,
        verified=True,
        note="Checked against Table 2. Meta states it offset 100 % of these emissions; the offset does not "
        "change what was emitted.",
    ),
)

# Training compute of GPT-3 175B, for extrapolating our own energy-per-FLOP to it (published).
GPT3_TRAIN_FLOPS = 3.14e23


def published(name: str) -> PublishedFigure:
    """The published figure called ``name`` (exact match); KeyError lists the names."""
    for fig in PUBLISHED:
        if fig.name == name:
            return fig
    raise KeyError(f"No published figure {name!r}; known: {', '.join(f.name for f in PUBLISHED)}")


@dataclass(frozen=True)
class PowerComparison:
    """A power draw for the lecture's contrast (watts, not CO2): what is being powered, and how sure we are."""

    name: str
    watts: float
    citation: str
    is_estimate: bool  # True: an order-of-magnitude figure, not a measurement
    caveat: str


POWER_COMPARISONS: tuple[PowerComparison, ...] = (
    PowerComparison(
        name="Human brain",
        watts=20.0,
        is_estimate=True,
        citation='Balasubramanian (2021), Brain power, PNAS 118:e2107022118 ("an energy budget of 20 W")',
        caveat="An order of magnitude for an adult brain at rest (about a fifth of the body's energy), "
        "not a measurement of any one brain.",
    ),
    PowerComparison(
        name="AlphaGo (distributed, 1,920 CPUs + 280 GPUs)",
        watts=1e6,
        is_estimate=True,
        citation="hardware: Silver et al. (2016), Nature 529:484, Extended Data Table 8 (the match "
        "version used 1,202 CPUs + 176 GPUs); ~1 MW: a back-of-envelope blog estimate "
        "(J. Mattheij, 2016: about 200 W per CPU or GPU)",
        caveat="Not a measurement: the paper reports hardware, not power. 2,200 devices x ~200 W gives "
        "~0.4 MW before cooling; '1 MW' is the rounded figure quoted in lectures and press.",
    ),
)


# --------------------------------------------------------------------------- everyday equivalents
CODECARBON_EQUIVALENTS_FILE = "viz/data.py"


@dataclass(frozen=True)
class Equivalent:
    """An everyday yardstick for kg CO2e: ``amount = kg / kg_per_unit`` units.

    The factors are codecarbon's own (its dashboard's ``get_car_miles``, ``get_tv_time``
    and ``get_household_fraction``); a test checks they still match its source.
    ``si_per_unit`` converts one unit to metres or seconds, so tiny amounts read as
    "5 cm" or "3 s" rather than "3e-05 miles".
    """

    name: str
    unit: str
    kg_per_unit: float
    source: str
    si_per_unit: float  # metres per mile, or seconds per hour / week

    def amount(self, kg_co2e: float) -> float:
        return kg_co2e / self.kg_per_unit

    def readable(self, kg_co2e: float) -> str:
        """The amount in the largest unit that keeps it >= 1, e.g. ``"4.8 cm"``, ``"12 min"``, ``"3.1 weeks"``."""
        si = self.amount(kg_co2e) * self.si_per_unit
        if self.unit == "miles":
            scales = [("mm", 1e-3), ("cm", 1e-2), ("m", 1.0), ("km", 1e3)]
        else:
            scales = [
                ("ms", 1e-3),
                ("s", 1.0),
                ("min", 60.0),
                ("h", 3600.0),
                ("days", 86_400.0),
                ("weeks", 604_800.0),
                ("years", 31_557_600.0),
            ]
        name, size = scales[0]
        for name_, size_ in scales:
            if si >= size_:
                name, size = name_, size_
        return f"{si / size:,.3g} {name}"


METRES_PER_MILE = 1609.344
EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent(
        "driving a US car",
        "miles",
        0.409,
        "US EPA, via codecarbon: 8.89 kg CO2/gallon, 22.0 miles/gallon, CO2 is 98.8 % of CO2e",
        METRES_PER_MILE,
    ),
    Equivalent("a 32-inch LCD TV on", "hours", 0.097, "codecarbon (no source given there)", 3600.0),
    Equivalent(
        "a US household's energy",
        "weeks",
        160.58,
        "US EPA, via codecarbon: 8.35 t CO2 per home per year / 52 weeks",
        604_800.0,
    ),
)


def equivalents(kg_co2e: float) -> list[tuple[Equivalent, float]]:
    """``kg_co2e`` in each everyday unit, e.g. ``[(car, 2.4 miles), (TV, 10 h), (household, 0.006 weeks)]``."""
    if kg_co2e < 0:
        raise ValueError(f"Emissions cannot be negative (got {kg_co2e} kg).")
    return [(e, e.amount(kg_co2e)) for e in EQUIVALENTS]


# --------------------------------------------------------------------------- grid carbon intensity
# The file codecarbon itself reads (codecarbon.input.DataSource) to turn kWh into CO2 for a country.
ENERGY_MIX_FILE = "data/private_infra/global_energy_mix.json"


class UnknownCountry(BadInput):
    """A country code that codecarbon's energy-mix data does not know; the message says what to use."""


def energy_mix_path() -> Path:
    """Path of codecarbon's bundled ``global_energy_mix.json``.

    Found with ``find_spec`` rather than ``import codecarbon``: importing the package
    loads pandas, psutil and its trackers (~1 s) just to read one JSON file.
    """
    spec = importlib.util.find_spec("codecarbon")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("codecarbon is not installed; its grid data is needed for carbon intensities.")
    return Path(next(iter(spec.submodule_search_locations))) / ENERGY_MIX_FILE


@functools.lru_cache(maxsize=1)
def _energy_mix() -> dict[str, dict]:
    """The file's contents, keyed by ISO 3166 alpha-3 code (read once per process)."""
    with open(energy_mix_path(), encoding="utf-8") as handle:
        return json.load(handle)


def intensity_g_per_kwh(country_iso3: str) -> float:
    """Grid carbon intensity of a country, g CO2e per kWh (codecarbon's ``carbon_intensity`` field).

    These are yearly averages of each country's generation mix (Our World in Data /
    Ember figures bundled with codecarbon; the record's ``year`` field says which year).
    The real intensity varies by hour and season; a yearly average is what codecarbon
    uses offline, so our estimates and our measurements agree.
    """
    code = str(country_iso3).strip().upper()
    record = _energy_mix().get(code)
    if record is None or record.get("carbon_intensity") is None:
        raise UnknownCountry(
            f"No grid carbon intensity for country code {country_iso3!r}. Use a three-letter "
            "ISO 3166 code such as 'FRA', 'DEU' or 'USA' (see footprint.countries())."
        )
    return float(record["carbon_intensity"])


def countries() -> list[tuple[str, str]]:
    """All (ISO alpha-3 code, country name) pairs with an intensity, sorted by name for a picker."""
    return sorted(
        (
            (code, rec.get("country_name", code))
            for code, rec in _energy_mix().items()
            if rec.get("carbon_intensity") is not None
        ),
        key=lambda pair: pair[1],
    )


def emissions_kg(energy_kwh: float, country_iso3: str) -> float:
    """kg CO2e for ``energy_kwh`` drawn from a country's grid: kWh x g/kWh / 1000."""
    if energy_kwh < 0:
        raise ValueError(f"Energy cannot be negative (got {energy_kwh} kWh).")
    return energy_kwh * intensity_g_per_kwh(country_iso3) / 1000.0


# --------------------------------------------------------------------------- calculator
HARDWARE_SOURCE = "manufacturer spec sheets (nominal TDP / max board power)"


@dataclass(frozen=True)
class Hardware:
    """One device's nominal power. TDP is a ceiling: real average draw is often 50–80 % of it."""

    name: str
    tdp_w: float
    note: str = ""
    source: str = HARDWARE_SOURCE


HARDWARE: dict[str, Hardware] = {
    h.name: h
    for h in (
        Hardware("NVIDIA V100", 300, "SXM2 module; the PCIe card is 250 W"),
        Hardware("NVIDIA A100", 400, "SXM4 module; the PCIe card is 250–300 W"),
        Hardware("NVIDIA H100", 700, "SXM5 module; the PCIe card is 350 W"),
        Hardware("NVIDIA T4", 70, "inference card, common in free cloud notebooks"),
        Hardware("Laptop CPU", 15, "typical ultrabook CPU (e.g. Intel U-series)"),
        Hardware("Server CPU", 200, "typical data-centre CPU socket (~150–280 W)"),
    )
}

# Strubell et al. (2019) used 1.58, the 2018 industry-average PUE (Uptime Institute survey).
DEFAULT_PUE = 1.58
# The US average grid, as in Strubell et al. and core.carbon.DEFAULT_COUNTRY, so rows compare.
DEFAULT_COUNTRY = "USA"


class UnknownHardware(BadInput):
    """Hardware not in :data:`HARDWARE`; the message lists what is."""


@dataclass(frozen=True)
class Estimate:
    """The calculator's answer, with every input kept so the number can be re-derived by hand.

    Attributes:
        hardware, count, hours, pue, country: the inputs.
        tdp_w: nominal power of one device, watts.
        intensity_g_per_kwh: grid intensity used, g CO2e per kWh.
        energy_kwh: ``tdp_w x count x hours x pue / 1000``.
        emissions_kg: ``energy_kwh x intensity_g_per_kwh / 1000``.
    """

    hardware: str
    count: int
    hours: float
    pue: float
    country: str
    tdp_w: float
    intensity_g_per_kwh: float
    energy_kwh: float
    emissions_kg: float

    @property
    def formula(self) -> str:
        """The computation spelled out, e.g. for a caption under the calculator."""
        return (
            f"energy = {self.tdp_w:g} W × {self.count} × {self.hours:g} h × PUE {self.pue:g} / 1000 "
            f"= {self.energy_kwh:,.4g} kWh; CO2e = {self.energy_kwh:,.4g} kWh × "
            f"{self.intensity_g_per_kwh:,.4g} g/kWh ({self.country}) / 1000 = {self.emissions_kg:,.4g} kg"
        )

    @property
    def provenance(self) -> Provenance:
        return Provenance(
            kind="estimated",
            model=f"{self.count} × {self.hardware} at nominal TDP",
            data=f"{self.hours:g} h, PUE {self.pue:g}, grid {self.country}",
            source=f"{HARDWARE_SOURCE}; grid intensity: codecarbon's global_energy_mix.json",
        )


def estimate(
    hardware: str, count: int, hours: float, pue: float = DEFAULT_PUE, country: str = DEFAULT_COUNTRY
) -> Estimate:
    """Back-of-the-envelope footprint: ``TDP x count x hours x PUE`` in kWh, times the grid's intensity.

    PUE (power usage effectiveness, >= 1) is the data centre's overhead: cooling,
    power conversion. This is the method of Strubell et al. (2019) and of the ML CO2
    Impact calculator (Lacoste et al. 2019). It overestimates when devices idle below
    TDP and ignores CPUs, RAM and networking beside the listed hardware.
    """
    spec = HARDWARE.get(hardware)
    if spec is None:
        raise UnknownHardware(f"Unknown hardware {hardware!r}; choose one of: {', '.join(HARDWARE)}.")
    if count < 1 or int(count) != count:
        raise ValueError(f"The number of devices must be a whole number >= 1 (got {count}).")
    if hours < 0:
        raise ValueError(f"Hours cannot be negative (got {hours}).")
    if pue < 1:
        raise ValueError(f"PUE is total facility power / IT power, so it is at least 1 (got {pue}).")
    intensity = intensity_g_per_kwh(country)  # validates the country before any arithmetic
    energy = spec.tdp_w * count * hours * pue / 1000.0
    return Estimate(
        hardware=hardware,
        count=int(count),
        hours=float(hours),
        pue=float(pue),
        country=str(country).strip().upper(),
        tdp_w=spec.tdp_w,
        intensity_g_per_kwh=intensity,
        energy_kwh=energy,
        emissions_kg=energy * intensity / 1000.0,
    )


# --------------------------------------------------------------------------- ledger
def ledger_frame(ledger: Ledger) -> pd.DataFrame:
    """Measured runs summed per demo: see :func:`per_demo_frame`."""
    return per_demo_frame(ledger.rows())


def per_demo_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Measured ledger rows summed per demo: columns ``demo, runs, energy_kwh, emissions_kg``.

    Only ``status == "measured"`` rows count: a run that was not measured has no
    energy, and counting it as zero would understate the total.
    """
    import pandas as pd

    measured = rows[rows["status"] == "measured"] if len(rows) else rows
    if measured.empty:
        return pd.DataFrame({"demo": [], "runs": [], "energy_kwh": [], "emissions_kg": []})
    grouped = measured.groupby("demo", sort=True).agg(
        runs=("id", "count"), energy_kwh=("energy_kwh", "sum"), emissions_kg=("emissions_kg", "sum")
    )
    return grouped.reset_index()


def ledger_runs(ledger: Ledger) -> list[tuple[str, float]]:
    """The ledger's measured runs as ladder points: see :func:`ladder_points`."""
    return ladder_points(ledger.rows())


def ladder_points(rows: pd.DataFrame) -> list[tuple[str, float]]:
    """(``"#id demo: label"``, kg CO2e) for each measured run, ready for :func:`scale_ladder_figure`."""
    if not len(rows):
        return []
    measured = rows[(rows["status"] == "measured") & rows["emissions_kg"].notna()]
    # The run id keeps labels unique: two runs called "train" must stay two points.
    return [(f"#{r.id} {r.demo}: {_short(r.label)}", float(r.emissions_kg)) for r in measured.itertuples()]


def _short(label: str, width: int = 36) -> str:
    """Labels on the ladder's axis stay short, or they squeeze the plot (the hover and ledger keep them whole)."""
    return label if len(label) <= width else label[: width - 1] + "…"


# --------------------------------------------------------------------------- figure
def scale_ladder_figure(
    our_runs: list[tuple[str, float]], published: tuple[PublishedFigure, ...] | list[PublishedFigure] = PUBLISHED
) -> go.Figure:
    """Our measured runs and the published figures on one log axis of kg CO2e.

    A log axis because the values span ~10⁻⁶ kg (a small CPU run) to ~10⁵ kg (GPT-3):
    on a linear axis everything but the largest point would sit at zero. Colour and
    legend separate what we *measured* from what papers *published*. Runs with no
    positive emissions cannot sit on a log axis and are left out (the caption says how many).
    """
    from core import plots

    ours = _unique([(str(label), float(kg)) for label, kg in our_runs if kg is not None and kg > 0])
    dropped = len(our_runs) - len(ours)
    pubs = sorted(published, key=lambda p: p.kg_co2e)
    fig = plots.figure(title="From grams to tonnes: CO2e of training (log scale)")
    # Published first, then ours: one categorical y axis, sorted by value within each group.
    fig.add_scatter(
        x=[p.kg_co2e for p in pubs],
        y=[p.name for p in pubs],
        mode="markers+text",
        name="published (papers)",
        marker=dict(color=plots.ORANGE, size=12, symbol="diamond"),
        text=[mass_text(p.kg_co2e) for p in pubs],
        textposition="middle right",
        customdata=[p.citation for p in pubs],
        hovertemplate="%{y}: %{x:,.4g} kg CO2e<br>%{customdata}<extra>published</extra>",
    )
    ours.sort(key=lambda pair: pair[1])
    fig.add_scatter(
        x=[kg for _, kg in ours],
        y=[label for label, _ in ours],
        mode="markers+text",
        name="measured here (codecarbon)",
        marker=dict(color=plots.BLUE, size=12),
        text=[mass_text(kg) for _, kg in ours],
        textposition="middle right",
        hovertemplate="%{y}: %{x:.3g} kg CO2e<extra>measured here</extra>",
    )
    axis = log_axis([p.kg_co2e for p in pubs] + [kg for _, kg in ours], pad_decades=1)
    if "range" in axis:  # one more decade to the right: room for the value labels beside the largest points
        axis["range"][1] += axis["dtick"]
    fig.update_xaxes(title_text="kg CO2e (log scale)", **axis)
    fig.update_yaxes(title_text="", automargin=True)  # the left margin grows to fit the longest label
    fig.update_layout(height=max(420, 32 * (len(pubs) + len(ours)) + 180), legend=dict(x=0.99, xanchor="right"))

    sources = "; ".join(sorted({p.citation.split(",")[0] for p in pubs}))
    data = (
        f"{len(ours)} runs measured here with codecarbon (see the ledger for method and grid)"
        + (f", {dropped} without positive emissions not shown" if dropped else "")
        + f"; {len(pubs)} published figures ({sum(p.verified for p in pubs)} checked against the papers)"
    )
    if ours:
        prov = Provenance(kind="measured", model="training runs of this lab", data=data, source=f"published: {sources}")
    else:
        prov = Provenance(kind="published", data=data, source=sources)
    return plots.finish(fig, prov)


def _unique(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Suffix repeated labels (" (2)", " (3)"): on a categorical axis equal labels would share one row."""
    seen: dict[str, int] = {}
    out = []
    for label, kg in pairs:
        seen[label] = seen.get(label, 0) + 1
        out.append((label if seen[label] == 1 else f"{label} ({seen[label]})", kg))
    return out


def mass_text(kg: float) -> str:
    """Readable mass: mg / g / kg / t, so a label is read at a glance."""
    if kg >= 1000:
        return f"{kg / 1000:,.3g} t"
    if kg >= 1:
        return f"{kg:,.3g} kg"
    if kg >= 1e-3:
        return f"{kg * 1000:.3g} g"
    return f"{kg * 1e6:.3g} mg"


# --------------------------------------------------------------------------- shared by the CO2 page's charts
CODECARBON = "codecarbon"


@functools.lru_cache(maxsize=1)
def codecarbon_version() -> str:
    """The installed codecarbon's version, e.g. ``"3.3.2"`` (read from its metadata, so captions never go stale)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(CODECARBON)
    except PackageNotFoundError:
        return "not installed"


def codecarbon_name() -> str:
    """``"codecarbon 3.3.2"``: how a caption names the tool that measured a run."""
    return f"{CODECARBON} {codecarbon_version()}"


def _demo_colours() -> dict[str, str]:
    from core import plots

    # One colour per demo, for every chart of ledger runs, so a demo is the same colour everywhere.
    # Not orange (published figures), blue (our fit) or grey (runs not fitted): those mean something else.
    return {
        "carbon": plots.VERMILION,
        "adversarial": plots.PINK,
        "clever_hans": plots.GREEN,
        "mugshots": plots.SKY,
        "word_embeddings": plots.YELLOW,
    }


def demo_colour(demo: str) -> str:
    """The colour of ``demo``'s runs in every ledger chart (a fixed mapping, not the order runs appear in).

    A demo the mapping does not know (a test's, a future one's) gets a colour from its name, so it too
    keeps one colour across charts and sessions.
    """
    import zlib

    from core import plots

    colours = _demo_colours()
    if demo in colours:
        return colours[demo]
    spare = [c for c in plots.PALETTE if c not in colours.values() and c not in (plots.ORANGE, plots.BLUE)]
    return spare[zlib.crc32(str(demo).encode("utf-8")) % len(spare)]


def log_axis(values, pad_decades: float = 0.0) -> dict:
    """Settings for a log axis whose ticks sit on whole decades only (``10^-3, 10^-2 …``).

    Plotly's default for a log axis spanning a decade or two labels every digit
    (``2 3 … 9 0.1 2 3``): unreadable from the back row. Here the range is widened to
    whole decades around ``values`` (plus ``pad_decades`` each side), so at least two
    ticks show, and ``dtick`` steps by one decade, or more on a very wide axis, so that
    at most about eight ticks are labelled.
    """
    logs = [math.log10(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    if not logs:
        return dict(type="log", dtick=1, exponentformat="power")
    # A tenth of a decade to spare, so that a point on a decade (1e-9) is not cut in half by the edge.
    low = math.floor(min(logs) - pad_decades - 0.1)
    high = math.ceil(max(logs) + pad_decades + 0.1)
    high = max(high, low + 1)
    step = max(1, math.ceil((high - low) / 8))
    low -= low % step  # ticks at multiples of the step: 10^0, 10^3, 10^6 … rather than 10^1, 10^4 …
    return dict(type="log", range=[low, high], dtick=step, tick0=0, exponentformat="power")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float) -> str:
    """``3.1e+07`` as ``"3 × 10⁷"``: one significant digit, all a range over many decades can claim."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def energy_source(value_kwh: float, filled_kwh: float, measured_runs: int) -> str:
    """Where the energy the grid chart compares came from, said truthfully.

    ``filled_kwh`` is what the page filled in (the total of this lab's ``measured_runs``
    measured runs, or 1 kWh when there are none); anything else was typed by the visitor.
    """
    if math.isclose(value_kwh, filled_kwh, rel_tol=1e-6, abs_tol=1e-12):
        if measured_runs:
            return f"filled in by the page: the total of this lab's {measured_runs:,} measured run" + (
                "s" if measured_runs != 1 else ""
            )
        return "filled in by the page: an example value (no run measured yet)"
    return "typed on this page"


# --------------------------------------------------------------------------- same energy, other grids


def grid_comparison(energy_kwh: float, countries_iso3: list[str]) -> pd.DataFrame:
    """The same energy on several grids: ``country, intensity_g_per_kwh, emissions_kg``, low to high.

    Patterson et al. (2021)'s point: where a job runs changes its emissions several-fold
    with the same hardware and the same kWh.
    """
    import pandas as pd

    if energy_kwh < 0:
        raise ValueError(f"Energy cannot be negative (got {energy_kwh}).")
    if not countries_iso3:
        raise ValueError("Choose at least one country.")
    rows = [
        {
            "country": c.strip().upper(),
            "intensity_g_per_kwh": intensity_g_per_kwh(c),
            "emissions_kg": emissions_kg(energy_kwh, c),
        }
        for c in countries_iso3
    ]
    return pd.DataFrame(rows).sort_values("emissions_kg", ignore_index=True)


def grid_comparison_figure(frame: pd.DataFrame, energy_kwh: float, energy_source: str) -> go.Figure:
    """Bars: emissions of the same ``energy_kwh`` on each grid in ``frame``."""
    from core import plots

    fig = plots.figure(f"The same {energy_kwh:,.4g} kWh on different grids")
    fig.add_bar(
        x=frame["country"],
        y=frame["emissions_kg"] * 1000,
        marker_color=plots.BLUE,
        text=[f"{g:,.0f} g/kWh" for g in frame["intensity_g_per_kwh"]],
        textposition="outside",
        hovertemplate="%{x}: %{y:.4g} g CO2e<extra></extra>",
    )
    fig.update_layout(yaxis_title="g CO2e", xaxis_title="grid (ISO 3166 alpha-3)", height=450)
    return plots.finish(
        fig,
        Provenance(
            "estimated",
            model="energy x grid intensity",
            data=f"{energy_kwh:,.4g} kWh ({energy_source})",
            source="codecarbon's global_energy_mix.json (2023 intensities)",
        ),
    )
