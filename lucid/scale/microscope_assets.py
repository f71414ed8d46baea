"""The Microscope site's stylesheet and script, written once at its root (style.css, site.js).

The script adds, where JavaScript runs: tabs for the techniques (the one the URL's #fragment names first), the
layer grid built as it scrolls into view (a 1,280-unit layer requests only the images near the screen), the switch
between feature visualizations and dataset examples, the activation maps over dataset examples, the keys (<- / ->
previous / next unit, u the layer) and the search (its data from search.js, a script, since pages opened from
file:// cannot fetch).
"""

__all__ = [
    "STYLE",
    "SCRIPT",
]

STYLE = """
:root { --bg: #fbfbfa; --fg: #1d1f21; --muted: #6b7076; --line: #dfe1e3; --card: #fff; --accent: #2f6fdb;
  --bad: #b3261e; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16181b; --fg: #e6e6e3; --muted: #9aa0a6; --line: #30343a; --card: #1f2226; --accent: #7fb0ff;
    --bad: #ff8a80; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.45; overflow-wrap: anywhere; }
main { max-width: 1200px; margin: 0 auto; padding: 12px 16px 48px; }
header.bar { position: sticky; top: 0; z-index: 2; background: var(--bg); border-bottom: 1px solid var(--line); }
header.bar nav { max-width: 1200px; margin: 0 auto; padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 4px 14px;
  font-size: 14px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 26px; margin: 12px 0 4px; } h2 { font-size: 19px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 16px 0 6px; color: var(--muted); font-weight: 600; }
.note { color: var(--muted); font-size: 14px; } .failed { color: var(--bad); }
img { max-width: 100%; height: auto; }
.tabs { display: flex; flex-wrap: wrap; gap: 6px; margin: 12px 0; }
.tabs button, .switch button { font: inherit; font-size: 14px; padding: 5px 12px; border-radius: 16px;
  border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
.tabs button[aria-selected=true], .switch button[aria-pressed=true] { background: var(--accent); color: var(--bg);
  border-color: var(--accent); }
.js .panel[hidden] { display: none; }
.switch { margin: 8px 0 12px; } .cards + .cards { margin-top: 10px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.cards.small { grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 6px;
  font-size: 12px; }
figure img, figure svg { display: block; width: 100%; image-rendering: pixelated; border-radius: 3px; }
figcaption { margin-top: 4px; color: var(--muted); }
.example { position: relative; }
.example img.map { position: absolute; left: 6px; top: 6px; width: calc(100% - 12px); display: none; }
.maps-on .example img.map { display: block; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(88px, 1fr)); gap: 6px; }
.grid a { display: block; aspect-ratio: 1; background: var(--card); border: 1px solid var(--line); border-radius: 4px;
  font-size: 11px; color: var(--muted); padding: 2px; overflow: hidden; }
.grid a img { display: block; width: 100%; aspect-ratio: 1; object-fit: cover; }
.grid a.none { color: var(--bad); }
.circuit { display: grid; grid-template-columns: 56px 28px 1fr; gap: 6px; align-items: center; padding: 4px;
  border-bottom: 1px solid var(--line); font-size: 13px; }
.circuit img { width: 56px; height: 56px; } .circuit .heat { width: 28px; height: 28px; }
.circuit .thumb-none { width: 56px; height: 56px; border: 1px dashed var(--line); }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
.classes li { font-size: 14px; } .pos { color: #2e7d32; } .neg { color: #c62828; }
@media (prefers-color-scheme: dark) { .pos { color: #81c995; } .neg { color: #f28b82; } }
.diagram { max-width: 520px; width: 100%; height: auto; }
.diagram rect { fill: var(--card); stroke: var(--line); } .diagram a rect { stroke: var(--accent); }
.diagram text { fill: var(--fg); font-size: 13px; } .diagram text.sub { fill: var(--muted); font-size: 11px; }
.diagram line { stroke: var(--muted); }
form.search { display: flex; flex-wrap: wrap; gap: 6px; margin: 12px 0; }
form.search input { font: inherit; padding: 5px 8px; min-width: 0; flex: 1 1 200px; max-width: 360px;
  background: var(--card); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; }
form.search button { font: inherit; padding: 5px 12px; }
"""

