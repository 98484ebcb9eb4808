"""Data sources: the shipped split, the IDX reader, and the optional on-disk paths
exercised on tiny files written here in the real formats."""

import gzip
import hashlib
import pickle
import struct

import numpy as np
import pytest
import torch

from core import data


def write_idx(path, array: np.ndarray, gz=False):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    (gzip.open if gz else open)(path, "wb").write(payload)


def test_shipped_fashion_mnist_is_the_full_test_split():
    ds = data.fashion_mnist_10k()
    assert ds.images.shape == (10000, 1, 28, 28) and ds.images.dtype == torch.float32
    assert 0.0 == float(ds.images.min()) and float(ds.images.max()) == 1.0
    assert torch.bincount(ds.labels).tolist() == [1000] * 10  # the official test split is balanced
    assert ds.classes[9] == "Ankle boot" and "MIT" in ds.info.licence


def test_split_is_reproducible_disjoint_and_complete():
    ds = data.digits()
    a_train, a_test = data.train_test_split(ds, 0.25, seed=1)
    b_train, b_test = data.train_test_split(ds, 0.25, seed=1)
    c_train, _ = data.train_test_split(ds, 0.25, seed=2)
    assert torch.equal(a_train.images, b_train.images) and torch.equal(a_test.labels, b_test.labels)
    assert not torch.equal(a_train.labels, c_train.labels)
    assert len(a_train) + len(a_test) == len(ds) and len(a_test) == round(0.25 * len(ds))


def test_digits_are_scaled_to_unit_range():
    ds = data.digits()
    assert ds.images.shape[1:] == (1, 8, 8) and float(ds.images.max()) == 1.0 and len(ds.classes) == 10


def test_read_idx_roundtrip_and_rejects_bad_files(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a-idx3-ubyte.gz", arr, gz=True)
    assert np.array_equal(data.read_idx(tmp_path / "a-idx3-ubyte.gz"), arr)
    (tmp_path / "bad").write_bytes(b"PNG not idx")
    with pytest.raises(ValueError, match="not an unsigned-byte IDX"):
        data.read_idx(tmp_path / "bad")
    write_idx(tmp_path / "short", arr)
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-5])
    with pytest.raises(ValueError, match="header says"):
        data.read_idx(tmp_path / "short")


def test_full_fashion_mnist_read_by_torchvision_from_its_on_disk_layout(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 6), ("t10k", 4)):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    train = data.fashion_mnist_full(train=True, root=tmp_path)
    test = data.fashion_mnist_full(train=False, root=tmp_path)
    assert train.images.shape == (6, 1, 28, 28) and test.labels.tolist() == [0, 1, 2, 3]
    assert any(s.available and s.info.key == "fashion_mnist_full" for s in data.source_status(tmp_path))


def _write_cifar(root, n=5):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    files = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "labels": list(range(n))}
        payload = pickle.dumps(batch)
        (folder / name).write_bytes(payload)
        files[name] = hashlib.md5(payload).hexdigest()
    meta = pickle.dumps({"label_names": list(data.CIFAR10_CLASSES)})
    (folder / "batches.meta").write_bytes(meta)
    files["batches.meta"] = hashlib.md5(meta).hexdigest()
    return files


def test_cifar10_read_by_torchvision_with_download_false(tmp_path, monkeypatch):
    from core.torchvision_compat import torchvision

    md5 = _write_cifar(tmp_path)
    # torchvision checks each file against the real CIFAR-10 md5s; point it at our tiny files'.
    cls = torchvision.datasets.CIFAR10
    monkeypatch.setattr(cls, "train_list", [[f"data_batch_{i}", md5[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(cls, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(cls, "meta", {"filename": "batches.meta", "key": "label_names", "md5": md5["batches.meta"]})
    train = data.cifar10(train=True, root=tmp_path)
    assert train.images.shape == (25, 3, 32, 32) and train.classes[7] == "horse"
    assert data.cifar10(train=False, root=tmp_path).labels.tolist() == [0, 1, 2, 3, 4]


def test_corrupted_cifar10_and_missing_datasets_say_what_to_do(tmp_path):
    with pytest.raises(data.DatasetUnavailable, match="core.fetch cifar10"):
        data.cifar10(root=tmp_path)
    _write_cifar(tmp_path)  # md5s do not match the real ones: torchvision calls it corrupted
    with pytest.raises(data.DatasetUnavailable, match="corrupted"):
        data.cifar10(root=tmp_path)
    status = {s.info.key: s.available for s in data.source_status(tmp_path / "empty")}
    assert status["fashion_mnist_10k"] and status["digits"] and not status["cifar10"]


def test_uint8_storage_hands_out_the_floats_of_converting_once_on_load():
    # Before issue #14 the shipped set was held as float32 (x / 255 once, on load); now it is held as
    # uint8 (a quarter of the memory) and converted when handed out. The floats must be the same bits,
    # whole or per batch, or every accuracy on screen would move.
    ds = data.fashion_mnist_10k()
    raw = data.read_idx(data.ASSETS / "fashion_mnist" / "t10k-images-idx3-ubyte.gz")
    as_before = torch.from_numpy(raw.copy()).float().div_(255.0).unsqueeze(1)
    assert ds.pixels.dtype == torch.uint8 and ds.pixels.untyped_storage().nbytes() == 10000 * 28 * 28
    assert torch.equal(ds.images, as_before)
    train, _ = data.train_test_split(ds, 0.2, seed=0)
    order = torch.randperm(len(ds), generator=torch.Generator().manual_seed(0))
    assert train.pixels.dtype == torch.uint8 and torch.equal(train.images, as_before[order[2000:]])
    batch = torch.tensor([5, 0, 7999, 42])
    x, y = train.batch(batch)
    assert x.dtype == torch.float32 and torch.equal(x, train.images[batch]) and torch.equal(y, train.labels[batch])


def test_float_storage_is_handed_out_as_is_and_other_dtypes_are_refused():
    floats = torch.rand(3, 1, 4, 4)
    ds = data.ImageDataset(floats, torch.tensor([0, 1, 0]), ("a", "b"), data.DIGITS_INFO)
    assert ds.images is floats and torch.equal(ds.batch(slice(1, 3))[0], floats[1:3])
    with pytest.raises(ValueError, match="uint8"):
        data.ImageDataset(
            torch.zeros(3, 1, 4, 4, dtype=torch.int64), torch.tensor([0, 1, 0]), ("a", "b"), data.DIGITS_INFO
        )


def test_training_on_uint8_storage_gives_the_numbers_of_float_storage():
    # Same seed, same numbers: a model trained on the uint8-stored split and one trained on the same
    # split held as float32 (as before issue #14) end with identical weights and accuracy.
    from core.models import CNNConfig, build_cnn
    from core.training import TrainConfig, fit

    train, test = data.train_test_split(data.fashion_mnist_10k().subset(slice(0, 640)), 0.25, seed=0)
    as_floats = [data.ImageDataset(d.images, d.labels, d.classes, d.info) for d in (train, test)]
    config, results = TrainConfig(epochs=1, batch_size=64, seed=0), []
    for tr, te in ((train, test), as_floats):
        results.append(fit(build_cnn(CNNConfig(widths=(4, 8), hidden=16), seed=0), tr, te, config, demo="t", label="t"))
    uint8_run, float_run = results
    assert train.pixels.dtype == torch.uint8 and as_floats[0].pixels.dtype == torch.float32
    assert uint8_run.test_accuracy == float_run.test_accuracy
    for a, b in zip(uint8_run.model.state_dict().values(), float_run.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
