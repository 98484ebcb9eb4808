"""Placeholder page until issue #3 lands its demo."""
from ui.shell import coming_soon, require_shell

require_shell()
coming_soon("word_embeddings", issue=3, plan=[
    'Analogies (3CosAdd/3CosMul) with the excluded input words shown',
    'the gender direction and professions projected on it',
    "WEAT 1–10 with effect sizes and permutation p-values beside the paper's",
    "hard debiasing and the 'lipstick on a pig' critique",
])
