"""lucid.scratch.web.observable: the embedding HTML (its runtime loads in the browser, not in the test)."""

import pytest

from lucid.scratch.web import observable


def test_observable_html_loads_the_notebook_module_with_cells_and_data(monkeypatch):
    shown = []
    monkeypatch.setattr(observable, "_display_html", shown.append)
    observable.renderObservable("https://observablehq.com/@lucid/atlas", cells=["chart"], data={"n": "</script>"})
    html = shown[0]
    assert 'import define from "https://api.observablehq.com/@lucid/atlas.js?v=3"' in html
    assert 'const cells = ["chart"]' in html and "module.redefine(name, value)" in html
    assert html.count("</script>") == 1  # the data's "</script>" cannot end the script early
    assert "\\u003c/script\\u003e" in html


def test_bad_urls_and_arguments_raise():
    with pytest.raises(ValueError, match="observablehq.com"):
        observable.module_url("http://example.com/x")
    with pytest.raises(ValueError, match="notebook such as"):
        observable.module_url("../x")
    with pytest.raises(TypeError, match="list of cell names"):
        observable.observable_html("https://observablehq.com/@a/b", cells="chart")
    with pytest.raises(TypeError, match="dict"):
        observable.observable_html("https://observablehq.com/@a/b", data=[1])


def test_the_originals_notebook_form(monkeypatch):
    shown = []
    monkeypatch.setattr(observable, "_display_html", shown.append)
    observable.renderObservable("@observablehq/downloading-and-embedding-notebooks", cells=["viewof stage"])
    html = shown[0]
    assert 'href="https://observablehq.com/@observablehq/downloading-and-embedding-notebooks"' in html
    assert '"https://api.observablehq.com/@observablehq/downloading-and-embedding-notebooks.js?v=3"' in html
    assert observable.module_url("d/1234abcd") == "https://api.observablehq.com/d/1234abcd.js?v=3"
    with pytest.raises(ValueError, match="notebook such as"):
        observable.module_url('@a/b"</script>')
