"""Most of a trained network's bits and weights are not needed to run it, but accuracy falls off a cliff past a point, and smaller is not automatically faster.

Vitay's deck 001: inference is too slow for phones; quantise the weights to 8, 2 or 1 bit, prune "up to 90 %"
of them, or distil the network into a student. The CO2 page measures what *training* costs; this one measures
what it costs to *run* a model, and what can be thrown away. One model, the lab's SmallCNN trained live on the
shipped Fashion-MNIST 10k split (:mod:`.teacher`, ~86 % on 2,000 test images), and four tabs:

1. *Fewer bits* (:mod:`.quantise`): its weights on a k-bit grid, per tensor and per channel, 32 -> 1 bit;
   accuracy and size at every k on one chart.
2. *Fewer weights* (:mod:`.prune`): magnitude pruning with ``torch.nn.utils.prune``, global vs per layer,
   0-99 %, with one optional epoch of fine-tuning; measured latency: zeros are not faster, fewer channels are.
3. *A smaller student* (:mod:`.distil`): an MLP trained on the labels or on the CNN's soft labels at T.
4. *One chart for all* (:mod:`.measure`): every variant's accuracy, bytes, µs per image and Wh per 10,000
   predictions (codecarbon), with its Pareto front.

Published beside ours, checked (settings differ: ImageNet, MNIST): :data:`PUBLISHED`.
:mod:`.jobs` lists what each Train button runs; :mod:`.figures` draws the charts; here :func:`warm_up_jobs`.
"""

from __future__ import annotations

from core.demos.compression import distil, figures, jobs, measure, prune, quantise, teacher
from core.demos.compression.jobs import warm_up_jobs

# (paper, figure, what, where in the paper). Checked against the abstracts / §3 text.
PUBLISHED = (
    (
        "Han, Pool, Tran & Dally 2015, 'Learning both weights and connections for efficient neural networks', "
        "NeurIPS (arXiv:1506.02626)",
        "9x",
        "fewer weights in AlexNet (61 million to 6.7 million) without accuracy loss on ImageNet, after pruning "
        "and retraining; 13x for VGG-16 (138 million to 10.3 million) (abstract)",
    ),
    (
        "Hinton, Vinyals & Dean 2015, 'Distilling the knowledge in a neural network', arXiv:1503.02531",
        "67 / 146 / 74",
        "test errors of 10,000 on MNIST: a large net (2 x 1200 units, dropout), a small net (2 x 800) trained "
        "alone, the same small net trained on the large one's soft targets at T = 20 (§3)",
    ),
)

__all__ = ["PUBLISHED", "distil", "figures", "jobs", "measure", "prune", "quantise", "teacher", "warm_up_jobs"]
