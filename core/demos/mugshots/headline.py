"""The first screen after Train: the headline numbers and one sentence reading them (:mod:`core.demos.mugshots`).

Everything here reads :func:`~core.demos.mugshots.measurements.accuracy_table`: each accuracy against
the majority baseline of its own test set, so an accuracy is never set against a 50 % "chance" that
the data does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demos.mugshots.dataset import PAPER_CRIMINAL, PAPER_PHOTOS


@dataclass(frozen=True)
class Headline:
    """One headline number as a page shows it (``st.metric``): the value and its lift over its baseline.

    ``arrow``: "auto" (up/down by the delta's sign) or "off" for a delta that is a phrase, not a change.
    """

    label: str
    value: str
    delta: str
    description: str
    help: str
    arrow: str = "auto"


def _points(difference: float) -> str:
    return f"{100 * difference:+.1f} pts"


def headline(table: pd.DataFrame) -> list[Headline]:
    """The three first-screen numbers from :func:`accuracy_table`, short enough for one row of metrics.

    The accuracy like the paper's (test drawn like training) against the majority baseline of
    that test set, the baseline itself (what always answering the commonest class scores),
    and the accuracy on the balanced test set against *its* baseline (50 %). The balanced
    accuracies and the paper's figure follow in :func:`details` and in the chart.
    """
    like, fair = table.iloc[0], table.iloc[1]
    return [
        Headline(
            "Accuracy, test like training",
            f"{like['accuracy']:.1%}",
            _points(like["accuracy"] - like["majority_baseline"]),
            "vs baseline",
            f"{int(like['faces']):,} faces drawn like the training set (the paper's setting). Balanced accuracy "
            f"on them: {like['balanced_accuracy']:.1%}.",
        ),
        Headline(
            "Majority baseline",
            f"{like['majority_baseline']:.1%}",
            f"always '{like['majority_class']}'",
            "",
            "What a model that learned nothing scores on the same test faces: always answering the "
            "commonest label. An accuracy means something only above it; 50 % is 'chance' only when "
            "both labels are equally common.",
            arrow="off",
        ),
        Headline(
            "Accuracy, balanced test",
            f"{fair['accuracy']:.1%}",
            _points(fair["accuracy"] - fair["majority_baseline"]),
            f"vs baseline {fair['majority_baseline']:.0%}",
            f"{int(fair['faces']):,} faces, half 'criminal', every confound independent of the label. With "
            "both labels equally common, accuracy = balanced accuracy and the baseline is 50 %.",
        ),
    ]


def details(table: pd.DataFrame) -> str:
    """The balanced accuracies and the paper's figure against its own baseline, as one markdown sentence."""
    like, fair, paper = (table.iloc[i] for i in range(3))
    return (
        f"Balanced accuracy (the mean of the share right within each label; any constant answer scores "
        f"{like['balanced_chance']:.0%}): **{like['balanced_accuracy']:.1%}** on the test like training, "
        f"**{fair['balanced_accuracy']:.1%}** on the balanced test. Wu & Zhang reported "
        f"**{paper['accuracy']:.1%}** on real photos where always answering '{paper['majority_class']}' "
        f"scored {paper['majority_baseline']:.1%} ({PAPER_PHOTOS - PAPER_CRIMINAL:,} of {PAPER_PHOTOS:,})."
    )


def _two_standard_errors(baseline: float, n: int) -> float:
    """Two standard errors of a share measured on ``n`` faces, at the baseline rate (~4 points on 600 faces)."""
    return 2 * float(np.sqrt(baseline * (1 - baseline) / n))


def verdict(table: pd.DataFrame) -> str:
    """One sentence (markdown) reading :func:`accuracy_table` against its baselines, for under the headline.

    "Beats" means more than two standard errors above the baseline (about 4 points on 600
    faces); closer than that, the accuracy is not told apart from always answering the
    majority class. The "No link" preset then reads as what it is: 60.7 %, exactly the
    majority rate, with a balanced accuracy of 50 %.
    """
    like, fair = table.iloc[0], table.iloc[1]
    always = f"always answering '{like['majority_class']}' ({like['majority_baseline']:.1%})"
    lift, margin = (
        like["accuracy"] - like["majority_baseline"],
        _two_standard_errors(like["majority_baseline"], int(like["faces"])),
    )
    if lift > margin:
        first = f"On faces drawn like the training set the model beats {always} by {100 * lift:.1f} points"
    else:
        first = (
            f"On faces drawn like the training set the model is **not clearly better than {always}**: "
            f"{like['accuracy']:.1%} is within two standard errors ({100 * margin:.1f} points) of what "
            "learning nothing scores"
        )
    lift, margin = (
        fair["accuracy"] - fair["majority_baseline"],
        _two_standard_errors(fair["majority_baseline"], int(fair["faces"])),
    )
    if lift > margin:
        second = (
            f"on the balanced test set it still beats its {fair['majority_baseline']:.0%} baseline by "
            f"{100 * lift:.1f} points."
        )
    else:
        second = (
            f"on the balanced test set it is **at its baseline ({fair['majority_baseline']:.0%})**: "
            "nothing it learned is about the face."
        )
    return f"{first}; {second}"
