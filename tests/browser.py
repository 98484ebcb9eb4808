"""Start the lab on a free loopback port and drive Debian's Chromium (used by browser tests and bench)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import urllib.request
from pathlib import Path

from deploy.scale_out.local import free_port, streamlit_command

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google hosts on a closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def lab_server(data_dir: Path, timeout: float = 30.0, app_args: tuple[str, ...] = ()):
    """A fresh ``streamlit run app.py`` on loopback; yields (base_url, process, seconds_to_health).

    ``app_args`` go to the app after ``--`` (e.g. ``("--warm-up",)``).
    """
    port = free_port()
    env = {**os.environ, "DLLAB_DATA_DIR": str(data_dir)}
    cmd = streamlit_command(port, app_args)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.perf_counter() - t0 > timeout:
                raise RuntimeError("the lab's server did not become healthy")
            time.sleep(0.05)
        yield base, proc, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until_rendered(page, timeout_ms: int = 60000) -> float:
    """Wait until Streamlit has finished the run: the frame and a title are drawn and the
    'running' status widget is gone and stays gone for half a second (it can blink between
    reruns). Returns the ``time.perf_counter()`` at which the finished page was first seen."""
    # Idle = no 'running' indicator and no element still drawn as a grey skeleton (lazy-loaded
    # dataframes, charts and buttons appear as skeletons for a moment after the run ends).
    idle = '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')'
    while True:
        page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=timeout_ms)
        page.wait_for_selector('[data-testid="stSidebar"] input[type="number"]', timeout=timeout_ms)
        page.wait_for_selector("h1", timeout=timeout_ms)
        page.wait_for_function(idle, timeout=timeout_ms)
        finished = time.perf_counter()
        page.wait_for_timeout(500)
        if page.evaluate(idle):
            return finished
