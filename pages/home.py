"""Home: what the lab is for, one card per demo, the lecture warm-up, and what this installation has."""

import time

import streamlit as st

from ui.shell import require_shell

require_shell()

from core import carbon, data, fetch, glove  # noqa: E402  (after the guard: see ui.shell)
from core.demos import DEMOS  # noqa: E402
from core.ledger import Ledger, LedgerUnavailable  # noqa: E402
from ui.shell import aside, presenter, seed  # noqa: E402


@st.fragment(run_every=1.0)
def waiting_for_probe() -> None:
    """Poll once a second until the probe is done, then redraw the page without this poller."""
    if carbon.active_method(wait=False) is not None:
        st.rerun()
    st.markdown("**Method:** checking the hardware (codecarbon's first probe)…")


st.title("Deep Learning Limits Lab")
st.markdown("**Live, measured demos of where deep learning fails — and what it costs.**")
aside(
    "Each demo trains or loads a real model here, on this machine, and measures what it shows: no "
    "pre-baked screenshots. Numbers say whether they are *measured*, *estimated* or *published*, with "
    "the model, data, seed and source. Everything runs offline."
)

columns = st.columns(3 if presenter() else 2)
for i, demo in enumerate(DEMOS):
    with columns[i % len(columns)].container(border=True):
        st.subheader(demo.title)
        st.markdown(demo.lesson)
        st.page_link(demo.page_path, label="Open the demo" if demo.is_live else "Coming — see the plan", icon=demo.icon)


@st.fragment(run_every=1.0)
def warm_up_progress(state) -> None:
    """The server's warm-up as it runs (it lives in a background thread; this polls it once a second)."""
    if not state.running:
        st.rerun(scope="app")  # finished: redraw the section once with the total time, and stop polling
    st.progress(
        state.done / max(state.total, 1),
        text=f"{state.done} of {state.total} done · now: "
        f"{state.current} · {time.perf_counter() - state.started:.0f} s so far",
    )


def warm_up_section() -> None:
    st.subheader("Warm up for a lecture")
    st.markdown(
        "Trains every preset of every demo now (each measured and ledgered), so that during the lecture "
        "every *Train* button answers at once. About a minute on 2 cores; the lab stays usable meanwhile. "
        "From a terminal: `streamlit run app.py -- --warm-up`."
    )
    from ui import warmup

    state = warmup.server_warm_up()
    if state.running:
        warm_up_progress(state)
    elif state.finished:
        st.success(
            f"Warmed up: {state.total} trainings and sweeps in **{state.seconds:.0f} s** (measured, this "
            "server). Every Train button now answers at once.",
            icon=":material/check_circle:",
        )
        if state.error:
            st.warning(f"Some presets could not be prepared: {state.error}They train on their page's button.")
        with st.expander("Time per preset"):
            st.dataframe([{"preset": label, "seconds": round(s, 1)} for label, s in state.timings], hide_index=True)
    elif st.button("Warm up every demo", icon=":material/local_fire_department:", key="home.warm_up"):
        warmup.start(seed=seed())
        st.rerun()


if not presenter():
    warm_up_section()
    st.header("This installation")
    left, right = st.columns(2)
    with left:
        st.subheader("Data and models")
        found, missing = ":material/check_circle:", ":material/radio_button_unchecked:"
        try:
            glove_detail, glove_ok = f"installed ({glove.glove_dir().parent.name} package)", True
        except glove.VectorsNotFound as err:
            glove_detail, glove_ok = str(err), False
        st.markdown(
            f"{found if glove_ok else missing} **GloVe 6B 50d word vectors** — {glove_detail}  \n"
            "*Licence: PDDL (Pennington, Socher & Manning 2014)*"
        )
        for status in data.source_status():
            st.markdown(
                f"{found if status.available else missing} **{status.info.name}** — {status.detail}  \n"
                f"*Licence: {status.info.licence}*"
            )
        weights_ok, weights_detail = fetch.resnet18_weights_status()
        st.markdown(
            f"{found if weights_ok else missing} **ImageNet ResNet-18 weights** (optional) — "
            f"{weights_detail}  \n*Licence: BSD-3 (torchvision)*"
        )
    with right:
        st.subheader("Carbon measurement")
        method = carbon.active_method(wait=False)
        if method is None:
            waiting_for_probe()  # a fresh server: codecarbon's hardware probe is still running
        else:
            st.markdown(f"**Method:** {method}")
        st.markdown(f"**Grid:** {carbon.country()} (set `{carbon.COUNTRY_ENV}` to change)")
        try:
            ledger = Ledger()
            totals = ledger.totals()
            st.metric("Training runs measured", f"{totals['measured_runs']:,}")
            st.metric("Energy so far (whole machine)", f"{totals['energy_kwh'] * 1000:.3g} Wh")
            st.metric("Emissions so far", f"{totals['emissions_kg'] * 1000:.3g} g CO2e")
            if totals["measured_runs"]:
                st.caption(
                    f"Sums over the ledger's measured runs. Methods: {'; '.join(totals['methods'])}. "
                    f"Grids: {', '.join(totals['countries'])}."
                )
            st.caption(f"Ledger: `{ledger.where}`")  # a file, or a database's URL with its password hidden
        except LedgerUnavailable as err:
            st.warning(f"The carbon ledger is unavailable: {err} Demos still run; their runs are not recorded.")
    st.caption(
        "Privacy: the only thing this lab writes is the carbon ledger, one row per training run "
        "(demo, settings, seed, accuracy, energy, emissions, time) and nothing about who ran it (and, on a "
        "hosted lab with several servers, the trained models' weights, so that each is trained once). Uploaded "
        "images and webcam snapshots stay in memory for your session and are never written to disk; words "
        "you type are not stored either. Your settings live only in the page's address, so a link you "
        "share carries them. No usage statistics are sent."
    )
