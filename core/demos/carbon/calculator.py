"""From energy to CO2 and back to everyday terms: grid intensities, the TDP calculator, car miles and TV hours.

* Grid carbon intensity (g CO2e per kWh) per country, read from the data file that ships
  inside codecarbon, so our lookups agree with what :mod:`core.carbon` measures
  (:func:`intensity_g_per_kwh`, :func:`emissions_kg`, :func:`grid_comparison`).
* :func:`estimate` — the back-of-the-envelope calculator everybody uses:
  ``energy = TDP x count x hours x PUE``, ``CO2 = energy x grid intensity``.
* :data:`EQUIVALENTS` — codecarbon's everyday yardsticks (car miles, TV hours, household
  weeks), with their sources.

Bad input (an unknown country or device, a negative energy, a PUE below 1) raises
:class:`core.errors.BadInput` with a message that says what to change.

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
        raise BadInput(f"Emissions cannot be negative (got {kg_co2e} kg).")
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
        raise BadInput(f"Energy cannot be negative (got {energy_kwh} kWh).")
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
        raise BadInput(f"The number of devices must be a whole number >= 1 (got {count}).")
    if hours < 0:
        raise BadInput(f"Hours cannot be negative (got {hours}).")
    if pue < 1:
        raise BadInput(f"PUE is total facility power / IT power, so it is at least 1 (got {pue}).")
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


# --------------------------------------------------------------------------- same energy, other grids
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


def grid_comparison(energy_kwh: float, countries_iso3: list[str]) -> pd.DataFrame:
    """The same energy on several grids: ``country, intensity_g_per_kwh, emissions_kg, year``, low to high.

    ``year`` is the year of each country's intensity in codecarbon's data (not the same for all).

    Patterson et al. (2021)'s point: where a job runs changes its emissions several-fold
    with the same hardware and the same kWh.
    """
    import pandas as pd

    if energy_kwh < 0:
        raise BadInput(f"Energy cannot be negative (got {energy_kwh}).")
    if not countries_iso3:
        raise BadInput("Choose at least one country.")
    rows = [
        {
            "country": c.strip().upper(),
            "intensity_g_per_kwh": intensity_g_per_kwh(c),
            "emissions_kg": emissions_kg(energy_kwh, c),
            "year": _energy_mix()[c.strip().upper()].get("year"),
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
    return plots.finish(fig, grid_provenance(frame, energy_kwh, energy_source))


def grid_provenance(frame: pd.DataFrame, energy_kwh: float, energy_source: str) -> Provenance:
    """What the grid comparison is: an estimate, ``energy_kwh`` times each grid's yearly average intensity.

    The years are read from the data (codecarbon's file mixes 2022 and 2023 figures), never typed.
    """
    years = sorted({int(year) for year in frame["year"].dropna()})
    span = "–".join(dict.fromkeys([str(years[0]), str(years[-1])])) if years else "year not given"  # 2023 or 2022–2023
    return Provenance(
        "estimated",
        model="energy x grid intensity",
        data=f"{energy_kwh:,.4g} kWh ({energy_source})",
        source=f"codecarbon's global_energy_mix.json (yearly averages, {span})",
    )
