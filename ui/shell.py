"""The lab's frame: navigation, the shared sidebar, and the error boundary.

``app.py`` calls :func:`run_app`. It registers every page of
:data:`core.demos.all_pages` with ``st.navigation``, draws the sidebar every page
shares (presenter mode, seed, reset, link to this view) and runs the chosen page.

Why pages call :func:`require_shell` first: Streamlit treats a folder named
``pages/`` beside the entry script specially. Until ``st.navigation`` has been
called once in the server process, a deep link (``/adversarial``) as the very
first request runs ``pages/adversarial.py`` *alone*, without ``app.py``, so the
frame and our navigation would be missing. The guard notices that and runs the
whole app around the page instead.

Widget state lives in the URL: page widgets use ``bind="query-params"`` with keys
``"<slug>.<name>"``, so the address bar always holds exactly this view, and
"reset" can find the page's keys by prefix.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlencode, urlsplit

import streamlit as st

from core import carbon, model_store
from core.demos import Demo, all_pages
from core.errors import BadInput, LabError
from core.ledger import Ledger, LedgerUnavailable
from core.memory import release_freed_memory
from core.paths import REPO_ROOT
from ui import share

WARM_UP_FLAG = "--warm-up"  # streamlit run app.py -- --warm-up: train every preset at start (ui/warmup.py)
_state = threading.local()  # per script thread: is the shell running a page right now?
_log = logging.getLogger("dllab")

PRESENTER_CSS = """
<style>
  /* Streamlit sizes text and widgets in rem: a larger root font scales the whole app for the back
     row. (CSS zoom would be simpler but makes plotly mis-measure its width and crop charts.) */
  html { font-size: 22px; }
  /* Page names wrap instead of ending in "…" at that size (issue #13, defect 9). */
  [data-testid="stSidebarNavLink"] span[label], [data-testid="stSidebarNavLink"] span[label] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
</style>
"""


@st.cache_resource(show_spinner=False)
def _warm_up_carbon_once() -> threading.Thread:
    """codecarbon's first start probes the hardware (~1.5 s): pay it at server start."""
    return carbon.warm_up_in_background()


def _st_pages() -> dict[str, st.Page]:
    return {
        d.slug: st.Page(
            str(REPO_ROOT / d.page_path), title=d.title, icon=d.icon, url_path=d.slug, default=(d.slug == "home")
        )
        for d in all_pages()
    }


@st.cache_resource(show_spinner=False)
def _warm_up_from_the_command_line():
    """Once per server: train every preset in the background (ui/warmup.py; imported here, as it imports torch)."""
    from ui import warmup

    return warmup.start(seed=0)


@contextlib.contextmanager
def error_boundary(slug: str) -> Iterator[None]:
    """Where a page's errors end: in words for the user, with the traceback in the server log for a bug.

    A :class:`core.errors.LabError` is expected (core/errors.py): bad input is a warning the user can
    act on, a missing asset an error saying what still works. Anything else is a bug in the lab:
    logged with its traceback, and the user is told it is not their fault. Streamlit's own rerun and
    stop signals are ``BaseException``s and pass through untouched.
    """
    try:
        yield
    except LabError as err:
        _say(err)
    except Exception as err:  # the last line of defence: a message, never a traceback
        _log.exception("page %s failed", slug)
        st.error(
            f"This demo hit an unexpected error ({type(err).__name__}). It is a bug in the lab, not "
            "something you did. Reset the demo from the sidebar; the details are in the server log."
        )


def run_app() -> None:
    """Entry point: navigation + frame + the chosen page, inside an error boundary."""
    pages = _st_pages()
    # expanded: every demo listed. By default Streamlit shows ten of more than twelve pages and hides the rest
    # behind "View 3 more": the twelfth demo hid the last three (explanations and CO2 among them).
    page = st.navigation(list(pages.values()), expanded=True)
    demo = next(d for d in all_pages() if pages[d.slug] is page or pages[d.slug].url_path == page.url_path)
    asked = _link_values(demo)  # before any widget: widgets drop or clamp what they cannot take
    _sidebar(demo)  # first: the presenter toggle must exist before its value decides the layout
    st.set_page_config(
        page_title=f"{demo.title} · Deep Learning Limits Lab",
        page_icon=demo.icon,
        layout="wide" if presenter() else "centered",
    )
    if presenter():
        st.html(PRESENTER_CSS)
    _state.inside = True
    try:
        with error_boundary(demo.slug):
            page.run()
    finally:
        _state.inside = False
        _say_what_the_link_could_not_set(asked)
        release_freed_memory()  # what the run's predictions and figures freed goes back to the system
        # After the first page is drawn, not before: the probe competes for the 2 cores.
        _warm_up_carbon_once()
        if WARM_UP_FLAG in sys.argv:
            _warm_up_from_the_command_line()


LAB_WIDE_KEYS = ("seed", "present")  # the sidebar's settings, shared by every page


