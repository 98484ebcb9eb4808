"""Smaller and cheaper (issue #19). Thin page: widgets -> core.demos.compression -> charts.

Four tabs; only the open one runs. Trainings and sweeps run on the Train buttons (ui.runs.train_gate), once per
configuration for the whole server; a slider move reads the stored sweep or compresses one copy of the model.
"""

import pandas as pd
import streamlit as st

from ui.shell import require_shell

require_shell()

import core.demos.compression as cmp  # noqa: E402  (after the guard: see ui.shell)
from core.demos.compression import distil, figures, jobs, measure, prune, quantise, teacher  # noqa: E402
from core.provenance import Provenance  # noqa: E402
from ui import charts  # noqa: E402
from ui.code import show_code  # noqa: E402
from ui.runs import page_runs, train_gate  # noqa: E402
from ui.shell import aside, header, page_key, seed, tabs  # noqa: E402

SLUG = "compression"
key = page_key(SLUG)


def gate(todo, what: str, tab: str, name: str = "train"):
    """The Train step of a tab, its button saying the measured time: the tab's own, plus the model's if untrained."""
    config = teacher.TeacherConfig(seed=seed())
    untrained = page_runs(SLUG).peek(teacher.run_key(config)) is None
    seconds = teacher.TAB_SECONDS[tab] + (teacher.PRESET_SECONDS if untrained else 0)
    return train_gate(SLUG, todo, button=f"Train (≈ {seconds:.0f} s on 2 cores)", note=what, key=name)


@st.cache_data(show_spinner="Pruning a copy and timing it…", max_entries=8)
def latencies(_run, config, amount: float) -> pd.DataFrame:
    model, images = _run.model, _run.test.images
    rows = [
        ("dense (as trained)", model),
        (f"{amount:.0%} of weights zero (unstructured)", prune.prune_model(model, amount, "global")),
        (f"{amount:.0%} of channels removed (structured)", prune.slim_channels(model, amount)),
    ]
    frame = []
    for name, m in rows:
        speed = measure.latency(m, images)
        frame.append({"model": name, "latency_us": 1e6 * speed.median_s, "iqr_us": 1e6 * speed.iqr_s})
    return pd.DataFrame(frame)


def published() -> None:
    st.markdown("**Published (other models and data, not this demo's setting):**")
    st.markdown("\n".join(f"- **{figure}** {what} — *{paper}*" for paper, figure, what in cmp.PUBLISHED))


def bits_tab() -> None:
    aside(
        "Each weight is stored as a k-bit integer times one scale per tensor (or per output channel). "
        "How few bits does the trained network need?"
    )
    config = teacher.TeacherConfig(seed=seed())
    runs = gate(jobs.bits_jobs(config), f"Train {config.describe()}, then try it at 1-32 bits.", "bits")
    bits = st.select_slider(
        "Bits per weight", options=list(quantise.BITS), value=8, key=key("bits"), bind="query-params"
    )
    if not runs:
        return
    trained, frame = runs
    at = frame[frame.bits == bits].set_index("scheme")
    cols = st.columns(4)
    cols[0].metric("Accuracy float32", f"{trained.test_accuracy:.1%}")
    cols[1].metric(f"Per tensor, {bits} bits", f"{at.accuracy['per tensor']:.1%}")
    cols[2].metric(f"Per channel, {bits} bits", f"{at.accuracy['per channel']:.1%}")
    cols[3].metric(
        "Size",
        f"{at.bytes['per channel'] / 1000:,.0f} kB",
        f"float32: {quantise.model_bytes(trained.model) / 1000:,.0f} kB",
        delta_color="off",
        delta_arrow="off",  # a reference, not a change
    )
    prov = trained.provenance("weights quantised (simulated), per tensor and per channel")
    charts.chart(figures.bits_figure(frame, bits, trained.majority_baseline, prov), frame, prov, "compression_bits")
    if bits <= 2:
        st.info(
            f"At {bits} bit{'s' if bits > 1 else ''} the network is near its cliff: "
            + (
                "2 symmetric bits leave only -s, 0 and +s, and with s set by the largest weight most weights round "
                "to 0."
                if bits == 2
                else "1 bit keeps only each weight's sign, times the mean |w|."
            )
            + f" It is still above the majority-class baseline ({trained.majority_baseline:.1%})."
        )
    show_code(quantise.quantise_tensor, quantise.model_bytes)


