"""Units per minute and bytes per unit of lucid.scale.microscope.

    python benchmarks/bench_microscope.py                 # 8 units of EfficientNet-Lite0 block4, 64 px, 64 steps,
                                                          # with 1 and 2 workers: the scaling efficiency
    python benchmarks/bench_microscope.py --sample 8      # 8 units of each of the 9 conv layers at the defaults
                                                          # (512 steps, 128 px, circuits, classes, dataset examples
                                                          # and DeepDream of scikit-learn's photos), 2 workers: the
                                                          # whole model's time extrapolated from the sample

Each run starts a fresh local cluster (lucid.scale.cluster.local_cluster: one process per worker, one task and
TensorFlow's share of the cores each), warms every worker up on one unit of another layer (TensorFlow start-up
and model load), then times the Microscope into a fresh store. Bytes per unit: the store's files (images,
entries, pages) over the units shown. Rates depend on what else runs on the machine (the load average is
printed); compare runs made back to back.
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import distributed  # noqa: E402

from lucid.modelzoo.vision_models import EfficientNetLite0  # noqa: E402
from lucid.scale import microscope  # noqa: E402
from lucid.scale.cluster import local_cluster  # noqa: E402


def store_bytes(folder):
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(folder) for name in names)


def sample_photos(folder):
    """scikit-learn's two sample photos, whole and as quarters (10 images)."""
    import PIL.Image
    from sklearn.datasets import load_sample_images

    os.makedirs(folder)
    for number, photo in enumerate(load_sample_images().images):
        PIL.Image.fromarray(photo).save(os.path.join(folder, "%d.jpg" % number))
        height, width = photo.shape[0] // 2, photo.shape[1] // 2
        for part in range(4):
            row, col = divmod(part, 2)
            quarter = photo[row * height : (row + 1) * height, col * width : (col + 1) * width]
            PIL.Image.fromarray(quarter).save(os.path.join(folder, "%d-%d.jpg" % (number, part)))
    return folder


class RenderClock:
    """A progress callback timing the renders alone: from the first call to the last unit rendered."""

    def __init__(self):
        self.start = self.end = None

    def __call__(self, done, failed, total):
        now = time.perf_counter()
        self.start = self.start or now
        if done + failed == total:
            self.end = now


def run(workers, layers, units, settings):
    """`(units per minute, bytes per unit, seconds, render-only units per minute)` of one Microscope run."""
    with local_cluster(workers) as cluster, distributed.Client(cluster) as client, tempfile.TemporaryDirectory() as out:
        if settings.get("images") == "photos":
            settings = dict(settings, images=sample_photos(os.path.join(out, "photos")))
        warm = dict(settings, images=None, circuits=False, dream_steps=0, steps=8)
        microscope(
            "EfficientNetLite0", os.path.join(out, "warm"), layers=["block3"], units=workers, client=client, **warm
        )
        start, clock = time.perf_counter(), RenderClock()
        site = os.path.join(out, "site")
        records = microscope(
            "EfficientNetLite0", site, layers=layers, units=units, client=client, progress=clock, **settings
        )
        seconds = time.perf_counter() - start
        size = store_bytes(site)
    assert all(record["status"] == "done" for record in records)
    return len(records) * 60 / seconds, size / len(records), seconds, len(records) * 60 / (clock.end - clock.start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", default="block4")
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=2, help="units per task")
    parser.add_argument("--sample", type=int, metavar="N", help="N units of every conv layer at the defaults")
    parser.add_argument(
        "--sample-steps", type=int, default=512, help="steps of the sample's renders (the time is scaled to 512)"
    )
    args = parser.parse_args()
    print("load average before: %.1f %.1f %.1f" % os.getloadavg())
    if args.sample:
        layers = [layer.name for layer in EfficientNetLite0().layers if "conv" in layer.tags]
        total = sum(layer.depth for layer in EfficientNetLite0().layers if "conv" in layer.tags)
        settings = dict(images="photos", steps=args.sample_steps, dream_steps=0)
        rate, per_unit, seconds, render_rate = run(2, layers, args.sample, settings)
        units = args.sample * len(layers)
        print(
            "sample: %d units (%d of each of %d layers), %d steps, in %.0f s, 2 workers, no DeepDream"
            % (units, args.sample, len(layers), args.sample_steps, seconds)
        )
        print(
            "%.2f units/min overall, %.2f units/min in the renders alone, %.0f bytes/unit"
            % (rate, render_rate, per_unit)
        )
        render_seconds = units * 60 / render_rate
        print("renders: %.0f%% of the run" % (100 * render_seconds / seconds))
        # Circuits, classes and the dataset pass cover whole layers (already whole in the sample); the renders grow
        # per unit, and per step (scaled linearly from the sample's steps to the default 512).
        scale = 512 / args.sample_steps
        whole = seconds - render_seconds + total * 60 / render_rate * scale
        print("whole model (%d units) at 512 steps, extrapolated: %.1f h" % (total, whole / 3600))
    else:
        settings = dict(steps=args.steps, size=args.size, batch_size=args.batch_size, circuits=False, dream_steps=0)
        rates = {}
        for workers in (1, 2):
            rates[workers], per_unit, _, _ = run(workers, [args.layer], args.units, settings)
            print(
                "%d worker%s: %.2f units/min, %.0f bytes/unit" % (workers, "s"[: workers - 1], rates[workers], per_unit)
            )
        print("scaling efficiency (2 workers): %.0f%%" % (100 * rates[2] / (2 * rates[1])))
    print("load average after: %.1f %.1f %.1f" % os.getloadavg())


if __name__ == "__main__":
    main()
