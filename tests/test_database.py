"""The ledger on PostgreSQL, where a server can be down, refuse a password or writes, or be misnamed.

What must hold (issue #22): a clear message on every page, the demos keep working, no password in any
message, and no run lost — a run the database could not take waits in this server's outbox and is sent
with the next append that reaches it. The guarantees both engines share are in tests/test_ledger.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from core import carbon, database
from core.ledger import OUTBOX_FILE, Ledger, LedgerUnavailable, main
from deploy.scale_out.local import free_port
from tests.test_faults import page, record_a_run, sidebar_warnings, texts
from tests.test_ledger import FakeTracker, row
from tests.test_pages import assert_clean


def password_of(url: str) -> str:
    return urlsplit(url).password


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{port}").geturl()


def test_a_run_the_database_cannot_take_waits_on_this_server_and_is_sent_when_it_answers(
    postgres_url, data_dir, monkeypatch
):
    live = Ledger(url=postgres_url)
    live.append(row(label="before"))
    down = Ledger(url=with_port(postgres_url, free_port()))  # nothing listens there: the server is "down"
    with pytest.raises(LedgerUnavailable) as raised:
        down.append(row(label="while down"))
    message = str(raised.value)
    assert "cannot be reached" in message and "kept on this server" in message
    assert password_of(postgres_url) not in message and ":***@127.0.0.1" in message
    assert down.write_problem() == message
    assert [r.label for r in Ledger(data_dir / OUTBOX_FILE).every_row()] == ["while down"]

    live.append(row(label="after"))  # the next append that reaches the database sends the waiting run too
    assert sorted(live.rows()["label"]) == ["after", "before", "while down"]
    assert Ledger(data_dir / OUTBOX_FILE).every_row() == []
    live.append(row(label="once more"))  # and never twice
    assert len(live.rows()) == 4


def test_a_database_that_is_down_fails_fast_for_a_while_instead_of_every_page_waiting(postgres_url, monkeypatch):
    import psycopg

    calls = []
    real_connect = psycopg.connect
    monkeypatch.setattr(psycopg, "connect", lambda *a, **k: calls.append(1) or real_connect(*a, **k))
    down = Ledger(url=with_port(postgres_url, free_port()))
    for _ in range(3):
        with pytest.raises(LedgerUnavailable, match="cannot be reached"):
            down.totals()
    assert len(calls) == 1  # the second and third read did not try again within RETRY_AFTER_S
    monkeypatch.setattr(database, "RETRY_AFTER_S", 0.0)
    with pytest.raises(LedgerUnavailable):
        down.totals()
    assert len(calls) == 2


def test_a_wrong_password_is_said_without_showing_either_password(postgres_url):
    wrong = postgres_url.replace(password_of(postgres_url), "not-the-secret-42")
    with pytest.raises(LedgerUnavailable, match="password authentication failed") as raised:
        Ledger(url=wrong).totals()
    assert "not-the-secret-42" not in str(raised.value) and password_of(postgres_url) not in str(raised.value)


@pytest.mark.parametrize(
    "url", ["postgresq://lab:hunter2@127.0.0.1:5432/lab", "lab:hunter2@127.0.0.1:5432/lab", "sqlite://"]
)
def test_a_url_with_a_typo_names_the_setting_and_hides_the_password(url, monkeypatch):
    monkeypatch.setenv("DLLAB_LEDGER_URL", url)
    with pytest.raises(LedgerUnavailable, match="DLLAB_LEDGER_URL") as raised:
        Ledger()
    assert "hunter2" not in str(raised.value)


def test_a_database_that_refuses_writes_keeps_the_run_and_still_reads(postgres_url, data_dir):
    import psycopg

    ledger = Ledger(url=postgres_url)
    ledger.append(row(label="before"))
    name = urlsplit(postgres_url).path.lstrip("/")
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    with pytest.raises(LedgerUnavailable, match="read-only transaction") as raised:
        ledger.append(row(label="refused"))
    assert "kept on this server" in str(raised.value)
    assert ledger.rows()["label"].tolist() == ["before"]  # reading still works
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("SET default_transaction_read_only = off")
        con.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = off")
    ledger.append(row(label="after"))
    assert sorted(ledger.rows()["label"]) == ["after", "before", "refused"]


def test_an_old_sqlite_ledger_is_imported_once(postgres_url, tmp_path, monkeypatch, capsys):
    old = Ledger(tmp_path / "laptop.sqlite3")
    for label in ("lecture 1", "lecture 2"):
        old.append(row(label=label))
    monkeypatch.setenv("DLLAB_LEDGER_URL", postgres_url)
    assert main(["import", str(old.path)]) == 0
    assert "2 run(s) added" in capsys.readouterr().out and password_of(postgres_url) not in capsys.readouterr().out
    assert main(["import", str(old.path)]) == 0
    assert "0 run(s) added" in capsys.readouterr().out  # run_ids: the same file twice adds nothing
    assert sorted(Ledger().rows()["label"]) == ["lecture 1", "lecture 2"]


def test_pages_say_the_database_is_down_and_the_demos_keep_working(postgres_url, data_dir, monkeypatch):
    secret = password_of(postgres_url)
    monkeypatch.setenv("DLLAB_LEDGER_URL", with_port(postgres_url, free_port()))
    monkeypatch.setattr(carbon, "tracker_factory", lambda c: FakeTracker())
    m = record_a_run()  # a demo's training ends while the database is down: measured, kept, said
    assert m.report.status == "measured" and m.ledger_id is None and "kept on this server" in m.ledger_error
    for path in ("pages/home.py", "pages/carbon.py"):
        at = page(path)
        assert_clean(at)
        shown = texts(at) + " ".join(sidebar_warnings(at))
        assert "cannot be reached" in shown and "not being recorded" in shown, path
        assert secret not in shown
    monkeypatch.setenv("DLLAB_LEDGER_URL", postgres_url)  # the database is back
    assert record_a_run().ledger_id is not None
    assert sorted(Ledger().rows()["label"]) == ["run after the fault"] * 2
