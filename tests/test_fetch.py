"""Optional downloads fail fast and clearly offline (the network is blocked in tests)."""

import time

import pytest

from core import fetch


def test_offline_fetch_fails_fast_with_a_clear_message(capsys):
    t0 = time.perf_counter()
    assert fetch.main(["cifar10"]) == 1
    assert time.perf_counter() - t0 < 5
    err = capsys.readouterr().err
    assert "offline" in err and "www.cs.toronto.edu" in err


def test_unknown_target_and_usage(capsys):
    with pytest.raises(fetch.FetchError, match="choose one of"):
        fetch.fetch("imagenet-full")
    assert fetch.main([]) == 2


def test_weights_status_follows_the_torch_cache_layout(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert fetch.resnet18_weights_status()[0] is False
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / fetch.RESNET18_FILE).write_bytes(b"weights")
    found, detail = fetch.resnet18_weights_status()
    assert found and str(checkpoints) in detail


def test_checkpoint_dir_matches_torch_hub(monkeypatch, tmp_path):
    import torch

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert str(fetch.torch_checkpoint_dir()) == torch.hub.get_dir() + "/checkpoints"
