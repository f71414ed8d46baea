"""Browse a Microscope site in headless Chromium with every outside request refused: each page's heading, links,
images (all made to load, in both modes of a layer grid), injected elements and width; searches and key presses."""

import html
import json
import os
import subprocess

from chromium import chromium_or_skip

_PROBE = """<!DOCTYPE html><html><body style='margin:0'><pre id='out'>waiting</pre><script>
const plan = %s;
function load(frame, url) {
  return new Promise(resolve => { frame.onload = () => resolve(frame.contentDocument); frame.src = url; });
}
function navigation(frame, act) {
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve('no navigation'), 5000);
    frame.onload = () => { clearTimeout(timer); resolve(frame.contentWindow.location.href); };
    act();
  });
}
async function settle(doc) {
  if (doc.defaultView.microscopeShowAll) { doc.defaultView.microscopeShowAll(); }
  const images = [...doc.images];
  images.forEach(image => { image.loading = 'eager'; });
  await Promise.all(images.map(image => image.complete ? null : new Promise(done => {
    image.addEventListener('load', done); image.addEventListener('error', done); })));
  return images.filter(image => !(image.complete && image.naturalWidth > 0)).map(image => image.src);
}
function linkOf(doc, a) {
  const href = a.getAttribute('href');
  const circuit = a.closest('.circuit');
  return {href: new URL(href, doc.baseURI).href, raw: href, rel: a.getAttribute('rel'),
          text: (a.querySelector('text') || a).textContent.trim(), svg: !!a.closest('svg'),
          grid: !!a.closest('.grid'), circuit: circuit ? circuit.querySelector('.label').textContent : null,
          panel: a.closest('section') ? a.closest('section').id : null, unit: a.getAttribute('data-unit')};
}
async function inspect(frame, url) {
  const doc = await load(frame, url);
  let broken = await settle(doc);
  const other = doc.querySelector('.switch button[data-mode=e]');
  if (other) { other.click(); broken = broken.concat(await settle(doc));
               doc.querySelector('.switch button[data-mode=v]').click(); await settle(doc); }
  const images = [...doc.images];
  return {url: frame.contentWindow.location.href, title: doc.title,
          h1: doc.querySelector('h1') ? doc.querySelector('h1').textContent : null,
          text: doc.querySelector('main').textContent, images: images.length, broken: broken,
          noAlt: images.filter(image => !image.getAttribute('alt')).map(image => image.src),
          injected: doc.querySelectorAll('[onerror], [onload], script:not([src])').length,
          links: [...doc.querySelectorAll('a[href]')].map(a => linkOf(doc, a)),
          circuits: [...doc.querySelectorAll('.circuit')].map(row => ({label: row.querySelector('.label').textContent,
            linked: !!row.querySelector('a'), panel: row.closest('section').id})),
          gridImages: doc.querySelectorAll('.grid img').length, views: doc.querySelectorAll('#views img').length,
          examples: doc.querySelectorAll('.example img:not(.map)').length,
          scrollWidth: doc.documentElement.scrollWidth, clientWidth: doc.documentElement.clientWidth};
}
(async () => {
  const frame = document.createElement('iframe');
  frame.style.width = plan.width + 'px'; frame.style.height = plan.height + 'px'; frame.style.border = '0';
  document.body.prepend(frame);
  const results = {pages: [], actions: []};
  if (plan.count) {
    const doc = await load(frame, plan.count);
    await new Promise(done => setTimeout(done, 1500));
    // Requested: every image given a source (loading them is timed by Chromium's virtual clock, not ours).
    results.requested = [...doc.images].filter(image => image.getAttribute('src')).length;
  }
  for (const url of plan.pages) { results.pages.push(await inspect(frame, url)); }
  for (const action of plan.actions) {
    const doc = await load(frame, action.page);
    let arrived;
    if (action.query !== undefined) {
      doc.getElementById('query').value = action.query;
      arrived = await navigation(frame, () => doc.getElementById('search').requestSubmit());
      if (arrived === 'no navigation') { arrived += ': ' + doc.getElementById('search-message').textContent; }
    } else {
      arrived = await navigation(frame, () => doc.dispatchEvent(new KeyboardEvent('keydown', {key: action.key})));
    }
    results.actions.push(Object.assign({arrived: arrived}, action));
  }
  document.getElementById('out').textContent = JSON.stringify(results);
})();
</script></body></html>"""


def browse(folder, pages=(), actions=(), width=1200, height=900, count=None):
    """Open `pages` (paths relative to `folder`) in an iframe `width` px wide, then run `actions` ({"page",
    "query"} searches or {"page", "key"} key presses); with `count`, first open that page and count the images it
    requested before any scrolling. Returns {"pages": [...], "actions": [...], "requested"}."""
    probe = os.path.join(folder, "probe.html")
    plan = dict(pages=list(pages), actions=list(actions), width=width, height=height, count=count)
    with open(probe, "w") as handle:
        handle.write(_PROBE % json.dumps(plan))
    try:
        dom = subprocess.run(
            [
                chromium_or_skip(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--allow-file-access-from-files",
                "--proxy-server=127.0.0.1:9",  # nothing answers there: any http(s) request fails
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--window-size=%d,%d" % (width, height),
                "--virtual-time-budget=60000",
                "--dump-dom",
                "file://" + probe,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        ).stdout
    finally:
        os.remove(probe)
    start = dom.index('<pre id="out">') + len('<pre id="out">')
    return json.loads(html.unescape(dom[start : dom.index("</pre>", start)]))


def site_pages(folder):
    """Every page of the site, relative to `folder`."""
    found = []
    for root, _, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(root, name), folder) for name in names if name.endswith(".html")]
    return sorted(page for page in found if page != "probe.html")
