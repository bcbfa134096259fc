"""``ember.autograd.graph.to_html``: the page's data, and the page itself in a real browser.

The browser tests drive Debian's Chromium (``apt-get install chromium``) with Playwright for
Python (``pip install playwright``), pointed at the system binary with ``executable_path``
(``playwright install`` cannot download here). They skip, with the reason printed, only when
one of the two is missing. Screenshots go to ``tmp_path`` and, when ``EMBER_SCREENSHOT_DIR``
is set, are copied there too (that is how docs/img/graph_*.png are made).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest
from needs import unavailable
from oracle import run_example

import ember
import ember.nn as nn
import ember.profiler
from ember.autograd.graph import nodes_of, to_html
from ember.autograd.graph_html import page_data

CustomReLU = run_example("seed_custom_relu")[0]["CustomReLU"]  # the seed tutorial's, as written


def _relu_loss():
    x = ember.randn(5, requires_grad=True)
    return CustomReLU.apply(x).sum()


def _mlp():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(),
                         nn.Linear(32, 3))


def _mlp_step():
    """An MLP training step traced (gradient norms) and profiled (backward times)."""
    model = _mlp()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = ember.randn(16, 10), ember.randint(0, 3, (16,))
    with ember.autograd.trace(model) as tr:
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward(retain_graph=True)
    opt.step()
    return loss, model, tr


def _big_model(blocks=2500):
    return nn.Sequential(*[m for _ in range(blocks) for m in (nn.Linear(4, 4), nn.Tanh())])


# --------------------------------------------------------------------------- data
def test_custom_relu_data_lists_what_it_saved():
    loss = _relu_loss()
    d = page_data(loss)
    names = [n["name"] for n in d["nodes"]]
    assert names == ["SumBackward0", "CustomReLUBackward", "AccumulateGrad"]
    relu = d["nodes"][1]
    assert relu.get("custom") is True
    assert relu["saved"] == [{"i": 0, "desc": "float32[5]", "bytes": 20, "role": "input 0",
                              "shape": [5], "dtype": "float32"}]
    assert d["edges"] == [[0, 1, 0], [1, 2, 0]]
    assert d["nodes"][0]["kind"] == "root" and d["nodes"][2]["kind"] == "leaf"


def test_parameters_are_named_and_trace_gives_grad_norms():
    loss, model, tr = _mlp_step()
    d = page_data(tr, params=model)
    labels = {n.get("label") for n in d["nodes"] if n["kind"] == "leaf"}
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"} <= labels
    w0 = next(n for n in d["nodes"] if n.get("label") == "0.weight")
    assert w0["grad_norm"] == pytest.approx(float(model[0].weight.grad.norm()), rel=1e-5)
    root = next(n for n in d["nodes"] if n["kind"] == "root")
    assert root["name"] == "NllLossBackward0"
    assert root["grad_outputs"][0]["norm"] == pytest.approx(1.0)
    addmm = [n for n in d["nodes"] if n["name"] == "AddmmBackward0"]
    assert len(addmm) == 3 and all(n["module"] in ("0", "2", "4") for n in addmm)
    assert all(n["site"].startswith("test_graph_html.py:") for n in addmm)


def test_profile_gives_backward_time_per_node():
    model = _mlp()
    loss = model(ember.randn(4, 10)).pow(2).mean()
    with ember.profiler.profile() as prof:
        loss.backward(retain_graph=True)
    d = page_data(loss, params=model, profile=prof)
    timed = [n for n in d["nodes"] if "time_us" in n]
    assert {n["name"] for n in timed} >= {"MeanBackward0", "PowBackward0", "AddmmBackward0"}
    assert all(n["time_us"] >= 0 for n in timed)


def test_big_graph_collapses_repeated_blocks():
    model = _big_model()
    out = model(ember.randn(2, 4)).sum()
    d = page_data(out, params=model)
    assert len(d["nodes"]) == len(nodes_of(out)) == 10001
    assert d["collapse"] is True
    groups = {n.get("group") for n in d["nodes"]}
    assert len(groups - {None}) == 2500  # every Linear block (with its Tanh) is one box
    assert sum(1 for n in d["nodes"] if n.get("group") is None) == 1  # the final sum


def test_page_is_self_contained(tmp_path):
    path = tmp_path / "g.html"
    text = to_html(_relu_loss(), str(path))
    assert path.read_text(encoding="utf-8") == text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)  # nothing to fetch
    assert "<script src" not in text and "<link" not in text
    payload = text.split('<script id="data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(payload)["nodes"][1]["name"] == "CustomReLUBackward"


def test_script_end_tag_in_names_is_escaped():
    class Evil(CustomReLU):
        _node_name = "Evil</script>Backward"

    x = ember.randn(3, requires_grad=True)
    text = to_html(Evil.apply(x).sum())
    assert text.count("</script>") == 2  # the data's and the code's own closing tags


def test_errors():
    with pytest.raises(ValueError, match="has no backward graph"):
        to_html(ember.ones(2))
    with ember.autograd.trace() as tr:
        pass
    with pytest.raises(ValueError, match="recorded no backward"):
        to_html(tr)


# --------------------------------------------------------------------------- browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        msg = "Chromium is not installed (apt-get install chromium); browser tests skipped"
        print(msg)
        unavailable("BROWSER", msg)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        msg = "playwright is not installed (pip install playwright); browser tests skipped"
        print(msg)
        unavailable("BROWSER", msg)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1300, "height": 850})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("g.n")
    return page, errors, time.perf_counter() - t0


def _shot(page, tmp_path, name):
    out = tmp_path / f"graph_{name}.png"
    page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000  # a real picture, not a blank page
    dest = os.environ.get("EMBER_SCREENSHOT_DIR")
    if dest:
        os.makedirs(dest, exist_ok=True)
        shutil.copy(out, os.path.join(dest, out.name))
    return out


def test_browser_custom_relu(browser, tmp_path):
    path = tmp_path / "relu.html"
    to_html(_relu_loss(), str(path), title="seed CustomReLU")
    page, errors, _ = _open(browser, path)
    assert page.locator("g.n").count() == 3
    page.locator("g.n.custom").click()
    info = page.inner_text("#info")
    assert "CustomReLUBackward" in info and "custom Function" in info
    rows = page.locator("table.saved tr").all_inner_texts()
    assert any("float32[5]" in r and "20 B" in r and "input 0" in r for r in rows)
    _shot(page, tmp_path, "custom_relu")
    page.locator("a.go").first.click()  # follow the edge to the leaf
    assert "AccumulateGrad" in page.inner_text("#info h3")
    assert errors == []


def test_browser_mlp_training_step(browser, tmp_path):
    loss, model, tr = _mlp_step()
    path = tmp_path / "mlp.html"
    to_html(loss, str(path), params=model, trace=tr, title="MLP training step")
    page, errors, _ = _open(browser, path)
    assert page.locator("g.n").count() == len(nodes_of(loss))
    page.locator("g.n", has_text="AddmmBackward0").first.click()
    info = page.inner_text("#info")
    assert "Saved for backward" in info and "module" in info and "received [0]" in info
    rows = page.locator("table.saved tr").all_inner_texts()
    assert any("float32[16, 32]" in r for r in rows)  # the layer's input, kept for backward
    _shot(page, tmp_path, "mlp")
    page.fill("#search", "weight")
    assert page.inner_text("#found") == "3 found"
    page.press("#search", "Enter")
    assert "parameter" in page.inner_text("#info") and "weight" in page.inner_text("#info")
    assert errors == []


def test_browser_10000_nodes(browser, tmp_path):
    model = _big_model()
    out = model(ember.randn(2, 4)).sum()
    path = tmp_path / "big.html"
    to_html(out, str(path), params=model, title="10,001-node graph")
    page, errors, seconds = _open(browser, path)
    print(f"10,001-node page loaded and drawn in {seconds:.2f} s")  # reported, not asserted
    assert page.evaluate("emberGraph.nodes") == 10001
    assert page.evaluate("emberGraph.shown()") == 2501  # blocks collapsed
    page.locator("g.group").nth(3).click()  # open one block
    assert page.evaluate("emberGraph.shown()") == 2504
    assert "TanhBackward0" in page.inner_text("#info h3")  # the block's top node
    rows = page.locator("table.saved tr").all_inner_texts()
    assert any("float32[2, 4]" in r and "output 0" in r for r in rows)  # tanh keeps its output
    page.fill("#search", "4.weight")  # "4.weight", "14.weight", ... "4994.weight"
    page.press("#search", "Enter")
    assert "4.weight" in page.inner_text("#info")
    _shot(page, tmp_path, "10000_nodes")
    page.click("#expand")
    assert page.evaluate("emberGraph.shown()") == 10001
    assert errors == []
