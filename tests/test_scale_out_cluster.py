"""The scale-out recipe on loopback (deploy/scale_out): PostgreSQL, two Streamlit replicas and nginx in front.

Browsers through nginx land on both replicas and stay on theirs (the X-Lab-Replica header nginx adds, and nginx's
access log for the WebSocket); a run trained on one replica is in the ledger the other shows, and its model is
loaded there, not trained again; after ``kill -9`` of one replica in the middle of a training, no earlier ledger
row is lost and the other serves fresh and existing sessions. The ledger's own tests run on both engines in
tests/test_ledger.py and tests/test_database.py.
"""

from __future__ import annotations

import os
import re
import time
import urllib.request

import pytest

from deploy.scale_out import local
from tests.browser import CHROMIUM, wait_until_rendered

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)", allow_module_level=True)
if local.missing_binaries():
    pytest.skip("; ".join(local.missing_binaries()) + " (.ci/run installs them)", allow_module_level=True)

HEADER = local.REPLICA_HEADER.lower()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local.local_cluster(2, tmp=tmp_path_factory.mktemp("cluster")) as c:
        yield c


def open_page(browser, url: str):
    """A fresh browser context (no cookie: a new visitor) on ``url``; returns (context, page, replica that answered
    the document, the X-Lab-Replica values of every response the page got)."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    seen: list[str] = []
    page.on("response", lambda r: seen.append(r.headers.get(HEADER, "")))
    response = page.goto(url)
    return ctx, page, response.headers.get(HEADER), seen


def stream_replicas(cluster) -> list[tuple[str, str]]:
    """(cookie, replica) of every WebSocket /_stcore/stream nginx has logged (a line is written when it closes)."""
    log = (cluster.nginx_conf.parent / "access.log").read_text()
    return re.findall(r'"GET /_stcore/stream[^"]*" 101 cookie=(\S*) upstream=\S+ replica=(\S+)', log)


def test_health_answers_through_nginx_and_postgres_answers(cluster):
    with urllib.request.urlopen(f"{cluster.url}/_stcore/health", timeout=5) as r:
        assert r.status == 200
        assert r.read() == b"ok"
        assert r.headers[local.REPLICA_HEADER] in {"app1", "app2"}
    assert cluster.psql("SELECT current_user, current_database()") == "dllab|dllab"
    # Loopback only: nginx, the replicas and the database URL.
    assert all(u.startswith("http://127.0.0.1:") for u in [cluster.url, *(r.url for r in cluster.replicas)])
    assert "@127.0.0.1:" in cluster.database_url
    # Nothing but the app: an unknown replica name in the cookie is a first visit, not a proxy target.
    req = urllib.request.Request(f"{cluster.url}/_stcore/health", headers={"Cookie": "dllab_replica=example.com"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.headers[local.REPLICA_HEADER] in {"app1", "app2"}


def test_fresh_visitors_from_one_ip_land_on_both_replicas(cluster, browser):
    landed: dict[str, object] = {}
    for _ in range(16):  # each fresh context picks a replica at random: both within 16 tries but for 2**-15
        ctx, page, replica, _ = open_page(browser, cluster.url)
        if replica in landed:
            ctx.close()
        else:
            landed[replica] = (ctx, page)
        if len(landed) == 2:
            break
    assert set(landed) == {"app1", "app2"}
    for replica, (ctx, page) in landed.items():
        wait_until_rendered(page)  # the WebSocket through nginx works: the script ran and drew the page
        assert page.locator('[data-testid="stException"]').count() == 0
        assert {c["name"]: c["value"] for c in ctx.cookies()}[local.REPLICA_COOKIE] == replica
        ctx.close()
    # Each page's WebSocket reached the replica its cookie named.
    deadline = time.monotonic() + 5
    while {r for _, r in stream_replicas(cluster)} != {"app1", "app2"} and time.monotonic() < deadline:
        time.sleep(0.2)
    streams = stream_replicas(cluster)
    assert {r for _, r in streams} == {"app1", "app2"}
    assert all(cookie == replica for cookie, replica in streams)


def test_one_visitor_stays_on_its_replica_across_reloads(cluster, browser):
    ctx, page, first, seen = open_page(browser, cluster.url)
    wait_until_rendered(page)
    for _ in range(3):
        assert page.reload().headers.get(HEADER) == first
    wait_until_rendered(page)
    assert set(seen) == {first}, "every response of the visit (document, assets, health) came from one replica"
    ctx.close()


# The overfitting page's memorised-noise preset: one small MLP trained through fit (≈ 6 s on a quiet machine).
MEMORISED = "/overfitting?overfitting.tab=Memorised+noise&overfitting.shuffled={share}"
RUNS_TAB = "/carbon?carbon.tab=This+lab%27s+runs"


def on_replica(browser, cluster, replica: str, path: str):
    """A browser context pinned to ``replica`` (its cookie, as nginx would have set it) on ``path``."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    ctx.add_cookies([{"name": local.REPLICA_COOKIE, "value": replica, "url": cluster.url}])
    page = ctx.new_page()
    assert page.goto(cluster.url + path).headers.get(HEADER) == replica
    wait_until_rendered(page)
    return ctx, page


