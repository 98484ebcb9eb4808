"""A change too small to see can flip a confident prediction: FGSM, PGD, one-pixel, universal, black-box and patch attacks, each measured against random noise of the same size.

The demo attacks a small CNN trained live on Fashion-MNIST (and, given its weights, an ImageNet
ResNet-18 on a photo) with the attacks of :mod:`core.attacks` (a building block), and always
shows the control: random noise of the same size barely hurts, the crafted change destroys.

What is where (``from core.demos import adversarial as adv`` gives all of it):

* :mod:`~core.demos.adversarial.classifier`: the model to attack and its adversarially trained
  twin (:class:`ModelPreset`, :func:`train_model`, :class:`AttackRun`), the store keys and the
  :func:`jobs` / :func:`warm_up_jobs` the Train buttons and the lecture warm-up run.
* :mod:`~core.demos.adversarial.single`: one image attacked (FGSM/PGD by name, a photo through
  ResNet-18) and compared before/after (:class:`Comparison`).
* :mod:`~core.demos.adversarial.curves`: accuracy vs ε for FGSM, PGD-7 and the noise control,
  and the published figure they are compared with (Goodfellow et al. 2015).
* :mod:`~core.demos.adversarial.searches`: one-pixel and SimBA searches, the universal
  perturbation and the patch, each beside its random control.
* :mod:`~core.demos.adversarial.figures`: the plotly figures of all of the above.
"""

from core.demos.adversarial.classifier import (
    CURVES_SECONDS,
    DEFENCE_EPOCHS,
    DEFENCE_SECONDS,
    MADRY_2018,
    MODEL,
    TRAIN_SECONDS,
    TRAINING,
    WARM_UP_LABELS,
    WONG_2020,
    AttackRun,
    ModelPreset,
    adversarial_batches,
    curves_key,
    jobs,
    load_split,
    run_key,
    train_model,
    warm_up_jobs,
)
from core.demos.adversarial.curves import (
    CURVE_IMAGES,
    CURVE_PGD_STEPS,
    EPSILONS,
    GOODFELLOW_2015,
    GOODFELLOW_ADV_TRAINED_ERROR,
    GOODFELLOW_EPS,
    GOODFELLOW_ERROR,
    curves_majority,
    curves_provenance,
    measure_curves,
)
from core.demos.adversarial.figures import (
    CURVE_STYLE,
    IMAGE_PX,
    PRESENTER_IMAGE_PX,
    curves_figure,
    top5_figure,
    triptych_figure,
    universal_figure,
)
from core.demos.adversarial.searches import (
    LEARN_IMAGES,
    ONE_PIXEL_BUDGET,
    Controlled,
    PatchExample,
    one_pixel_search,
    patch_example,
    patch_with_control,
    random_sign_delta,
    simba_search,
    universal_examples,
    universal_with_control,
)
from core.demos.adversarial.single import (
    ATTACKS,
    PRESET_IMAGE,
    SINGLE_PGD_STEPS,
    Comparison,
    already_wrong,
    amplification,
    attack_code,
    attack_one,
    attack_photo,
    attack_test_image,
    change_wording,
    compare,
    compare_test_image,
    predicted_class,
    top_k,
)

__all__ = [
    "ATTACKS",
    "CURVES_SECONDS",
    "CURVE_IMAGES",
    "CURVE_PGD_STEPS",
    "CURVE_STYLE",
    "DEFENCE_EPOCHS",
    "DEFENCE_SECONDS",
    "EPSILONS",
    "GOODFELLOW_2015",
    "GOODFELLOW_ADV_TRAINED_ERROR",
    "GOODFELLOW_EPS",
    "GOODFELLOW_ERROR",
    "IMAGE_PX",
    "LEARN_IMAGES",
    "MADRY_2018",
    "MODEL",
    "ONE_PIXEL_BUDGET",
    "PRESENTER_IMAGE_PX",
    "PRESET_IMAGE",
    "SINGLE_PGD_STEPS",
    "TRAINING",
    "TRAIN_SECONDS",
    "WARM_UP_LABELS",
    "WONG_2020",
    "AttackRun",
    "Comparison",
    "Controlled",
    "ModelPreset",
    "PatchExample",
    "adversarial_batches",
    "already_wrong",
    "amplification",
    "attack_code",
    "attack_one",
    "attack_photo",
    "attack_test_image",
    "change_wording",
    "compare",
    "compare_test_image",
    "curves_figure",
    "curves_key",
    "curves_majority",
    "curves_provenance",
    "jobs",
    "load_split",
    "measure_curves",
    "one_pixel_search",
    "patch_example",
    "patch_with_control",
    "predicted_class",
    "random_sign_delta",
    "run_key",
    "simba_search",
    "top5_figure",
    "top_k",
    "train_model",
    "triptych_figure",
    "universal_examples",
    "universal_figure",
    "universal_with_control",
    "warm_up_jobs",
]
