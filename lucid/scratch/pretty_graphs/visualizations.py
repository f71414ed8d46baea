"""Model diagrams in notebooks: one model with hover tooltips, or two models side by side with lines between
corresponding nodes. Names and tooltip texts are escaped; tooltips are shown as text, never as markup."""

import json

import numpy as np

from lucid.misc.io.showing import _display_html
from lucid.scratch.pretty_graphs.format_graph import Fragment, FragmentContainer, complete_render_model_graph

_TOOLTIP_JS = """<script>
(function() {
  const container = document.querySelector(%s) || document.body;
  const tips = %s, attr = %s;
  const tip = document.createElement("div");
  tip.style.cssText = "position:fixed;display:none;background:#fff;border:1px solid #999;padding:4px 6px;" +
                      "font:12px sans-serif;pointer-events:none;z-index:1000;white-space:pre";
  document.body.appendChild(tip);
  container.querySelectorAll(%s).forEach(function(el) {
    const key = el.getAttribute(attr);
    el.addEventListener("mousemove", function(e) {
      tip.textContent = tips === null ? key : (tips[key] === undefined ? key : tips[key]);
      tip.style.left = (e.clientX + 12) + "px"; tip.style.top = (e.clientY + 12) + "px"; tip.style.display = "block";
    });
    el.addEventListener("mouseleave", function() { tip.style.display = "none"; });
  });
})();
</script>"""


def _js(value):
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _tooltip_script(node_selector, tooltip_key_attr, tooltips, container_selector):
    return _TOOLTIP_JS % (_js(container_selector), _js(tooltips), _js(tooltip_key_attr), _js(node_selector))


def display_tooltips_name(node_selector, tooltip_key_attr, container_selector="#output-body"):
    """Show each element matching `node_selector` (inside `container_selector`, else the page) with its
    `tooltip_key_attr` attribute (e.g. the node name) as a tooltip on hover."""
    _display_html(_tooltip_script(node_selector, tooltip_key_attr, None, container_selector))


def display_tooltips(node_selector, tooltip_key_attr, tooltips, container_selector="#output-body"):
    """Like display_tooltips_name, the tooltip being `tooltips[key]` (text) for the element's attribute `key`."""
    _display_html(_tooltip_script(node_selector, tooltip_key_attr, dict(tooltips), container_selector))


def display_model(model, tooltips=None):
    """Draw `model`'s graph; hovering a node shows `tooltips[node name]` (text), or its name without tooltips."""
    svg = complete_render_model_graph(model).svg()
    script = _tooltip_script("g.node", "data-name", None if tooltips is None else dict(tooltips), None)
    _display_html(svg + script)


def get_box(render, name):
    """The (x0, y0, x1, y1) box of node `name` in a rendered graph (a FragmentContainer)."""
    for fragment in render.fragments():
        if fragment.node == name:
            return fragment.box()
    raise KeyError("No node %r in this drawing." % (name,))


def p(point, dy=0):
    """An SVG coordinate pair "x,y" for `point`, moved down by `dy`."""
    return "%g,%g" % (point[0], point[1] + dy)


def model_align_display(model1, model2, lines, middle_sep=150):
    """Draw two models side by side, `middle_sep` pixels apart, with a line for each (name1, name2) in `lines`
    from the node of model1 to the node of model2."""
    left = complete_render_model_graph(model1)
    right = complete_render_model_graph(model2).shift((left.shape[0] + middle_sep, 0))
    paths = []
    for name1, name2 in lines:
        x0, y0, x1, y1 = get_box(left, name1)
        u0, v0, u1, v1 = get_box(right, name2)
        start, end = (x1, (y0 + y1) / 2), (u0, (v0 + v1) / 2)
        middle = (start[0] + end[0]) / 2
        d = "M %s C %s %s %s" % (p(start), p((middle, start[1])), p((middle, end[1])), p(end))
        paths.append(Fragment('<path d="%s" fill="none" stroke="#e07" stroke-opacity="0.6"/>' % d, (0, 0), None))
    shape = (left.shape[0] + middle_sep + right.shape[0], np.maximum(left.shape[1], right.shape[1]))
    _display_html(FragmentContainer([left, right] + paths, shape).svg())


def vpad(space):
    """Vertical space of `space` pixels in the notebook output."""
    _display_html('<div style="height:%dpx"></div>' % int(space))