def ledger_labels(cluster) -> list[str]:
    out = cluster.psql("SELECT label FROM runs ORDER BY id")
    return out.splitlines() if out else []


def test_a_run_trained_on_one_replica_is_in_the_ledger_of_the_other_and_loaded_there_not_retrained(cluster, browser):
    ctx, page = on_replica(browser, cluster, "app1", MEMORISED.format(share="0.0"))
    page.get_by_role("button", name="Train (").click()
    page.get_by_text("trained in").first.wait_for(timeout=120_000)
    trained = [label for label in ledger_labels(cluster) if label.startswith("memorise:")]
    assert len(trained) == 1
    ctx.close()

    ctx, page = on_replica(browser, cluster, "app2", RUNS_TAB)  # the other replica's CO2 page lists it
    page.get_by_text(f"All {len(ledger_labels(cluster))} runs").first.wait_for(timeout=30_000)
    page.goto(cluster.url + MEMORISED.format(share="0.0"))  # app2 has not got it in memory: it loads it, unasked
    page.get_by_text("loaded from the shared model store, not retrained").first.wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Train (").count() == 0
    assert [label for label in ledger_labels(cluster) if label.startswith("memorise:")] == trained  # no second run
    assert len(list(cluster.models_dir.glob("*.safetensors"))) == 1
    ctx.close()


def test_kill_9_of_a_replica_mid_training_loses_no_row_and_the_other_serves_fresh_and_existing_sessions(
    cluster, browser
):
    before = ledger_labels(cluster)
    assert before, "runs at the start: the test before trains one"
    ctx, page, victim, _ = open_page(browser, cluster.url + MEMORISED.format(share="1.0"))
    wait_until_rendered(page)
    page.get_by_role("button", name="Train (").click()
    page.get_by_text("Training").first.wait_for(timeout=30_000)  # the progress bar: in the middle of training
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    cluster.replica(victim).kill()
    survivor = ({"app1", "app2"} - {victim}).pop()
    assert ledger_labels(cluster) == before  # every earlier row, and nothing half-written
    assert not list(cluster.models_dir.glob("*.partial")) and len(list(cluster.models_dir.glob("*.safetensors"))) == 1

    # The existing session: Streamlit's frontend reconnects its WebSocket by itself, nginx sends it to the backup
    # replica (a fresh session there: widget state is lost), and the page is drawn again.
    deadline = time.monotonic() + 30
    while not sockets and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert sockets, "the page did not reconnect its WebSocket"
    wait_until_rendered(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.reload().headers.get(HEADER) == survivor
    wait_until_rendered(page)
    assert {c["name"]: c["value"] for c in ctx.cookies()}[local.REPLICA_COOKIE] == survivor
    ctx.close()

    # Fresh visitors: all on the survivor, pages drawn.
    for _ in range(3):
        ctx, page, replica, _ = open_page(browser, cluster.url)
        assert replica == survivor
        ctx.close()
    ctx, page, _, _ = open_page(browser, cluster.url)
    wait_until_rendered(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    ctx.close()
