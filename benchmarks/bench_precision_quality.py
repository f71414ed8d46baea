"""Quality of reduced-precision and fast renders: class visualizations on the embedded EfficientNet-Lite0, float32
against a reduced precision (or against the fast path, --fast), with paired seeds (same seed, same initial image).

    python benchmarks/bench_precision_quality.py [--precision bfloat16 | --fast] [--seeds 5] [--steps 256] [--size 128]

Each seed renders the 16 classes in one batch (one class_logit objective per image) once per precision, the two
interleaved. Each render is scored by the model in float32 on 8 random views (crops and rescales to 224 px): top-1
(the target is the model's top class) and the target's softmax probability. Prints per seed, then the means and
the paired differences (candidate - float32) with their standard error; the target is a mean paired top-1
difference of at least minus one standard error.
"""

import argparse
import time

import numpy as np
import tensorflow as tf

import lucid
import lucid.modelzoo.vision_models as models
from lucid.optvis import fast as fast_path
from lucid.optvis import objectives, param, render
from lucid.recipes import quality

CLASSES = [1, 9, 71, 130, 207, 294, 309, 340, 388, 417, 511, 574, 717, 817, 949, 985]


def render_classes(model, size, steps, precision, fast=False):
    objective = objectives.Objective.sum([objectives.class_logit("logits", c, batch=i) for i, c in enumerate(CLASSES)])
    return render.render_vis(
        model,
        objective,
        param_f=lambda: (fast_path.image if fast else param.image)(size, batch=len(CLASSES)),
        thresholds=(steps - 1,),
        verbose=False,
        use_fixed_seed=True,
        precision=precision,
        fast=fast,
    )[-1]


def score(model, images, n_views=8):
    """(top-1, target probability), each a mean over the renders' random views (crops and rescales to 224 px that
    the optimization never saw, lucid.recipes.quality.random_views), the model run in float32."""
    rng = np.random.RandomState(0)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_view = tf.compat.v1.placeholder(tf.float32, [1, None, None, 3])
        t_probabilities = tf.nn.softmax(model.import_graph(t_view)("logits"))
        hits, probabilities = [], []
        for image, target in zip(images, CLASSES):
            for view in quality.random_views(image, n_views, rng=rng):
                p = sess.run(t_probabilities, {t_view: view[None]}).reshape(-1)
                hits.append(p.argmax() == target)
                probabilities.append(p[target])
    return np.mean(hits), np.mean(probabilities)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--precision", default="bfloat16", choices=["bfloat16", "float16", "auto"])
    parser.add_argument("--fast", action="store_true", help="compare float32 with fast=True (float32) instead")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    model = models.EfficientNetLite0()
    low = "fast" if args.fast else args.precision
    precisions = ("float32", low)
    top1 = {p: [] for p in precisions}
    prob = {p: [] for p in precisions}
    seconds = {p: [] for p in precisions}
    print(
        "%d classes, %d steps, %d px; per seed: top-1, mean target probability" % (len(CLASSES), args.steps, args.size)
    )
    for seed in range(args.seeds):
        lucid.seed = seed
        line = "seed %d:" % seed
        for p in precisions if seed % 2 == 0 else precisions[::-1]:
            start = time.perf_counter()
            images = render_classes(model, args.size, args.steps, "float32" if p == "fast" else p, fast=p == "fast")
            seconds[p].append(time.perf_counter() - start)
            hit, probability = score(model, images)
            top1[p].append(hit)
            prob[p].append(probability)
            line += "  %s %.3f %.3f" % (p, hit, probability)
        print(line, flush=True)
    for name, values in (("top-1", top1), ("mean target probability", prob)):
        diff = np.array(values[low]) - np.array(values["float32"])
        print(
            "%s: float32 %.3f, %s %.3f, paired difference %+.3f (sd %.3f, standard error %.3f, over %d seeds), "
            "ratio %.2f"
            % (
                name,
                np.mean(values["float32"]),
                low,
                np.mean(values[low]),
                diff.mean(),
                diff.std(ddof=1) if len(diff) > 1 else 0.0,
                diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0,
                len(diff),
                np.mean(values[low]) / np.mean(values["float32"]),
            )
        )
    ratios = np.array(seconds[low]) / np.array(seconds["float32"])
    print(
        "render time %s / float32: median %.2f (min %.2f, max %.2f)"
        % (low, np.median(ratios), ratios.min(), ratios.max())
    )


if __name__ == "__main__":
    main()
