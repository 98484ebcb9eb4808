"""What an accuracy must beat: 50 % is "chance" only when the classes are equally common.

A classifier that ignores its input and always answers the most common class scores that
class's share of the test set. With 1,126 "non-criminal" faces out of 1,856 (Wu & Zhang's
class counts) that is **60.7 %**, not 50 %: a model that learned *nothing* reaches 60.7 %
"accuracy". So an accuracy compared with a 50 % "chance" line flatters every model whose
test set is unbalanced. Two honest yardsticks, both computed here from the labels of the
very test set the accuracy was measured on:

* the **majority-class baseline** (:func:`majority_baseline`): the accuracy of always
  answering the most common class; an accuracy means something only above it;
* the **balanced accuracy** (:func:`balanced_accuracy`): the mean, over the classes, of the
  share of that class's examples the model gets right (its recall). Every class counts the
  same however rare it is, so *any* constant answer scores exactly ``1 / number of classes``
  (50 % with two classes), whatever the class shares: here 50 % really is chance.

Example (two classes, 3 of 5 labels are 0; the "model" always answers 0)::

    >>> majority_baseline([0, 0, 0, 1, 1])
    0.6
    >>> balanced_accuracy([0, 0, 0, 1, 1], [0, 0, 0, 0, 0])
    0.5

Pure functions on label arrays (lists, numpy arrays or torch tensors), numpy only: a page
importing this module stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _labels(values, name: str) -> np.ndarray:
    """A 1-D numpy array of labels; empty or multi-dimensional input is refused with a clear message."""
    if hasattr(values, "detach"):  # a torch tensor: no torch import needed here
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of labels, got shape {array.shape}")
    return array


def majority_class(labels):
    """The most common label (the smallest one on a tie, so the answer is deterministic)."""
    values, counts = np.unique(_labels(labels, "labels"), return_counts=True)
    return values[np.argmax(counts)].item()  # np.unique sorts, argmax takes the first maximum


def majority_baseline(labels) -> float:
    """Accuracy of always answering the most common class: the share of that class in ``labels``.

    This is the line an accuracy has to clear on this test set. It equals 50 % only when the
    two classes are exactly equally common; with Wu & Zhang's 1,126 of 1,856 "non-criminal"
    photos it is 60.7 %, so a "60.7 % accurate" model there has learned nothing.
    """
    _, counts = np.unique(_labels(labels, "labels"), return_counts=True)
    return float(counts.max() / counts.sum())


def chance_balanced_accuracy(labels) -> float:
    """Balanced accuracy of any constant answer: ``1 / (number of classes in labels)``.

    The constant answer gets all of one class right (recall 1) and none of the others
    (recall 0); the mean over ``k`` classes is ``1/k`` whatever the class shares.
    """
    return 1.0 / len(np.unique(_labels(labels, "labels")))


def balanced_accuracy(labels, predictions) -> float:
    """Mean recall over the classes present in ``labels`` (scikit-learn's ``balanced_accuracy_score``).

    Unlike the plain accuracy, it does not reward answering the common class: always
    answering "non-criminal" scores 100 % on that class and 0 % on the other, 50 % in all,
    however many "non-criminals" the test set holds. On a test set with equally many of each
    class it equals the plain accuracy.

    Computed with numpy, as scikit-learn does (recall per class in sorted class order, then
    their mean; a class only predicted, never true, has no recall and is left out), to the
    same bits; importing scikit-learn for it would add ~150 MB to the server (bench/RESULTS.md).
    """
    y_true, y_pred = _labels(labels, "labels"), _labels(predictions, "predictions")
    if len(y_true) != len(y_pred):
        raise ValueError(f"labels and predictions differ in length: {len(y_true)} vs {len(y_pred)}")
    recalls = [np.sum((y_true == c) & (y_pred == c)) / np.sum(y_true == c) for c in np.unique(y_true)]
    return float(np.mean(recalls))


@dataclass(frozen=True)
class AccuracyReport:
    """An accuracy beside the yardsticks of the same test set.

    Attributes:
        accuracy: share of correct predictions.
        balanced_accuracy: mean recall over the classes (chance = ``chance_balanced``).
        majority_baseline: accuracy of always answering ``majority_class``.
        majority_class: the most common label of the test set.
        chance_balanced: balanced accuracy of any constant answer (0.5 for two classes).
        n: number of test examples.
    """

    accuracy: float
    balanced_accuracy: float
    majority_baseline: float
    majority_class: object
    chance_balanced: float
    n: int

    @property
    def lift(self) -> float:
        """Accuracy above the majority baseline, in fractions (0.0: no better than always the majority)."""
        return self.accuracy - self.majority_baseline


def report(labels, predictions) -> AccuracyReport:
    """Accuracy, balanced accuracy and the majority baseline of one test set, in one call."""
    y_true, y_pred = _labels(labels, "labels"), _labels(predictions, "predictions")
    if len(y_true) != len(y_pred):
        raise ValueError(f"labels and predictions differ in length: {len(y_true)} vs {len(y_pred)}")
    return AccuracyReport(
        accuracy=float((y_true == y_pred).mean()),
        balanced_accuracy=balanced_accuracy(y_true, y_pred),
        majority_baseline=majority_baseline(y_true),
        majority_class=majority_class(y_true),
        chance_balanced=chance_balanced_accuracy(y_true),
        n=len(y_true),
    )
