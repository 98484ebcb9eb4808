"""Explaining by approximating: a small decision tree that imitates the network (:mod:`core.demos.explanations`).

A global surrogate (Craven & Shavlik 1996, "Extracting tree-structured representations of trained
networks", NIPS 8; the "explaining by approximating" of the course's deck 002): train a readable model
on the *network's answers*, not on the true labels, and measure its **fidelity** (how often it agrees
with the network on images neither saw). A shallow tree is readable but unfaithful; a faithful one is
deep and no longer readable. The tree reads 49 features, the mean brightness of each 4 x 4 patch.
"""

from __future__ import annotations

import pandas as pd
import torch

from core.demos.clever_hans.experiment import load_split, with_tags
from core.demos.explanations.model import Subject
from core.training import predict

DEPTHS = (1, 2, 3, 4, 6, 8, 10)  # 1 question ... 10 levels (hundreds of leaves: no longer readable)
PATCH = 4  # features: mean of each 4 x 4 patch, 7 x 7 = 49 of them


def patch_features(images: torch.Tensor, patch: int = PATCH) -> torch.Tensor:
    """``(N, C, H, W)`` -> ``(N, C * (H/patch) * (W/patch))``: each patch's mean brightness, row-major."""
    return torch.nn.functional.avg_pool2d(images, patch).flatten(1)


def fidelity_by_depth(subject: Subject, depths: tuple[int, ...] = DEPTHS) -> tuple[pd.DataFrame, list[str]]:
    """Fit a tree of each depth to the network's predictions on the training images (tagged as in training).

    Returns:
        one row per depth: ``depth, leaves, fidelity`` (agreement with the network on the test images,
        tagged like the training set), ``accuracy`` (the tree against the true labels); and the patch
        names the depth-3 tree asks about first (root first), e.g. ``"row 6, col 0"``.
    """
    from sklearn.tree import DecisionTreeClassifier  # lazily: sklearn takes ~1 s to import

    config = subject.config
    train_clean, test_clean = load_split("fashion", config.seed)
    train, _ = with_tags(train_clean, subject.cls, config.fraction, config.seed)
    test, _ = with_tags(test_clean, subject.cls, config.fraction, config.seed + 1)
    x_train, x_test = patch_features(train.images).numpy(), patch_features(test.images).numpy()
    y_train, y_test = predict(subject.model, train.images).numpy(), predict(subject.model, test.images).numpy()
    rows, questions = [], []
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, random_state=config.seed).fit(x_train, y_train)
        guess = tree.predict(x_test)
        rows.append(
            {
                "depth": depth,
                "leaves": int(tree.get_n_leaves()),
                "fidelity": float((guess == y_test).mean()),
                "accuracy": float((guess == test.labels.numpy()).mean()),
            }
        )
        if depth == 3:
            cells = 28 // PATCH
            questions = [f"row {f // cells}, col {f % cells}" for f in tree.tree_.feature if f >= 0]
    return pd.DataFrame(rows), questions
