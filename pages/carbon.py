"""CO2 of training: the lab's own measured runs beside published figures, a calculator, and the grid effect.

Thin page: widgets -> core.footprint / core.ledger -> charts. Partly built (issue #6):
the live measured run with a power chart, the extrapolation and accuracy-vs-energy
views are still to come.
"""
import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

from core import footprint as fp  # noqa: E402  (after the guard: see ui.shell)
from core.ledger import Ledger, LedgerUnavailable  # noqa: E402
from core.provenance import Provenance  # noqa: E402
from ui import charts  # noqa: E402
from ui.shell import aside, header, page_key  # noqa: E402

SLUG = "carbon"
key = page_key(SLUG)  # "carbon.<name>": the URL holds these and "reset" finds them


header(SLUG)
st.info("**Partly built** (issue #6): the ledger, the scale ladder, the grid comparison and the calculator "
        "work. Still to come: a live measured training run with a power chart, the extrapolation from our "
        "runs, and accuracy vs energy.", icon=":material/construction:")
aside(fp.__doc__.split("\n\n")[-1])

published = Provenance("published", data="see each row's citation; not yet checked against the primary sources")

# ----------------------------------------------------------------------------- the lab's own runs
st.header("Every training run in this lab")
try:
    ledger = Ledger()
    per_demo = fp.ledger_frame(ledger)
    our_runs = fp.ledger_runs(ledger)
    rows = ledger.rows()
except LedgerUnavailable as err:
    st.warning(f"The carbon ledger is unavailable: {err}")
    per_demo, our_runs, rows = pd.DataFrame(), [], pd.DataFrame()
measured = Provenance("measured", model="codecarbon 3.3.2 offline tracker (see each row's method)",
                      data="this installation's ledger")
if len(rows):
    charts.table(per_demo, measured, "ledger_per_demo")
    with st.expander(f"All {len(rows):,} runs"):
        charts.table(rows, measured, "ledger_runs")
else:
    st.caption("No training run has been recorded on this installation yet: the demos that train will add rows.")

# ----------------------------------------------------------------------------- scale ladder
st.header("From grams to tonnes")
ladder = fp.scale_ladder_figure(our_runs)
table = pd.DataFrame([{"name": p.name, "kg_co2e": p.kg_co2e, "as published": f"{p.value:,g} {p.unit}",
                       "includes": p.includes, "citation": p.citation, "verified": p.verified, "note": p.note}
                      for p in fp.PUBLISHED])
charts.chart(ladder, table, published.but(kind="published"), "scale_ladder")
aside("Published rows are copied from the papers as cited and marked *not verified* until someone checks them "
      "against the primary source. Their scopes differ (training only, tuning, life cycle): read *includes*.")
charts.table(table, published, "published_figures")

# ----------------------------------------------------------------------------- same energy, other grids
st.header("Same energy, different grid")
names = dict(fp.countries())
default_energy = float(rows["energy_kwh"].sum()) if len(rows) and rows["energy_kwh"].notna().any() else 1.0
energy = st.number_input("Energy (kWh)", min_value=0.0, max_value=1e9, value=round(default_energy, 6) or 1.0,
                         format="%.6f", key=key("energy"), bind="query-params",
                         help="Defaults to the total energy of this lab's measured runs (or 1 kWh).")
chosen = st.multiselect("Grids", list(names), default=["FRA", "USA", "DEU", "POL"],
                        format_func=lambda c: f"{names[c]} ({c})", key=key("grids"), bind="query-params")
try:
    frame = fp.grid_comparison(energy, chosen)
    charts.chart(fp.grid_comparison_figure(frame, energy, "typed on this page"), frame,
                 Provenance("estimated", model="energy x grid intensity", data=f"{energy:,.4g} kWh",
                            source="codecarbon's global_energy_mix.json"), "grid_comparison")
except ValueError as err:
    st.warning(str(err))

# ----------------------------------------------------------------------------- calculator
st.header("Calculator")
c1, c2, c3 = st.columns(3)
hardware = c1.selectbox("Hardware", list(fp.HARDWARE), index=1, key=key("hw"), bind="query-params")
count = c2.number_input("How many", min_value=1, max_value=100_000, value=8, key=key("count"), bind="query-params")
hours = c3.number_input("Hours", min_value=0.0, max_value=1e7, value=24.0, key=key("hours"), bind="query-params")
c4, c5 = st.columns(2)
pue = c4.number_input("PUE (data-centre overhead, ≥ 1)", min_value=1.0, max_value=3.0, value=fp.DEFAULT_PUE,
                      key=key("pue"), bind="query-params")
country = c5.selectbox("Grid", list(names), index=list(names).index(fp.DEFAULT_COUNTRY),
                       format_func=lambda c: f"{names[c]} ({c})", key=key("country"), bind="query-params")
try:
    result = fp.estimate(hardware, int(count), float(hours), float(pue), country)
    m1, m2 = st.columns(2)
    m1.metric("Energy (estimated)", f"{result.energy_kwh:,.4g} kWh")
    m2.metric("Emissions (estimated)", f"{result.emissions_kg:,.4g} kg CO2e")
    st.caption(result.formula)
    st.caption(result.provenance.caption())
except ValueError as err:
    st.warning(str(err))

# ----------------------------------------------------------------------------- power
st.header("Power: a brain and AlphaGo")
power = pd.DataFrame([{"what": c.name, "watts": c.watts, "estimate": c.is_estimate, "caveat": c.caveat,
                       "source": c.citation} for c in fp.POWER_COMPARISONS])
charts.table(power, Provenance("estimated", data="order-of-magnitude figures, see caveats"), "power")
