"""Model diagrams in notebooks: one model (with hover tooltips added by display_tooltips), or two models one above
the other with weighted lines between corresponding nodes. Names and tooltip texts are escaped and tooltips are
shown as text, never as markup; the scripts are plain JavaScript (nothing is fetched)."""

import html
import json

from lucid.misc.io import load, show  # noqa: F401  (names the original offers here)
from lucid.misc.io.showing import _display_html
from lucid.scratch.pretty_graphs.format_graph import complete_render_model_graph

_STYLE = """<style>
  .node, .background { fill: hsla(213, 80%, 85%, 1); }
  .node:hover, .background:hover { fill: hsla(213, 60%, 70%, 1); }
  .background { opacity: 0.7; }
  .comparison-edge { fill: none; stroke-linecap: round; transition: opacity 0.2s; }
  .tooltip { position: absolute; background: #F8F8FA; padding: 6px; border-radius: 4px; pointer-events: none;
             transition: opacity 0.2s, left 0.2s, top 0.2s; }
</style>"""

# Shows, under each element matching the selector, the tooltip for its `attr` attribute (text) while hovered.
_TOOLTIP_JS = """<script>
(function() {
  const container = document.querySelector(%s) || document.body;
  const tips = %s, attr = %s;
  const tip = document.createElement("div");
  tip.className = "tooltip";
  tip.style.opacity = "0";
  container.appendChild(tip);
  document.querySelectorAll(%s).forEach(function(el) {
    el.addEventListener("mouseover", function() {
      const key = el.getAttribute(attr);
      if (tips !== null && !(key in tips)) return;
      const outer = container.getBoundingClientRect(), box = el.getBoundingClientRect();
      tip.textContent = tips === null ? key : tips[key];
      tip.style.left = (box.x + 4 - outer.x) + "px";
      tip.style.top = (box.y + box.height + 12 - outer.y) + "px";
      tip.style.opacity = "1";
    });
    el.addEventListener("mouseout", function() { tip.style.opacity = "0"; });
  });
})();
</script>"""

# While a node of one model is hovered, only the comparison lines from (or to) it are shown.
_ALIGN_JS = """<script>
(function() {
  const edges = document.querySelectorAll(".comparison-edge");
  function follow(selector, end) {
    document.querySelectorAll(selector).forEach(function(el) {
      el.addEventListener("mouseover", function() {
        const name = el.getAttribute("data-tf-name") || el.getAttribute("data-group-tf-name");
        edges.forEach(function(edge) { edge.style.opacity = edge.getAttribute(end) === name ? 1 : 0; });
      });
      el.addEventListener("mouseout", function() { edges.forEach(function(edge) { edge.style.opacity = 1; }); });
    });
  }
  follow("#compare-top .node, #compare-top .background", "data-tf-src");
  follow("#compare-bottom .node, #compare-bottom .background", "data-tf-dest");
})();
</script>"""


def _js(value):
    """`value` as a JavaScript literal that cannot end the <script> element it is put in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def display_model(model, tooltips=None):
    """Draw `model`'s graph (see complete_render_model_graph). `tooltips` is accepted, as in the original, and not
    used: add tooltips with display_tooltips."""
    render = complete_render_model_graph(model)
    _display_html(
        '%s\n<div style="width: %spx; height: %spx; position: relative" id="container">\n'
        '<svg width="100%%" height="100%%" style="position: absolute; top: 0px; left:0px;">\n'
        '<g transform="translate(0, 0)" class="model">\n%s\n</g>\n</svg>\n</div>'
        % (_STYLE, render["shape"][0] + 200, render["shape"][1] + 40, render["svg_inner"])
    )


def display_tooltips_name(node_selector, tooltip_key_attr, container_selector="#output-body"):
    """While an element matching `node_selector` is hovered, show its `tooltip_key_attr` attribute (e.g.
    "data-tf-name") under it, inside `container_selector` (else the page)."""
    _display_html(_TOOLTIP_JS % (_js(container_selector), _js(None), _js(tooltip_key_attr), _js(node_selector)))


def display_tooltips(node_selector, tooltip_key_attr, tooltips, container_selector="#output-body"):
    """Like display_tooltips_name, showing `tooltips[key]` (text) for an element whose attribute is `key`, and
    nothing for the elements whose key is not in `tooltips`."""
    _display_html(
        _TOOLTIP_JS % (_js(container_selector), _js(dict(tooltips)), _js(tooltip_key_attr), _js(node_selector))
    )


def get_box(render, name):
    """The box [[x0, x1], [y0, y1]] of the node named `name` in `render` (from complete_render_model_graph)."""
    for node, box in render["node_boxes"].items():
        if node.name == name:
            return box
    raise KeyError("No node %r in this drawing." % (name,))


def p(point, dy=0):
    """An SVG coordinate pair "x,y" for `point`, moved down by `dy`."""
    return "%s,%s" % (point[0], point[1] + dy)


def model_align_display(model1, model2, lines, middle_sep=150):
    """Draw `model1` above `model2`, `middle_sep` pixels apart, with a line for each {(name1, name2): weight} in
    `lines` from node name1 of model1 to node name2 of model2, its colour, opacity and width growing with weight
    (in [0, 1]). Hovering a node shows only its lines."""
    render1, render2 = complete_render_model_graph(model1), complete_render_model_graph(model2)
    shape1, shape2 = render1["shape"], render2["shape"]
    width = max(shape1[0], shape2[0]) + 20
    height = shape1[1] + middle_sep + shape2[1] + 20
    paths = []
    for (name1, name2), weight in lines.items():
        box1, box2 = get_box(render1, name1), get_box(render2, name2)
        start = [(box1[0][0] + box1[0][1]) / 2.0, shape1[1] + 15 + 10]
        end = [(box2[0][0] + box2[0][1]) / 2.0, shape1[1] + middle_sep - 10]
        d = "M %s C %s %s %s" % (p(start), p(start, dy=50), p(end, dy=-50), p(end))
        style = "stroke: hsla(20, %s%%, 70%%, %s%%); stroke-width: %spx; " % (
            100 * (0.5 + weight / 2.0),
            100 * weight,
            3 * weight,
        )
        info = 'data-tf-src="%s" data-tf-dest="%s" class="comparison-edge" ' % (html.escape(name1), html.escape(name2))
        paths.append('<path d="%s" style="%s" %s ></path>' % (d, style, info))
    _display_html(
        '%s\n<svg width=%s height=%s>\n<g transform="translate(0, 0)" id="compare-top" class="model">\n%s\n</g>\n'
        '<g>\n%s\n</g>\n<g transform="translate(0, %s)" id="compare-bottom" class="model">\n%s\n</g>\n</svg>\n%s'
        % (
            _STYLE,
            width,
            height,
            render1["svg_inner"],
            "\n".join(paths),
            shape1[1] + middle_sep,
            render2["svg_inner"],
            _ALIGN_JS,
        )
    )


def vpad(space):
    """Vertical space of `space` pixels in the notebook output."""
    _display_html('<div style="width:20px; height: %spx"></div>' % html.escape(str(space)))
