"""Give memory back to the operating system: a hosted tier counts what a process holds, not what it uses.

Kept apart from :mod:`core.training` so that the shell, which runs on every page, can call it without
importing torch.
"""

from __future__ import annotations

import ctypes


def release_freed_memory() -> None:
    """Hand the heap a training freed back to the operating system (glibc's ``malloc_trim``).

    Why: glibc keeps freed small blocks (a training's batches, gradients, predictions) in the
    process's heap for reuse, so a server that has trained or predicted once stays 40-80 MB larger
    than it needs to for the rest of the lecture (bench/bench_memory.py); a hosted tier counts it.
    Cheap (well under a millisecond once the heap is trimmed): :func:`fit` calls it at its end and
    the shell after every script run. Elsewhere (macOS, musl) there is no such call, nothing to do.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
