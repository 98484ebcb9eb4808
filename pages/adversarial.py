"""Placeholder page until issue #4 lands its demo."""
from ui.shell import coming_soon, require_shell

require_shell()
coming_soon("adversarial", issue=4, plan=[
    'FGSM, PGD, one-pixel, universal, black-box and patch attacks',
    'accuracy vs ε curves with a random-noise control',
    'an adversarially trained defence',
])
