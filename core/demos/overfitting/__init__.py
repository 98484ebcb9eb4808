"""More parameters fit the training points better and can predict worse; no fit extrapolates; and over-parameterised networks break the classical U-curve.

The statistics lesson of Galiez's deck 004 ("Why deep learning?"), which decks 001 and 002 come back to, in
five tabs, every fit live and seeded, with the deck's and the papers' numbers beside ours:

1. *Fuel at 180 km/h*: polynomials of degree 1-30 fitted to ~60 fuel measurements taken between 30 and
   130 km/h; every fit's prediction at 180 km/h beside the true value, and 3-fold cross-validation.
2. *Bias² + variance*: every degree refitted to 200 fresh data sets; bias², variance and noise add up to the
   expected test error (the classical U).
3. *Ridge = a prior*: the deck's 4-point cubic; ridge (a Gaussian prior) shrinks the wild maximum-likelihood
   coefficients; the published vectors beside ours.
4. *Double descent* (Belkin et al. 2019): minimum-norm least squares on N random ReLU features; the test
   error peaks where N reaches the number of training points and falls again.
5. *Memorised noise* (Zhang et al. 2017): a network trained through :func:`core.training.fit` fits
   Fashion-MNIST labels even when they are shuffled; training accuracy stays ~100 %, test accuracy falls.

What is where (re-exported here, so ``import core.demos.overfitting as of`` reaches the modules):

* :mod:`.fuel`: the true fuel curve, the measurements, the Legendre-basis fit, predictions, cross-validation;
* :mod:`.bias_variance`: the resampling experiment and its decomposition;
* :mod:`.ridge`: the 4-point cubic, ridge, the published coefficients (and what could not be recovered);
* :mod:`.figures`: the plotly figures of tabs 1-3;
* :mod:`.double_descent`: tab 4 (random ReLU features, its figure and provenance);
* :mod:`.memorise`: tab 5 (shuffled labels, the training jobs, its figure);
* here: :func:`jobs` and :func:`warm_up_jobs` (from :mod:`.memorise`), what the Train button and the lecture
  warm-up run.
"""

from __future__ import annotations

from core.demos.overfitting import bias_variance, double_descent, figures, fuel, memorise, ridge
from core.demos.overfitting.memorise import jobs, warm_up_jobs

__all__ = ["bias_variance", "double_descent", "figures", "fuel", "jobs", "memorise", "ridge", "warm_up_jobs"]
