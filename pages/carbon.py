"""Placeholder page until issue #6 lands its demo."""
from ui.shell import coming_soon, require_shell

require_shell()
coming_soon("carbon", issue=6, plan=[
    'a live training run with power and energy charts',
    'the ledger of every run in the lab',
    'our runs beside Strubell et al. 2019 and other published figures',
])
