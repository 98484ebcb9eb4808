"""Published training footprints, each with its citation and what it covers: the tonnes our grams are set beside.

* :data:`PUBLISHED` — published training footprints, converted to kg CO2e, each with its
  citation. Strubell, Ganesh & McCallum (2019), "Energy and Policy Considerations for Deep
  Learning in NLP" made the point famous; Patterson et al. (2021) re-estimated GPT-3;
  Luccioni, Viguier & Ligozat (2022) gave BLOOM's full life cycle; Touvron et al. (2023)
  reported Llama 2's own figure.
* :data:`GPT3_TRAIN_FLOPS` — GPT-3's training compute, the target of the page's extrapolation.
* :data:`POWER_COMPARISONS` — the lecture's power contrast: a human brain (~20 W) versus
  AlphaGo's distributed version (~1 MW, a back-of-envelope estimate).
* :func:`published_table` and :func:`published_provenance` — the table the page shows and downloads.

A figure's *scope* matters as much as its value: one training run, a whole architecture
search and a life cycle with hardware manufacture are different things, so every row says
what it ``includes``, and ``verified`` says whether its number was checked in the paper itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.provenance import Provenance

if TYPE_CHECKING:  # imported lazily below: pandas costs ~0.5 s at import
    import pandas as pd

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


def published_table() -> pd.DataFrame:
    """:data:`PUBLISHED` as a table: ``name, kg_co2e, as published, includes, citation, verified, note``."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "name": p.name,
                "kg_co2e": p.kg_co2e,
                "as published": f"{p.value:,g} {p.unit}",
                "includes": p.includes,
                "citation": p.citation,
                "verified": p.verified,
                "note": p.note,
            }
            for p in PUBLISHED
        ]
    )


def published_provenance() -> Provenance:
    """What the published table is: copied from the papers its rows cite."""
    return Provenance(
        "published",
        data="see each row's citation and what it includes",
        source="Strubell et al. 2019; Patterson et al. 2021; Luccioni et al. 2022; Touvron et al. 2023",
    )
