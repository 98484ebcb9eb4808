"""The shared model store: a run trained once is loaded by every other server, safely, or trained again honestly.

Tiny models on scikit-learn's 8x8 digits (shipped with it, no network): each training takes well under a second.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass

import pytest
import torch

from core import data, model_store, models, training
from core.ledger import Ledger
from tests.test_ledger import FakeTracker


@dataclass(frozen=True)
class DigitsRun:
    """Stands in for a demo's config: its repr is the store's key, as a demo's run_key is."""

    seed: int = 0
    epochs: int = 2


@pytest.fixture(autouse=True)
def quick_carbon(monkeypatch):
    """codecarbon's real tracker costs ~1 s a run; what is tested here is what happens around it."""
    from core import carbon

    monkeypatch.setattr(carbon, "tracker_factory", lambda country: FakeTracker())


@pytest.fixture(scope="module")
def digits():
    return data.train_test_split(data.digits(), 0.3, seed=0)


def train(digits, run=DigitsRun(), *, widths=(8, 16)):
    config = models.CNNConfig(in_channels=1, num_classes=10, image_size=8, widths=widths, hidden=32)
    return training.fit(
        models.build_cnn(config, seed=run.seed),
        *digits,
        training.TrainConfig(epochs=run.epochs, lr=1e-2, seed=run.seed),
        demo="test",
        label=f"shared {run}",
        shared_as=("digits", run),
    )


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(model_store.MODEL_STORE_ENV, str(tmp_path / "models"))
    return model_store.configured()


def runs_of(run: DigitsRun) -> int:
    rows = Ledger().rows()
    return int((rows["label"] == f"shared {run}").sum()) if len(rows) else 0