def pruning_tab() -> None:
    aside(
        "Set the smallest weights to zero, all layers together (global) or each layer alike; or remove whole "
        "channels. Then time the result: a dense kernel multiplies zeros as fast as anything else."
    )
    config = teacher.TeacherConfig(seed=seed())
    runs = gate(jobs.pruning_jobs(config), f"Train {config.describe()}, then prune copies of it 0-99 %.", "pruning")
    amount = st.slider("Share of weights pruned (%)", 0, 99, 90, key=key("prune"), bind="query-params") / 100
    if not runs:
        return
    trained, frame = runs
    cols = st.columns(4)
    for col, scope in zip(cols, prune.SCOPES):
        col.metric(f"Accuracy, {scope}", f"{prune.pruned_accuracy(trained.model, trained.test, amount, scope):.1%}")
    cols[2].metric("Accuracy unpruned", f"{trained.test_accuracy:.1%}")
    cols[3].metric("Majority-class baseline", f"{trained.majority_baseline:.1%}")
    prov = trained.provenance("magnitude pruning (torch.nn.utils.prune) and channel removal, no fine-tuning")
    charts.chart(
        figures.pruning_figure(frame, amount, trained.majority_baseline, prov), frame, prov, "compression_prune"
    )
    if amount >= 0.98:
        st.info("At 98-99 % almost nothing is left: per layer, the first convolution keeps 1-3 of its 144 weights.")
    timed = latencies(trained, config, amount)
    prov = trained.provenance(f"one image per call, torch.utils.benchmark median; {amount:.0%} pruned")
    charts.chart(figures.latency_figure(timed, prov), timed, prov, "compression_latency")
    st.subheader("One epoch of fine-tuning")
    tuned = gate(
        jobs.fine_tune_jobs(config, amount, "global"),
        f"Prune {amount:.0%} of the weights (global), then train the pruned copy one more epoch, zeros held.",
        "fine_tune",
        name="fine_tune",
    )
    if tuned:
        st.metric(f"Accuracy after fine-tuning, {amount:.0%} pruned", f"{tuned[1].test_accuracy:.1%}")
    published()
    show_code(prune.prune_model, prune.slim_channels)


def student_tab() -> None:
    aside(
        "Train a small MLP (a quarter of the CNN's weights) twice: on the labels, and on the CNN's soft labels "
        "at temperature T. Soft labels also say which wrong answers are close."
    )
    temperature = st.select_slider(
        "Temperature T", options=list(distil.TEMPERATURES), value=4, key=key("temperature"), bind="query-params"
    )
    config = teacher.TeacherConfig(seed=seed())
    runs = gate(
        jobs.student_jobs(config, temperature),
        f"Train {config.describe()} (if not yet), then two MLP students, hard and soft labels at T = {temperature}.",
        "students",
        name="students",
    )
    if not runs:
        return
    trained, hard, soft = runs
    frame = pd.DataFrame(
        {
            "model": ["CNN teacher", "MLP, hard labels", f"MLP, soft labels T = {temperature}"],
            "accuracy": [trained.test_accuracy, hard.test_accuracy, soft.test_accuracy],
        }
    )
    cols = st.columns(3)
    cols[0].metric("Teacher", f"{trained.test_accuracy:.1%}")
    cols[1].metric("Student, hard labels", f"{hard.test_accuracy:.1%}")
    cols[2].metric(
        "Student, soft labels",
        f"{soft.test_accuracy:.1%}",
        f"{100 * (soft.test_accuracy - hard.test_accuracy):+.1f} points",
    )
    prov = trained.provenance(f"students MLP(784-64-10), 3 epochs, T = {temperature}")
    charts.chart(figures.students_figure(frame, trained.majority_baseline, prov), frame, prov, "compression_students")
    st.markdown(
        "Hinton, Vinyals & Dean 2015 (§3, MNIST, a 99.3 % teacher, soft *and* hard targets): "
        + ", ".join(f"{k} **{v}** test errors" for k, v in distil.HINTON_2015.items())
        + ". Here the teacher is right only ~86 % of the time and the student sees its soft labels alone for "
        "3 epochs: whether they help is measured, not promised."
    )
    st.caption(Provenance("published", source=distil.HINTON_SOURCE).caption())
    show_code(distil.distillation_loss, distil.train_student)


def all_tab() -> None:
    aside("Every variant on the same 2,000 test images: accuracy against size, time per image and energy.")
    config = teacher.TeacherConfig(seed=seed())
    runs = gate(
        jobs.compare_jobs(config),
        "Train the model and two students (if not yet), then measure every variant's size, latency and energy.",
        "compare",
        name="compare",
    )
    if not runs:
        return
    trained, frame = runs[0], runs[-1]
    prov = trained.provenance("every variant; latency one image per call; energy by codecarbon").but(
        source=frame.energy_method.iloc[0]
    )
    for x, title, name in (
        ("bytes", "Accuracy against size", "compression_size"),
        ("latency_us", "Accuracy against time per image", "compression_time"),
        ("energy_wh", "Accuracy against energy per 10,000 predictions", "compression_energy"),
    ):
        charts.chart(figures.pareto_figure(frame, x, title, trained.majority_baseline, prov), frame, prov, name)
    st.dataframe(frame.drop(columns=["energy_method"]), hide_index=True)
    published()
    show_code(measure.latency, measure.energy_per_10k)


header(SLUG)
TABS = {
    "Fewer bits": bits_tab,
    "Fewer weights": pruning_tab,
    "A smaller student": student_tab,
    "One chart for all": all_tab,
}
tabs(SLUG, TABS)
