"""The lab's two kinds of expected failure, so that pages can tell them from bugs.

A page shows the message of a :class:`LabError` to the user and carries on; anything else
is a bug, and reaches the shell's error boundary (``ui/shell.py``), which logs the traceback
and shows "unexpected error". Catching ``ValueError`` around a page would hide bugs as yellow
warnings that look like the user's fault, so core raises these instead:

- :class:`BadInput`: a configuration or a user's input the lab cannot use (a word not in the
  vocabulary, an image that does not decode, a share outside [0, 1]). The message says what to
  change. It is also a ``ValueError``, so plain Python callers can catch it the usual way.
- :class:`Unavailable`: an optional asset is missing (a dataset, pretrained weights, the ledger's
  folder). The message says what still works and how to get the asset.
"""

from __future__ import annotations


class LabError(Exception):
    """An expected failure whose message is written for the person at the screen."""


class BadInput(LabError, ValueError):
    """A configuration or user input the lab cannot use; the message says what to change."""


class Unavailable(LabError, RuntimeError):
    """An optional asset (dataset, weights, ledger) is missing; the message says what still works."""
