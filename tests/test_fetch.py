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
