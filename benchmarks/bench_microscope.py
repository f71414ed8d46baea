"""Units per minute of lucid.scale.microscope with 1 and 2 local workers, and the scaling efficiency.

    python benchmarks/bench_microscope.py     # 8 units of EfficientNet-Lite0 block4, 64 px, 64 steps, per run

Each run starts a fresh local cluster (lucid.scale.cluster.local_cluster: one process per worker, one task and
TensorFlow's share of the cores each), warms every worker up on one unit of another layer (TensorFlow start-up
and model load), then times the Microscope's renders (positive, negative and 4 diverse images per unit) into
a fresh store. Efficiency = rate with 2 workers / (2 x rate with 1). Rates depend on what else runs on the
machine; compare runs made back to back.
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import distributed  # noqa: E402

from lucid.scale import microscope  # noqa: E402
from lucid.scale.cluster import local_cluster  # noqa: E402


def units_per_minute(args, workers):
    with local_cluster(workers) as cluster, distributed.Client(cluster) as client, tempfile.TemporaryDirectory() as out:
        settings = dict(client=client, steps=args.steps, size=args.size, batch_size=args.batch_size)
        microscope("EfficientNetLite0", os.path.join(out, "warm"), layers=["block3"], units=workers, **settings)
        start = time.perf_counter()
        records = microscope(
            "EfficientNetLite0", os.path.join(out, "site"), layers=[args.layer], units=args.units, **settings
        )
        seconds = time.perf_counter() - start
    assert all(record["status"] == "done" for record in records)
    return len(records) * 60 / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", default="block4")
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=2, help="units per task")
    args = parser.parse_args()
    rates = {workers: units_per_minute(args, workers) for workers in (1, 2)}
    for workers, rate in rates.items():
        print("%d worker%s: %.2f units/min" % (workers, "" if workers == 1 else "s", rate))
    print("scaling efficiency (2 workers): %.0f%%" % (100 * rates[2] / (2 * rates[1])))


if __name__ == "__main__":
    main()
