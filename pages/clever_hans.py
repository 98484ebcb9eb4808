"""Placeholder page until issue #5 lands its demo."""
from ui.shell import coming_soon, require_shell

require_shell()
coming_soon("clever_hans", issue=5, plan=[
    'a classifier trained live on images with a source tag in one class',
    'Saliency, Integrated Gradients, Grad-CAM and LRP heatmaps',
    'tag removal and pasting experiments',
])
