"""Trained models shared by every server of a hosted lab: saved once, loaded by the others, never pickled.

Why: behind a load balancer, each Streamlit replica is its own process with its own page caches. Without a
shared store, a preset the lecturer trained on replica 1 is trained again for the first student who lands on
replica 2 — the same minutes of CPU and the same grams of CO2, twice. With ``DLLAB_MODEL_STORE`` set to a folder
every replica can read and write (a shared volume), :func:`core.training.fit` called with ``shared_as=key``:

1. takes a lock for that key (``flock`` on a file in the folder), so two replicas pressing Train on the same
   config at once cause one training: the second waits, then loads;
2. loads the weights if they are there and fit this model (a replica restarted after the lecture's warm-up loads
   every preset instead of training it);
3. otherwise trains as usual (measured, ledgered), then saves the weights with what the page shows about the run
   (per-epoch history, carbon report, metrics) — written to a temporary file and renamed, so a reader never sees
   half a file, and a replica killed mid-training leaves nothing and releases its lock.

Safe formats only: the weights are a ``safetensors`` file (tensors and a JSON header, nothing executable), read
into a model the caller built — never an unpickled object. ``key`` is the same key the page's run store uses (the
demo's ``run_key(config)``: frozen dataclasses, whose ``repr`` is stable). The file records the lab's code version
and torch's; a file from another version, a corrupt one, or a full disk is said (:func:`problem`) and the model
trained here instead — never a traceback, and never a wrong model.

Unset (the default), nothing is shared or written: one server, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from core.paths import REPO_ROOT

MODEL_STORE_ENV = "DLLAB_MODEL_STORE"
FORMAT = "dllab-model-1"
LOCK_WAIT_S = 900.0  # a replica that holds a lock longer than this is hung, not training: train here anyway

_problems: dict[str, str] = {}  # store folder -> why its latest load or save failed ('' once one works)
_problems_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A short hash of the lab's ``core`` sources: weights trained by other code are not this code's model.

    Read once per process (~100 files): a server's code does not change under it, and every Train step of a
    lab with a store asks for it.
    """
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "core").rglob("*.py")):
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class ModelStore:
    """A folder of ``<sha256 of the key>.safetensors`` files, one per trained config, and their lock files."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._version = code_version()

    def _path(self, key, suffix: str) -> Path:
        return self.folder / (hashlib.sha256(repr(key).encode()).hexdigest()[:40] + suffix)

    @contextlib.contextmanager
    def lock(self, key) -> Iterator[None]:
        """Hold the lock of ``key`` across processes (released by the kernel if this process dies).

        A folder that cannot be written gives no lock (said by :func:`problem`): the run trains here.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self._path(key, ".lock"), "a")  # noqa: SIM115 (closed below, after the yield)
        except OSError as err:
            self.note(f"the shared model store {self.folder} cannot be used ({err.strerror or err})")
            yield
            return
        with handle:
            deadline = time.monotonic() + LOCK_WAIT_S
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        break  # see LOCK_WAIT_S
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def has(self, key) -> bool:
        """Whether a model is stored under ``key`` (not whether it will load: see :meth:`load`)."""
        return self._path(key, ".safetensors").exists()

    def load(self, key, model) -> dict | None:
        """Load the stored weights of ``key`` into ``model``; the run's record, or None if there are none.

        Raises:
            StoreProblem: the file is corrupt, from another version, or does not fit ``model``
                (``model`` is then untouched).
        """
        from safetensors import SafetensorError
        from safetensors.torch import load_file, safe_open

        path = self._path(key, ".safetensors")
        if not path.exists():
            return None
        try:
            with safe_open(str(path), framework="pt") as handle:
                header = handle.metadata() or {}
            if header.get("format") != FORMAT or header.get("key") != repr(key):
                raise StoreProblem(f"{path.name} is not a stored model of this run")
            if header.get("code_version") != self._version:
                raise StoreProblem(
                    f"{path.name} was trained by another version of the lab ({header.get('code_version')}, "
                    f"this is {self._version})"
                )
            tensors = load_file(str(path))
            expected = model.state_dict()
            if set(tensors) != set(expected) or any(tensors[k].shape != expected[k].shape for k in expected):
                raise StoreProblem(f"{path.name} holds weights of another model")
            model.load_state_dict(tensors)
            return json.loads(header["record"])
        except (SafetensorError, OSError, ValueError, KeyError) as err:  # a truncated or garbled file
            raise StoreProblem(f"{path.name} cannot be read ({type(err).__name__}: {err})") from err

    def save(self, key, model, record: dict) -> None:
        """Store ``model``'s weights and ``record`` (JSON-able) under ``key``, atomically.

        Raises:
            StoreProblem: the folder cannot be written (full disk, read-only, permissions).
        """
        from safetensors import SafetensorError
        from safetensors.torch import save_file

        # Copies, each with its own memory: safetensors refuses tensors that share storage (tied weights).
        tensors = {name: value.detach().contiguous().clone() for name, value in model.state_dict().items()}
        who = {
            "trained_by": f"{socket.gethostname()} (pid {os.getpid()})",
            "trained_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        header = {
            "format": FORMAT,
            "key": repr(key),
            "code_version": self._version,
            "torch": _torch_version(),
            "record": json.dumps({**record, **who}, default=float),
        }
        temporary = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".partial", delete=False) as handle:
                temporary = Path(handle.name)
            save_file(tensors, str(temporary), metadata=header)
            os.replace(temporary, self._path(key, ".safetensors"))  # atomic: readers see the old file or the new
        except (OSError, SafetensorError) as err:  # safetensors writes in Rust: its ENOSPC is a SafetensorError
            why = getattr(err, "strerror", None) or str(err).removeprefix("Error while serializing: I/O error: ")
            raise StoreProblem(f"the model could not be saved in {self.folder} ({why})") from err
        finally:
            if temporary is not None and temporary.exists():
                temporary.unlink()

    def note(self, problem: str) -> None:
        """Remember (for :func:`problem`) why the latest load or save failed, or that one worked ('')."""
        with _problems_lock:
            _problems[str(self.folder)] = problem


class StoreProblem(Exception):
    """The shared model store could not be used for one run; the message says why (the run trains here)."""


def _torch_version() -> str:
    import torch

    return torch.__version__


def configured() -> ModelStore | None:
    """The store named by ``DLLAB_MODEL_STORE``, or None when unset (nothing is shared)."""
    folder = os.environ.get(MODEL_STORE_ENV, "").strip()
    return ModelStore(folder) if folder else None


def problem() -> str:
    """Why the configured store's latest load or save failed in this process, or ''."""
    folder = os.environ.get(MODEL_STORE_ENV, "").strip()  # as configured() reads it, without building a store
    if not folder:
        return ""
    with _problems_lock:
        return _problems.get(str(Path(folder)), "")
