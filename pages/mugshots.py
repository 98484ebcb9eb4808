"""Placeholder page until issue #5 lands its demo."""
from ui.shell import coming_soon, require_shell

require_shell()
coming_soon("mugshots", issue=5, plan=[
    'synthetic faces whose labels follow a smile, not the face',
    "the 'accuracy' collapsing to chance on a balanced test set",
    'counterfactual pairs: the same face, smile toggled',
])