def _link_values(demo: Demo) -> dict[str, list[str]]:
    """The values a link asks this page for, on the run that enters the page (empty on later reruns).

    Only the page's own keys and the sidebar's: a link copied from another page may carry that
    page's keys, which are rightly dropped here and are not worth a message.
    """
    entering = st.session_state.get("_shell.page") != demo.slug
    st.session_state["_shell.page"] = demo.slug
    if not entering:
        return {}
    prefix = page_key(demo.slug)("")
    return {k: st.query_params.get_all(k) for k in st.query_params.keys() if k.startswith(prefix) or k in LAB_WIDE_KEYS}


def _say_what_the_link_could_not_set(asked: dict[str, list[str]]) -> None:
    """A toast for each value of the link that a widget refused or clamped (issue #13, defect 12).

    Streamlit drops a bound widget's URL value that is not one of its options or is out of its
    range (``k=1000``, ``fraction=-1``) and shows the preset instead: correct, but silent, and a
    lecturer following a link would think the page showed what the link said.
    """
    for key, values in asked.items():
        shown = st.session_state.get(key)
        if st.query_params.get_all(key) == values or _means(values, shown):
            continue  # kept as written, or dropped from the URL only because it is the default (seed=0)
        instead = f"it shows {literal(shown)} instead" if shown is not None else "it shows its preset instead"
        st.toast(
            f"The link's value for **{literal(key)}** ({literal(', '.join(values))}) is not one this "
            f"page allows: {instead}.",
            icon=":material/link_off:",
        )


def _means(values: list[str], shown) -> bool:
    """True when the URL text ``values`` means the value ``shown`` ("0.20" and 0.2, "true" and True)."""
    if isinstance(shown, (list, tuple)):
        return [str(v) for v in shown] == values
    if len(values) != 1 or shown is None:
        return False
    if isinstance(shown, bool):
        return values[0].lower() == str(shown).lower()
    try:
        return float(values[0]) == float(shown)
    except (TypeError, ValueError):
        return values[0] == str(shown)


