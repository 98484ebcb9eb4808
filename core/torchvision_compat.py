"""Import torchvision on a CPU-only torch, where its compiled ops are missing.

The only torchvision matching torch 2.13.0 is 0.28.0, whose C++ extension does not
load against the CPU wheel: ``import torchvision`` then fails with
``RuntimeError: operator torchvision::nms does not exist``, because its Python code
registers fake (meta) kernels for ``nms``/``qnms`` whose schemas were never defined.

We define those two schemas ourselves and import again. Everything pure-Python then
works (models, transforms, datasets, utils). ``torchvision.ops`` and
``torchvision.io`` stay unusable (their kernels are C++): the lab never uses them
and decodes images with Pillow.

Always import torchvision through here::

    from core.torchvision_compat import torchvision
"""

from __future__ import annotations

import sys

import torch

_SCHEMAS = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}
_LIBRARY = None  # kept alive: the schemas vanish if the Library object is collected


def _define_missing_schemas() -> None:
    global _LIBRARY
    _LIBRARY = torch.library.Library("torchvision", "FRAGMENT")
    for name, schema in _SCHEMAS.items():
        if not _schema_exists(name):
            _LIBRARY.define(schema)


def _schema_exists(name: str) -> bool:
    # Returns None (rather than raising) when the operator is unknown.
    return torch._C._get_operation_overload(f"torchvision::{name}", "") is not None


def _import_torchvision():
    try:
        import torchvision as tv

        return tv
    except RuntimeError as err:
        if "torchvision::nms" not in str(err) and "torchvision::qnms" not in str(err):
            raise
    # Drop the half-imported modules, define the schemas, import again.
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    _define_missing_schemas()
    import torchvision as tv

    return tv


torchvision = _import_torchvision()
