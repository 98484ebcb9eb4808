"""Models the demos share, each built from a frozen config.

:class:`SmallCNN` is the lab's workhorse: small enough to train live on two CPU
cores in seconds, big enough to reach ~88-90 % on Fashion-MNIST. It is written so
every explanation method in captum works on it: activations are separate,
non-inplace ``nn.ReLU`` modules (LRP and Grad-CAM hook them) and flattening is
``torch.flatten`` inside ``forward`` (captum's LRP refuses an ``nn.Flatten`` module).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class CNNConfig:
    """Shape of a :class:`SmallCNN`.

    Attributes:
        in_channels: 1 for greyscale (Fashion-MNIST), 3 for colour (CIFAR-10, faces).
        num_classes: number of output logits.
        image_size: input height = width in pixels; must be divisible by 4 (two 2x2 pools).
        widths: channels of the two conv blocks; (16, 32) trains in seconds on 2 cores.
        hidden: units of the dense layer before the classifier; 64 is plenty for 10 classes.
        dropout: dropout before the classifier; 0 keeps the live demo deterministic and fast.
        batch_norm: a BatchNorm2d after each convolution (Ioffe & Szegedy 2015). It lets a
            small net reach a given accuracy in fewer epochs (the adversarial demo's preset needs
            it for 88 % in under 20 s); off by default, so the other demos' models are unchanged.
    """

    in_channels: int = 1
    num_classes: int = 10
    image_size: int = 28
    widths: tuple[int, int] = (16, 32)
    hidden: int = 64
    dropout: float = 0.0
    batch_norm: bool = False

    def __post_init__(self) -> None:
        if self.image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {self.image_size}")

    def describe(self) -> str:
        """Short name for provenance, e.g. ``SmallCNN(16,32,h64)`` or ``SmallCNN(16,32,h128,BN)``."""
        return f"SmallCNN({self.widths[0]},{self.widths[1]},h{self.hidden}{',BN' if self.batch_norm else ''})"


class SmallCNN(nn.Module):
    """conv-[batchnorm]-relu-pool x2 -> dense-relu -> logits.

    Input ``(N, C, H, W)`` in ``[0, 1]``; output logits ``(N, num_classes)``.
    """

    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        self.config = config
        c1, c2 = config.widths
        self.conv1 = nn.Conv2d(config.in_channels, c1, kernel_size=3, padding=1)
        # None when off (not nn.Identity, which captum's LRP has no rule for). BatchNorm draws no
        # random numbers, so the seeded weights of the other layers are the same either way.
        self.norm1 = nn.BatchNorm2d(c1) if config.batch_norm else None
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.norm2 = nn.BatchNorm2d(c2) if config.batch_norm else None
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        flat = c2 * (config.image_size // 4) ** 2
        self.fc1 = nn.Linear(flat, config.hidden)
        self.relu3 = nn.ReLU()
        self.dropout = nn.Dropout(config.dropout)
        self.fc2 = nn.Linear(config.hidden, config.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = self.pool1(self.relu1(self.norm1(x) if self.norm1 is not None else x))
        x = self.conv2(x)
        x = self.pool2(self.relu2(self.norm2(x) if self.norm2 is not None else x))
        x = torch.flatten(x, 1)  # not nn.Flatten: captum's LRP cannot handle that module
        return self.fc2(self.dropout(self.relu3(self.fc1(x))))

    @property
    def last_conv(self) -> nn.Module:
        """The layer Grad-CAM looks at."""
        return self.conv2


class MLP(nn.Module):
    """784 pixels -> ``hidden`` ReLU units -> 10 logits: the lab's one-hidden-layer perceptron.

    No convolution (so no ``last_conv``: Grad-CAM cannot explain it), no dropout or batch normalisation (train and
    eval mode compute the same). Zhang et al.'s "MLP 1x512" when ``hidden`` = 512.
    """

    def __init__(self, hidden: int, pixels: int = 28 * 28, classes: int = 10) -> None:
        super().__init__()
        self.hidden_size = hidden
        self.fc1 = nn.Linear(pixels, hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.relu(self.fc1(torch.flatten(x, 1))))  # torch.flatten: captum's LRP refuses nn.Flatten

    def describe(self) -> str:
        return f"MLP(784-{self.hidden_size}-10)"


def build_cnn(config: CNNConfig, seed: int = 0) -> SmallCNN:
    """A freshly initialised :class:`SmallCNN`; the same seed gives the same weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SmallCNN(config)


def forward_macs(model: nn.Module, example: torch.Tensor) -> int:
    """Multiply-accumulates of one forward pass over ``example`` (N, C, H, W), per image.

    Counts the layers that do almost all the arithmetic: a convolution costs one MAC
    per output value per weight in its kernel window (``C_in/groups x kH x kW``), a
    dense layer ``in x out`` per image. Activations, pooling and biases are ignored
    (a few per cent). Training costs about 3 forward passes per image (forward,
    plus a backward pass of twice the work), i.e. ``6 x MACs`` FLOPs — the same
    rule of thumb as "6 N D" for transformers (Kaplan et al. 2020).
    """
    total = 0

    def count(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            window = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            total += output[0].numel() * window
        elif isinstance(module, nn.Linear):
            total += module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            model(example[:1])
    finally:
        for hook in hooks:
            hook.remove()
    return total