def require_shell() -> None:
    """First line of every page: run the whole app if this page was opened without it."""
    if getattr(_state, "inside", False):
        return
    run_app()
    st.stop()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: str) -> str:
    """``text`` escaped so Streamlit's markdown shows it as typed.

    Messages that quote what a user typed (a word list, a link's parameter) go through
    st.warning / st.caption, which render markdown: unescaped, a crafted link could make
    the page load an outside image (``![x](https://...)``), show a link, colour text or
    typeset LaTeX. Every ASCII punctuation character is backslash-escaped (CommonMark
    renders ``\\.`` as ``.``); ``:`` too, for Streamlit's ``:red[...]`` and ``:icon:`` syntax.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def presenter() -> bool:
    """Presenter mode: big type, wide layout, secondary text and controls hidden."""
    return bool(st.session_state.get("present", False))


def _say(err: LabError) -> None:
    """A LabError in words: bad input a warning the user can act on, a missing asset an error."""
    (st.warning if isinstance(err, BadInput) else st.error)(str(err))


def tabs(slug: str, shown: dict[str, Callable[[], None]]) -> None:
    """The page's tabs, bound to the link (``<slug>.tab``); only the open one runs (a closed tab costs nothing).

    A :class:`core.errors.LabError` raised in the open tab is said inside it, as the page's error boundary would
    say it, and the tabs stay: the visitor can pick another.
    """
    key = page_key(slug)
    for tab, show in zip(st.tabs(list(shown), key=key("tab"), on_change="rerun", bind="query-params"), shown.values()):
        if tab.open:
            with tab:
                try:
                    show()
                except LabError as err:
                    _say(err)


def seed() -> int:
    """The lab-wide random seed chosen in the sidebar."""
    return int(st.session_state.get("seed", 0))


def aside(markdown: str) -> None:
    """Secondary explanation: shown normally, hidden in presenter mode."""
    if not presenter():
        st.markdown(markdown)


def _sidebar(demo: Demo) -> None:
    with st.sidebar:
        st.toggle(
            "Presenter mode",
            key="present",
            bind="query-params",
            help="Large type and a wide layout for a lecture hall; hides secondary text and controls.",
        )
        st.number_input(
            "Random seed",
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            key="seed",
            bind="query-params",
            help="Every random choice in the lab follows this seed: the same seed gives the same numbers.",
        )
        if demo.slug != "home":
            st.button(
                "Reset this demo to its preset",
                on_click=_reset,
                args=(demo.slug,),
                icon=":material/restart_alt:",
                width="stretch",
            )
        with st.popover("Copy a link to exactly this view", icon=":material/link:", width="stretch"):
            _share_view()
        problem = _ledger_write_problem()
        if problem:
            st.warning(
                f"**Training runs are not being recorded** in the carbon ledger: {problem} The demos "
                "still work; only the history of runs is missing.",
                icon=":material/warning:",
            )
        sharing = model_store.problem()  # only when several servers share trained models (DLLAB_MODEL_STORE)
        if sharing:
            st.warning(
                f"**Trained models are not being shared** with the lab's other servers: {sharing} "
                "The demos still work; a model may be trained twice.",
                icon=":material/warning:",
            )


def _ledger_write_problem() -> str:
    """Why the ledger could not take the latest run (read-only or full disk, corrupt file), or ''.

    On every page, not just the CO2 one: a run trained on any demo is the one that went unrecorded.
    """
    try:
        return Ledger().write_problem()
    except LedgerUnavailable as err:  # not even the data directory can be created
        return str(err)


def page_key(slug: str) -> Callable[[str], str]:
    """Widget keys of a page: ``page_key("carbon")("hours") == "carbon.hours"``.

    The prefix is what "reset this demo" deletes, and with ``bind="query-params"`` the key
    is also the URL parameter, so a link names each setting of each page unambiguously.
    """
    return lambda name: f"{slug}.{name}"


def _reset(slug: str) -> None:
    """Return every widget of this page to its preset, and take the page's values out of the URL.

    Deleting the keys is not enough (issue #13): with ``bind="query-params"`` Streamlit seeds a
    widget that has no value from the URL, and the URL still holds the old one, so the widget came
    straight back. Assigning each widget its own default instead is a programmatic change that
    Streamlit mirrors into the URL (a default is written as *no* parameter). The default is the
    widget's value for "nothing chosen", which Streamlit keeps with the widget's metadata.
    """
    prefix = page_key(slug)("")
    for key in [k for k in st.session_state.keys() if str(k).startswith(prefix)]:
        default = _widget_default(key)
        if default is _NO_WIDGET:
            del st.session_state[key]  # a button, an upload or a value the page set itself
        else:
            st.session_state[key] = default


_NO_WIDGET = object()


def _widget_default(key: str):
    """The value widget ``key`` shows when nothing was chosen, or ``_NO_WIDGET`` if no widget has that key.

    Streamlit 1.67 (pinned) keeps each widget's deserializer, and ``deserializer(None)`` is the
    widget's default (``value=``/``index=`` as the page wrote it). There is no public API for
    this; tests/test_browser.py proves reset on every page, so a Streamlit upgrade that moves it fails there.
    """
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    state = getattr(ctx.session_state, "_state", None) if ctx else None
    widget_id = state.get_widget_id_from_key(key) if state is not None else None
    metadata = state.get_widget_metadata(widget_id) if widget_id else None
    if metadata is None or metadata.value_type in _ACTION_VALUES:
        return _NO_WIDGET
    return metadata.deserializer(None)


# Buttons, uploads and chat inputs hold an action, not a setting: Streamlit refuses to assign them.
_ACTION_VALUES = (
    "trigger_value",
    "string_trigger_value",
    "json_trigger_value",
    "file_uploader_state_value",
    "chat_input_value",
)


def _share_view() -> None:
    """The view's link, its address on the room's network when there is one, and a QR code for phones."""
    link = _view_link()
    st.caption("This address reopens this page with every setting as it is now:")
    st.code(link, language=None, wrap_lines=True)
    room_links = [share.on_host(link, ip, st.get_option("server.port")) for ip in _served_on_lan()]
    if room_links:
        st.caption("On the room's network (students' phones):")
        for room_link in room_links:
            st.code(room_link, language=None, wrap_lines=True)
    code = share.qr_png(room_links[0] if room_links else link)
    if code is None:
        st.caption("This view's address is too long for a QR code: share the link above instead.")
    else:
        st.image(
            code,
            width=300,
            caption="Scan to open this view" + ("" if room_links else " (this address works on this computer only)"),
        )


def _served_on_lan() -> list[str]:
    """The room-network addresses of this machine, if the server listens on them (not when bound to loopback)."""
    address = st.get_option("server.address")
    if address and address not in ("0.0.0.0", "::"):
        return []
    return share.lan_addresses()


def _view_link() -> str:
    """The current page's URL with every bound widget value as a query parameter."""
    base = urlsplit(st.context.url or "")
    params = []
    for key in st.query_params.keys():
        params.extend((key, value) for value in st.query_params.get_all(key))
    query = urlencode(params)
    return f"{base.scheme}://{base.netloc}{base.path}" + (f"?{query}" if query else "")


def header(slug: str) -> Demo:
    """The page title and its one-line lesson (from the demo's core module docstring)."""
    demo = next(d for d in all_pages() if d.slug == slug)
    st.title(demo.title)
    st.markdown(f"**{demo.lesson}**")
    return demo


def coming_soon(slug: str, issue: int, plan: list[str]) -> None:
    """What a demo page shows until its core module lands: plainly a placeholder."""
    header(slug)
    st.info(
        f"**Coming soon.** This demo is being built (issue #{issue}); nothing on this page is a result yet.",
        icon=":material/construction:",
    )
    aside("What it will show:\n" + "\n".join(f"- {item}" for item in plan))