SCRIPT = """
(function () {
  document.documentElement.classList.add('js');
  var root = document.body.getAttribute('data-root') || '';

  // Tabs: each .tabs button shows the .panel its data-panel names.
  document.querySelectorAll('.tabs').forEach(function (bar) {
    var buttons = bar.querySelectorAll('button');
    function show(chosen) {
      buttons.forEach(function (button) {
        var on = button === chosen;
        button.setAttribute('aria-selected', on ? 'true' : 'false');
        document.getElementById(button.getAttribute('data-panel')).hidden = !on;
      });
    }
    buttons.forEach(function (button) { button.addEventListener('click', function () { show(button); }); });
    var named = location.hash && bar.querySelector('button[data-panel="' + location.hash.slice(1) + '"]');
    if (buttons.length) { show(named || buttons[0]); }
  });

  // The layer grid: each link with data-v (its views' key) gets its image when it comes near the screen.
  var mode = 'v';
  function image(link) {
    var key = link.getAttribute('data-' + mode);
    var img = link.querySelector('img');
    if (!key) { if (img) { link.removeChild(img); } return; }
    if (!img) { img = document.createElement('img'); link.textContent = ''; link.appendChild(img); }
    img.alt = link.getAttribute('data-unit') + (mode === 'v' ? ' feature visualization' : ' top dataset example');
    img.src = root + 'units/' + key + (mode === 'v' ? '/thumb.jpg' : '/top-0.jpg');
  }
  var cells = Array.prototype.slice.call(document.querySelectorAll('.grid a[data-unit]'));
  var seen = new Set();
  var observer = 'IntersectionObserver' in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { seen.add(entry.target); image(entry.target); observer.unobserve(entry.target); }
    });
  }, {rootMargin: '200px'}) : null;
  // Cells on screen at load get their images at once, not at the observer's first report, which comes a frame
  // later (in a busy headless browser, sometimes not before a snapshot is taken); the observer has the rest.
  function onScreen(cell) {
    var box = cell.getBoundingClientRect();
    return box.bottom >= 0 && box.top <= window.innerHeight;
  }
  cells.forEach(function (cell) {
    if (!observer || onScreen(cell)) { seen.add(cell); image(cell); } else { observer.observe(cell); }
  });
  document.querySelectorAll('.switch button[data-mode]').forEach(function (button) {
    button.addEventListener('click', function () {
      mode = button.getAttribute('data-mode');
      document.querySelectorAll('.switch button[data-mode]').forEach(function (other) {
        other.setAttribute('aria-pressed', other === button ? 'true' : 'false');
      });
      seen.forEach(image);
    });
  });
  window.microscopeShowAll = function () { cells.forEach(function (cell) { seen.add(cell); image(cell); }); };

  // Activation maps over the dataset examples.
  document.querySelectorAll('button[data-maps]').forEach(function (button) {
    button.addEventListener('click', function () {
      var on = document.body.classList.toggle('maps-on');
      button.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
  });

  // Keys: <- / -> the previous / next unit, u the layer.
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || /INPUT|TEXTAREA/.test(event.target.tagName)) { return; }
    var rel = {ArrowLeft: 'prev', ArrowRight: 'next', u: 'up'}[event.key];
    var link = rel && document.querySelector('a[rel=' + rel + ']');
    if (link) { window.location.href = link.href; }
  });

  // Search: layer:unit, or a class name (any of the comma-separated names of its label).
  var form = document.getElementById('search');
  if (form && window.MICROSCOPE) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var data = window.MICROSCOPE;
      var wanted = document.getElementById('query').value.trim();
      var message = document.getElementById('search-message');
      var split = wanted.lastIndexOf(':');
      var layer = data.layers[wanted.slice(0, split)];
      if (split > 0 && layer && layer.units.indexOf(Number(wanted.slice(split + 1))) >= 0
          && /^[0-9]+$/.test(wanted.slice(split + 1))) {
        window.location.href = root + layer.dir + '/' + Number(wanted.slice(split + 1)) + '.html';
        return;
      }
      var lower = wanted.toLowerCase();
      for (var i = 0; i < data.classes.length; i++) {
        var names = data.classes[i][0].toLowerCase().split(',').map(function (name) { return name.trim(); });
        if (lower && (names.indexOf(lower) >= 0 || data.classes[i][0].toLowerCase() === lower)) {
          if (data.classes[i][1]) { window.location.href = root + data.classes[i][1]; }
          else { message.textContent = 'The class ' + data.classes[i][0] + ' has no page here (--classes).'; }
          return;
        }
      }
      message.textContent = 'Nothing named ' + wanted + '; type layer:unit (e.g. ' + data.example +
        ') or a class name.';
    });
  }
})();
"""