def same_weights(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_without_a_store_every_server_trains_and_nothing_is_written(digits, tmp_path):
    run = DigitsRun(seed=1)
    first, second = train(digits, run), train(digits, run)
    assert runs_of(run) == 2 and not first.loaded_from and not second.loaded_from
    assert model_store.configured() is None and not list(tmp_path.iterdir())


def test_a_run_trained_once_is_loaded_with_its_history_and_not_ledgered_again(digits, store):
    run = DigitsRun(seed=2)
    trained = train(digits, run)
    loaded = train(digits, run)  # another server: a fresh model of the same config
    assert runs_of(run) == 1  # one training, one ledger row
    assert not trained.loaded_from and "pid" in loaded.loaded_from
    assert same_weights(trained.model, loaded.model) and not loaded.model.training
    assert loaded.history == trained.history and loaded.metrics == trained.metrics
    assert loaded.carbon == trained.carbon and loaded.seconds == trained.seconds
    assert loaded.summary().startswith("loaded from the shared model store, not retrained")
    assert torch.equal(
        training.predict(loaded.model, digits[1].images), training.predict(trained.model, digits[1].images)
    )
    assert [p.suffix for p in store.folder.iterdir()].count(".safetensors") == 1
    assert model_store.problem() == ""


def test_another_config_is_not_loaded(digits, store):
    train(digits, DigitsRun(seed=3))
    other = train(digits, DigitsRun(seed=3, epochs=1))
    assert not other.loaded_from and runs_of(DigitsRun(seed=3, epochs=1)) == 1


def _break(store, how: str) -> None:
    path = next(store.folder.glob("*.safetensors"))
    if how == "corrupt":
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # a copy cut short
    elif how == "garbage":
        path.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{not json" + b"\0" * 64)


BAD = ["corrupt", "garbage", "another version", "another model"]


@pytest.mark.parametrize("how", BAD)
def test_a_bad_stored_model_is_said_and_trained_here_and_replaced(digits, store, monkeypatch, how):
    run = DigitsRun(seed=40 + BAD.index(how))  # a run of its own: the session's ledger counts its rows
    good = train(digits, run)
    if how == "another version":
        monkeypatch.setattr(store.__class__, "__init__", _with_version("0123456789ab"))
    elif how == "another model":
        monkeypatch.setattr(store.__class__, "__init__", _with_version(model_store.code_version()))
    else:
        _break(store, how)
    again = train(digits, run, widths=(4, 8)) if how == "another model" else train(digits, run)
    assert not again.loaded_from and runs_of(run) == 2  # trained here, honestly
    expected = {
        "corrupt": "cannot be read",
        "garbage": "cannot be read",
        "another version": "another version of the lab",
        "another model": "weights of another model",
    }[how]
    assert expected in model_store.problem() and "trained on this server instead" in model_store.problem()
    if how != "another model":
        assert same_weights(good.model, again.model)  # same seed, same weights
        assert train(digits, run).loaded_from and model_store.problem() == ""  # the file was replaced


def _with_version(version: str):
    def init(self, folder):
        self.folder, self._version = __import__("pathlib").Path(folder), version

    return init


def test_a_store_that_cannot_be_written_is_said_and_the_run_still_trains(digits, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store should be")
    monkeypatch.setenv(model_store.MODEL_STORE_ENV, str(blocker / "models"))
    result = train(digits, DigitsRun(seed=5))
    assert result.test_accuracy > 0.5 and not result.loaded_from
    assert "could not be saved" in model_store.problem() or "cannot be used" in model_store.problem()


# Two servers: each process trains (or loads) one run and prints how it got it.
_SERVER = textwrap.dedent("""
    import sys
    from tests.test_model_store import DigitsRun, train
    from core import carbon, data
    from tests.test_ledger import FakeTracker
    carbon.tracker_factory = lambda country: FakeTracker()
    digits = data.train_test_split(data.digits(), 0.3, seed=0)
    print("ready", flush=True)
    sys.stdin.readline()
    result = train(digits, DigitsRun(seed=int(sys.argv[1]), epochs=int(sys.argv[2])))
    print("loaded" if result.loaded_from else "trained", flush=True)
""")


def start_server(seed: int, epochs: int = 6) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(seed), str(epochs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_two_servers_pressing_train_at_once_cause_one_training(store):
    run = DigitsRun(seed=6, epochs=6)
    servers = [start_server(run.seed) for _ in range(2)]
    for server in servers:
        server.stdin.write("go\n")
        server.stdin.flush()
    said = sorted(server.stdout.readline().strip() for server in servers)
    assert [server.wait(timeout=120) for server in servers] == [0, 0]
    assert said == ["loaded", "trained"] and runs_of(run) == 1


def test_a_server_killed_mid_training_leaves_no_file_and_releases_its_lock(digits, store):
    run = DigitsRun(seed=7, epochs=200)  # long enough to be killed in the middle
    server = start_server(run.seed, run.epochs)
    server.stdin.write("go\n")
    server.stdin.flush()
    lock = store._path(("digits", run), ".lock")
    while not lock.exists():  # it has the lock and is training
        pass
    import time

    time.sleep(1.0)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    assert not list(store.folder.glob("*.safetensors")) and runs_of(run) == 0  # nothing half-written
    survivor = train(digits, DigitsRun(seed=7, epochs=2))  # another config: no wait
    assert not survivor.loaded_from
    with store.lock(("digits", run)):  # the dead server's lock was released by the kernel: taken at once
        pass


def test_a_full_disk_under_the_store_is_said_and_leaves_no_partial_file(digits, tmp_path, monkeypatch):
    """A real full disk (a small tmpfs filled to the last byte; needs the right to mount, as in test_faults)."""
    from tests.test_faults import fill, mount_problem, tmpfs

    if mount_problem():
        pytest.skip(mount_problem())
    folder = tmp_path / "models"
    folder.mkdir()
    with tmpfs(folder, "64k"):
        monkeypatch.setenv(model_store.MODEL_STORE_ENV, str(folder))
        (folder / "placeholder.lock").touch()  # room for the lock file's inode, not for a model
        assert fill(folder) > 0
        result = train(digits, DigitsRun(seed=8))
        assert result.test_accuracy > 0.5 and not result.loaded_from  # trained and shown all the same
        assert "could not be saved" in model_store.problem() and "No space left" in model_store.problem()
        assert not list(folder.glob("*.partial")) and not list(folder.glob("*.safetensors"))
