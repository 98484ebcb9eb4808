"""The adversarial page, driven as a user would (AppTest): nothing trains on open, then every tab after one training."""
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import adversarial as adv
from core.data import fashion_mnist_10k, train_test_split
from tests.test_pages import APP, assert_clean

K = "adversarial."


def open_tab(tab: str, **query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params[K + "tab"] = tab
    for name, value in query.items():
        app.query_params[K + name] = value
    app.switch_page("pages/adversarial.py")
    app.run()
    assert_clean(app)
    return app


def button(app: AppTest, text: str):
    return next(b for b in app.button if text in b.label)


@pytest.fixture(scope="module")
def trained():
    """The page's model trained once, on a small split so the module stays fast (~5 s)."""
    train, test = train_test_split(fashion_mnist_10k(), 0.2, 0)
    mp = pytest.MonkeyPatch()
    mp.setattr(adv, "load_split", lambda seed: (train.subset(slice(0, 1500)), test.subset(slice(0, 300))))
    app = open_tab("Single image")
    button(app, "Train").click().run()
    assert_clean(app)
    yield app
    mp.undo()
    # Forget the model trained on the small split: later tests in this process (test_pages.py) expect a page
    # with no trained model, as a fresh server has.
    st.cache_resource.clear()
    st.cache_data.clear()


def test_opening_the_page_trains_nothing():
    app = open_tab("Single image", seed="12345")  # a seed nobody trained
    assert any("Train" in b.label for b in app.button)
    assert not [c for c in app.caption if "clean test accuracy" in c.value]


def test_imagenet_tab_offline_says_how_to_get_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    app = open_tab("ImageNet photo")
    assert any("python -m core.fetch resnet18" in i.value for i in app.info)


def test_training_shows_accuracy_energy_and_the_single_image_attack(trained):
    caption = next(c.value for c in trained.caption if "clean test accuracy" in c.value)
    assert "energy" in caption and "Train (" not in " ".join(b.label for b in trained.button)
    assert len(trained.get("plotly_chart")) == 2  # images + top-5
    linf = float(next(m.value for m in trained.metric if m.label.startswith("L∞")))
    assert 0 < linf <= 0.1 + 1e-6


def test_presets_set_the_attack_without_typing(trained):
    button(trained, "Targeted PGD").click().run()
    assert_clean(trained)
    assert trained.selectbox(key=K + "attack").value == "PGD, targeted"
    button(trained, "Goodfellow").click().run()
    assert trained.slider(key=K + "eps").value == 0.25
    assert float(next(m.value for m in trained.metric if m.label.startswith("L∞"))) <= 0.25 + 1e-6
    assert any("Show the code" in e.label for e in trained.expander)


def test_curves_with_noise_control_and_the_defence_button(trained):
    app = open_tab("Curves & defence")
    button(app, "Compute the curves").click().run()
    assert_clean(app)
    spec = app.get("plotly_chart")[0].proto.spec
    assert "random ±ε noise (control)" in spec and "Goodfellow" in spec
    assert any("Train the defence" in b.label for b in app.button)


@pytest.mark.parametrize("tab, expected", [("One pixel", "queries"), ("Black box", "queries"),
                                           ("Universal", None), ("Patch", None)])
def test_every_attack_tab_runs_from_its_preset(trained, tab, expected):
    app = open_tab(tab)
    assert app.get("plotly_chart"), tab
    if expected:
        assert any(expected in m.value for m in [*app.success, *app.warning])
    else:
        assert any("random" in m.label for m in app.metric)


def test_bad_link_values_do_not_crash():
    open_tab("Single image", eps="abc", attack="nonsense", target="Spaceship")


def test_imagenet_tab_with_weights_attacks_a_bundled_photo(monkeypatch, tmp_path):
    """Random-init weights written in torch's cache layout stand in for the real file (no download)."""
    import torch

    from core import fetch
    from core.torchvision_compat import torchvision
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    path = tmp_path / "hub" / "checkpoints" / fetch.RESNET18_FILE
    path.parent.mkdir(parents=True)
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    try:
        app = open_tab("ImageNet photo", imagenet_eps="4")
        assert len(app.get("plotly_chart")) == 2
        linf = float(next(m.value for m in app.metric if m.label.startswith("L∞")))
        assert 0 < linf <= round(4 / 255, 3)  # shown to 3 digits: 4/255 = 0.0157 reads 0.016
    finally:
        st.cache_resource.clear()  # the next test must not find this stand-in model
