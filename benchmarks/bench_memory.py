"""RSS growth over repeated renders on the random-weight InceptionV1, measured after each 25 calls against the 5th.

    python benchmarks/bench_memory.py MODE N      # MODE: render_vis, render_channels, make_vis_T or sweep

The workloads of tests/optvis/test_render_memory.py (lucid.testing.render_workloads; the slow test runs 25 calls
of each); issue 12 asks for less than 30 MB of growth over 100 calls.
"""

import sys
import time

from lucid.testing import random_inception_v1, render_workloads, rss_mb

MODES = ("render_vis", "render_channels", "make_vis_T", "sweep")
if len(sys.argv) != 3 or sys.argv[1] not in MODES or not sys.argv[2].isdigit():
    sys.exit("usage: python benchmarks/bench_memory.py {%s} N" % ",".join(MODES))
mode, n = sys.argv[1], int(sys.argv[2])
work = render_workloads(random_inception_v1())[mode]

start = time.time()
for i in range(n):
    work(i)
    if i == 4:
        base = rss_mb()
    if i % 25 == 24 or i == n - 1:
        growth = rss_mb() - base
        print("%s call %d: %.0f MB (+%.1f after the 5th) %.0fs" % (mode, i + 1, rss_mb(), growth, time.time() - start))
