"""The small bugs benchmarks/mutations.py plants, one at a time, and the tests that must notice each.

MUTANTS: dicts with `id`, `file`, `old` (a snippet occurring exactly once in the file), `new`, `tests` (pytest node
ids, run with -x in this order) and `what` (the bug, in words). EQUIVALENT: {id: why it changes no behaviour}, for
mutants written down once and kept out of the run.
"""

TWIN_OBJECTIVES = "tests/test_property_based.py::test_objective_factories_accept_valid_arguments"
TWIN_PARAM = "tests/test_property_based.py::test_param_image_accepts_valid_arguments"
TWIN_TRANSFORMS = "tests/test_property_based.py::test_transforms_accept_valid_arguments"
RENDER = "tests/optvis/test_render.py"
STORE = "tests/scale/test_store.py"
SAFE_OPS = "tests/misc/test_safe_ops.py"
CACHE = "tests/misc/io/test_cache.py"
SHOWING = "tests/misc/io/test_showing.py"
CLI = "tests/test_cli.py"
RECIPES = "tests/recipes/test_feature_visualization.py"


def mutant(id, file, old, new, tests, what):
    return dict(id=id, file=file, old=old, new=new, tests=tests, what=what)


MUTANTS = [
    # ---- objectives (the property twins compare each value with a NumPy computation) ----
    mutant(
        "objectives.channel_index",
        "lucid/optvis/objectives.py",
        "return tf.reduce_mean(acts[..., n_channel])",
        "return tf.reduce_mean(acts[..., 0])",
        [TWIN_OBJECTIVES],
        "channel() reads channel 0 whatever n_channel is",
    ),
    mutant(
        "objectives.channel_max",
        "lucid/optvis/objectives.py",
        "return tf.reduce_mean(acts[..., n_channel])",
        "return tf.reduce_max(acts[..., n_channel])",
        [TWIN_OBJECTIVES],
        "channel() takes the maximum instead of the mean",
    ),
    mutant(
        "objectives.neuron_centre",
        "lucid/optvis/objectives_util.py",
        "return size // 2, size // 2 + 1",
        "return size // 2 - 1, size // 2",
        [TWIN_OBJECTIVES],
        "neuron() without x, y reads the pixel above-left of the centre",
    ),
    mutant(
        "objectives.neuron_last_index",
        "lucid/optvis/objectives_util.py",
        "return index, (index + 1) or None",
        "return index, index + 1",
        ["tests/optvis/test_objectives.py::test_neuron_value"],
        "neuron(x=-1) slices nothing (the original's bug)",
    ),
    mutant(
        "objectives.dot_sum",
        "lucid/optvis/objectives_util.py",
        "        return tf.reduce_mean(xy_dot)\n",
        "        return tf.reduce_sum(xy_dot)\n",
        [TWIN_OBJECTIVES],
        "direction() sums the dot products instead of averaging",
    ),
    mutant(
        "objectives.deepdream_square",
        "lucid/optvis/objectives.py",
        "return lambda T: tf.reduce_mean(T(layer) ** 2)",
        "return lambda T: tf.reduce_mean(T(layer))",
        [TWIN_OBJECTIVES],
        "deepdream() averages the activations instead of their squares",
    ),
    mutant(
        "objectives.diversity_diagonal",
        "lucid/optvis/objectives.py",
        "off_diagonal = 1 - np.eye(batch_n, dtype=acts.dtype.as_numpy_dtype)",
        "off_diagonal = 1 + 0 * np.eye(batch_n, dtype=acts.dtype.as_numpy_dtype)",
        [TWIN_OBJECTIVES],
        "diversity() counts each image's similarity with itself",
    ),
    mutant(
        "objectives.diversity_no_normalize",
        "lucid/optvis/objectives.py",
        "grams = tf.nn.l2_normalize(grams, axis=[1, 2], epsilon=1e-10)",
        "grams = grams",
        [TWIN_OBJECTIVES],
        "diversity() compares raw Gram matrices, not their directions",
    ),
    mutant(
        "objectives.sub_adds",
        "lucid/optvis/objective_base.py",
        'return self + (-other if is_number(other) else -_lift(other, "-"))',
        'return self + (-other if is_number(other) else _lift(other, "-"))',
        ["tests/optvis/test_objectives.py::test_algebra_values"],
        "objective - objective adds the second",
    ),
    # ---- recipes ----
    mutant(
        "recipes.diversity_sign",
        "lucid/recipes/feature_visualization.py",
        "objectives.channel(layer, channel_n) - strength * objectives.diversity(diversity_layer or layer)",
        "objectives.channel(layer, channel_n) + strength * objectives.diversity(diversity_layer or layer)",
        [RECIPES + "::test_diversity_makes_the_batch_more_different_than_without_its_term"],
        "the diversity recipe rewards similar images",
    ),
    mutant(
        "recipes.diversity_layer",
        "lucid/recipes/feature_visualization.py",
        "objectives.channel(layer, channel_n) - strength * objectives.diversity(diversity_layer or layer)",
        "objectives.channel(layer, channel_n) - strength * objectives.diversity(diversity_layer or 'input')",
        [RECIPES + "::test_diversity_makes_the_batch_more_different_than_without_its_term"],
        "the diversity recipe pushes the pixels apart, not the layer's features",
    ),
    mutant(
        "recipes.interaction_one_term",
        "lucid/recipes/feature_visualization.py",
        "        + objectives.channel(layer2, n2, batch=2)\n",
        "",
        [RECIPES + "::test_interaction_raises_each_unit_alone_and_both_together"],
        "the interaction's third image raises unit 1 only",
    ),
    mutant(
        "recipes.interaction_swapped",
        "lucid/recipes/feature_visualization.py",
        "objectives.channel(layer1, n1, batch=0)\n        + objectives.channel(layer2, n2, batch=1)",
        "objectives.channel(layer1, n1, batch=1)\n        + objectives.channel(layer2, n2, batch=0)",
        [RECIPES + "::test_interaction_raises_each_unit_alone_and_both_together"],
        "the interaction's first two images are swapped",
    ),
    # ---- params (the twin recomputes the image from its variable with NumPy) ----
    mutant(
        "param.spectrum_sqrt",
        "lucid/optvis/param/spatial.py",
        "return (scale * np.sqrt(w * h)).astype(np.float32)",
        "return (scale * (w * h)).astype(np.float32)",
        [TWIN_PARAM],
        "the Fourier scale grows with the area, not its square root",
    ),
    mutant(
        "param.spectrum_quarter",
        "lucid/optvis/param/spatial.py",
        "    scale = scale / 4.0\n",
        "    scale = scale / 2.0\n",
        [TWIN_PARAM],
        "the spectrum is scaled by 1/2 instead of 1/4",
    ),
    mutant(
        "param.spectrum_decay",
        "lucid/optvis/param/spatial.py",
        "scale = 1.0 / np.maximum(freqs, 1.0 / max(w, h)) ** decay_power",
        "scale = 1.0 / np.maximum(freqs, 1.0 / max(w, h)) ** (2 * decay_power)",
        [TWIN_PARAM],
        "high frequencies damped by 1/f^2",
    ),
    mutant(
        "param.freqs_no_sqrt",
        "lucid/optvis/param/spatial.py",
        "return np.sqrt(fx * fx + fy * fy)",
        "return fx * fx + fy * fy",
        [TWIN_PARAM],
        "frequency magnitudes squared",
    ),
    mutant(
        "param.color_unnormalized",
        "lucid/optvis/param/color.py",
        "color_correlation_normalized = color_correlation_svd_sqrt / max_norm_svd_sqrt",
        "color_correlation_normalized = color_correlation_svd_sqrt",
        [TWIN_PARAM],
        "colour decorrelation without its normalization",
    ),
    mutant(
        "param.color_transposed",
        "lucid/optvis/param/color.py",
        "t_flat = tf.matmul(t_flat, color_correlation_normalized.T)",
        "t_flat = tf.matmul(t_flat, color_correlation_normalized)",
        [TWIN_PARAM],
        "colour matrix applied transposed",
    ),
    mutant(
        "param.image_h_w",
        "lucid/optvis/param/images.py",
        "shape = [batch, h, w, ch]",
        "shape = [batch, w, h, ch]",
        [TWIN_PARAM],
        "param.image swaps width and height",
    ),
    # ---- transforms (the twin checks what each one does to the pixels) ----
    mutant(
        "transform.jitter_fixed",
        "lucid/optvis/transform.py",
        "crop = tf.compat.v1.random_crop(t_image, crop_shape, seed=seed)",
        "crop = tf.slice(t_image, [0, 0, 0, 0], crop_shape)",
        [TWIN_TRANSFORMS],
        "jitter always crops the same corner (it moves nothing)",
    ),
    mutant(
        "transform.jitter_size",
        "lucid/optvis/transform.py",
        "crop_shape = tf.concat([t_shp[:-3], t_shp[-3:-1] - d, t_shp[-1:]], 0)",
        "crop_shape = tf.concat([t_shp[:-3], t_shp[-3:-1] - d // 2, t_shp[-1:]], 0)",
        [TWIN_TRANSFORMS],
        "jitter(d) crops d // 2 pixels",
    ),
    mutant(
        "transform.pad_width",
        "lucid/optvis/transform.py",
        "return tf.pad(t_image, [(0, 0), (w, w), (w, w), (0, 0)], mode=mode, constant_values=value)",
        "return tf.pad(t_image, [(0, 0), (w, w), (w, 0), (0, 0)], mode=mode, constant_values=value)",
        [TWIN_TRANSFORMS],
        "pad leaves out the right edge",
    ),
    mutant(
        "transform.pad_default",
        "lucid/optvis/transform.py",
        'def pad(w: int, mode: str = "REFLECT", constant_value: float = 0.5)',
        'def pad(w: int, mode: str = "REFLECT", constant_value: float = 0.0)',
        [TWIN_TRANSFORMS],
        "constant padding is black instead of grey",
    ),
    mutant(
        "transform.scale_ignored",
        "lucid/optvis/transform.py",
        "size = tf.maximum(tf.cast(scale * hw, tf.int32), 1)",
        "size = tf.maximum(tf.cast(hw, tf.int32), 1)",
        [TWIN_TRANSFORMS],
        "random_scale never rescales",
    ),
    mutant(
        "transform.rotate_degrees",
        "lucid/optvis/transform.py",
        "return 3.14 * angle / 180.0",
        "return angle",
        ["tests/optvis/test_transform.py::test_angle2rads"],
        "degrees taken as radians",
    ),
    # ---- render loop ----
    mutant(
        "render.maximize",
        "lucid/optvis/steps.py",
        "grads = optimizer.compute_gradients(-loss, gate_gradients=tf.compat.v1.train.Optimizer.GATE_NONE)",
        "grads = optimizer.compute_gradients(loss, gate_gradients=tf.compat.v1.train.Optimizer.GATE_NONE)",
        [RENDER + "::test_render_vis_raises_the_objective_with_defaults"],
        "render_vis minimizes the objective",
    ),
    mutant(
        "render.steps_one_short",
        "lucid/optvis/steps.py",
        "for step in range(max(thresholds) + 1):",
        "for step in range(max(thresholds)):",
        [RENDER + "::test_thresholds_and_return_shapes"],
        "the last threshold's step never runs",
    ),
    mutant(
        "render.snapshot_every_step",
        "lucid/optvis/steps.py",
        "image = sess.run(t_image, feed) if step in thresholds else None",
        "image = sess.run(t_image, feed)",
        [RENDER + "::test_thresholds_and_return_shapes"],
        "a snapshot at every step, not only at the thresholds",
    ),
    mutant(
        "render.learning_rate",
        "lucid/optvis/render.py",
        "        return tf.compat.v1.train.AdamOptimizer(0.05)\n",
        "        return tf.compat.v1.train.AdamOptimizer(0.5)\n",
        [RENDER + "::test_render_vis_matches_the_straightforward_loop"],
        "default Adam learning rate 0.5",
    ),
    mutant(
        "render.nonfinite_steps_applied",
        "lucid/optvis/steps.py",
        "safe = [(tf.compat.v1.where(finite, g, tf.zeros_like(g)), v) for g, (_, v) in zip(grads, grads_and_vars)]",
        "safe = [(g, v) for g, (_, v) in zip(grads, grads_and_vars)]",
        ["tests/optvis/test_render_reliability.py::test_non_finite_loss_stops_with_the_last_finite_images"],
        "a NaN gradient is applied to the image",
    ),
    # ---- safe ops ----
    mutant(
        "safe_ops.env_any_value",
        "lucid/misc/safe_ops.py",
        'os.environ.get(ENVIRONMENT_VARIABLE, "").lower() in ("1", "true", "yes")',
        "bool(os.environ.get(ENVIRONMENT_VARIABLE))",
        [SAFE_OPS + "::test_environment_variable_switched_off_keeps_the_check"],
        "LUCID_ALLOW_UNSAFE_OPS=0 switches the op check off",
    ),
    mutant(
        "safe_ops.readfile_allowed",
        "lucid/misc/safe_ops.py",
        '"ResizeBicubic".split()',
        '"ResizeBicubic ReadFile WriteFile".split()',
        [SAFE_OPS + "::test_model_load_refuses_file_ops_before_anything_runs"],
        "ReadFile and WriteFile on the allowlist",
    ),
    mutant(
        "safe_ops.library_unchecked",
        "lucid/misc/safe_ops.py",
        "    for function in graph_def.library.function:\n        visit(function.node_def",
        "    for function in graph_def.library.function[:0]:\n        visit(function.node_def",
        [SAFE_OPS + "::test_ops_inside_library_functions_are_checked"],
        "ops inside library functions are not checked",
    ),
    mutant(
        "safe_ops.outside_call",
        "lucid/misc/safe_ops.py",
        "bad = [name for name in _function_references(node) if name not in functions]",
        "bad = []",
        [SAFE_OPS + "::test_call_of_a_function_outside_the_library_is_refused"],
        "a call of a function outside the library passes",
    ),
    # ---- download cache (misc/io reading, which the model zoo loads through) ----
    mutant(
        "cache.changed_entry_trusted",
        "lucid/misc/io/reading.py",
        "if os.path.exists(local_path) and not _is_intact(local_path):",
        "if False:",
        [CACHE + "::test_changed_entry_is_fetched_again"],
        "a cached file changed after its download is used as it is",
    ),
    mutant(
        "cache.name_without_hash",
        "lucid/misc/io/reading.py",
        'name = (digest + "-" + readable)[:MAX_FILENAME_LENGTH]',
        "name = readable[:MAX_FILENAME_LENGTH]",
        [CACHE + "::test_urls_with_the_same_file_name_are_distinct_entries"],
        "two URLs with the same file name share one cache entry",
    ),
    mutant(
        "cache.short_download_kept",
        "lucid/misc/io/reading.py",
        "if expected is not None and received != expected:",
        "if False:",
        ["tests/misc/io/test_downloads.py::test_truncated_body_is_retried_and_never_cached"],
        "a download cut short is cached as complete",
    ),
    # ---- store keys ----
    mutant(
        "store.key_ignores_value_range",
        "lucid/scale/store.py",
        '        list(getattr(model, "image_value_range", None) or []),\n',
        "",
        [STORE + "::test_model_hash_changes_with_how_images_are_fed"],
        "the store key ignores the model's value range",
    ),
    mutant(
        "store.key_ignores_bgr",
        "lucid/scale/store.py",
        '        bool(getattr(model, "is_BGR", False)),\n',
        "",
        [STORE + "::test_model_hash_changes_with_how_images_are_fed"],
        "the store key ignores BGR",
    ),
    mutant(
        "store.key_ignores_settings",
        "lucid/scale/store.py",
        "fields = dict(settings, kind=kind, model=model_sha256, unit=unit, store_format=STORE_FORMAT)",
        "fields = dict(kind=kind, model=model_sha256, unit=unit, store_format=STORE_FORMAT)",
        [STORE + "::test_keys_change_with_model_content_unit_and_every_setting"],
        "the store key ignores steps, size, seed and precision",
    ),
    mutant(
        "store.key_ignores_unit",
        "lucid/scale/store.py",
        "fields = dict(settings, kind=kind, model=model_sha256, unit=unit, store_format=STORE_FORMAT)",
        "fields = dict(settings, kind=kind, model=model_sha256, store_format=STORE_FORMAT)",
        [STORE + "::test_keys_change_with_model_content_unit_and_every_setting"],
        "every unit of a model shares one key",
    ),
    mutant(
        "store.hash_ignores_graph",
        "lucid/scale/store.py",
        "digest = hashlib.sha256(model.graph_def.SerializeToString(deterministic=True))",
        "digest = hashlib.sha256()",
        [STORE + "::test_keys_change_with_model_content_unit_and_every_setting"],
        "the model hash ignores the graph (another model under the same settings counts as done)",
    ),
    # ---- escaping ----
    mutant(
        "escape.sweep_unit",
        "lucid/scale/sweep_index.py",
        'unit=html.escape(record["unit"]),',
        'unit=record["unit"],',
        [STORE + "::test_index_html_escapes_every_string"],
        "the sweep index puts the unit name in HTML unescaped",
    ),
    mutant(
        "escape.sweep_error",
        "lucid/scale/sweep_index.py",
        'html.escape(record["unit"]), html.escape(record["error"])',
        'html.escape(record["unit"]), record["error"]',
        [STORE + "::test_index_html_escapes_every_string"],
        "the sweep index shows a failure's error unescaped",
    ),
    mutant(
        "escape.show_labels",
        "lucid/misc/io/showing.py",
        "% (html.escape(str(labels[i])), _image_html(array, w=w, domain=domain))",
        "% (str(labels[i]), _image_html(array, w=w, domain=domain))",
        [SHOWING + "::test_labels_are_escaped"],
        "show.images puts labels in HTML unescaped",
    ),
    mutant(
        "escape.graph_view",
        "lucid/misc/io/showing.py",
        '"</details>" % (len(graph_def.node), html.escape(str(stripped)))',
        '"</details>" % (len(graph_def.node), str(stripped))',
        [SHOWING + "::test_graph_view_is_self_contained_and_escaped"],
        "the graph view puts node names in HTML unescaped",
    ),
    # ---- sweep index links ----
    mutant(
        "links.sweep_thumbnail_unit0",
        "lucid/scale/sweep_index.py",
        'url=html.escape(unit_path(record["key"], "image.png")),',
        'url=html.escape(unit_path(done[0]["key"], "image.png")),',
        [STORE + "::test_index_html_links_each_thumbnail_to_its_own_units_image"],
        "every thumbnail of a layer links to its first unit's image",
    ),
    mutant(
        "links.sweep_order",
        "lucid/scale/sweep_index.py",
        'key=lambda record: (record["channel"], record["steps"], record["size"])',
        'key=lambda record: (record["key"], record["steps"], record["size"])',
        [STORE + "::test_index_html_links_each_thumbnail_to_its_own_units_image"],
        "thumbnails in store-key order instead of channel order",
    ),
    mutant(
        "links.sweep_layers_merged",
        "lucid/scale/sweep_index.py",
        'layers.setdefault((record["model"], record["layer"]), []).append(record)',
        'layers.setdefault((record["model"], "conv1"), []).append(record)',
        [STORE + "::test_index_html_links_each_thumbnail_to_its_own_units_image"],
        "every layer's thumbnails in one section",
    ),
    # ---- CLI options ----
    mutant(
        "cli.precision_dropped",
        "lucid/cli.py",
        "                precision=args.precision,\n",
        "",
        [CLI + "::test_precision_reaches_the_render"],
        "lucid-render ignores --precision",
    ),
    mutant(
        "cli.seed_dropped",
        "lucid/cli.py",
        "    lucid.seed = args.seed\n",
        "",
        [CLI + "::test_render_saved_pb_and_seed"],
        "lucid-render ignores --seed",
    ),
    mutant(
        "cli.gif_frames",
        "lucid/cli.py",
        "thresholds.update(range(0, args.steps, max(1, args.steps // GIF_FRAMES)))",
        "thresholds.update(range(0, args.steps, max(1, args.steps // GIF_FRAMES) + 1))",
        [CLI + "::test_gif_frame_spacing"],
        "the GIF's frames are spaced one step too far apart",
    ),
    mutant(
        "cli.size_cap",
        "lucid/cli.py",
        "    if args.size > MAX_SIZE:\n",
        "    if args.size > 100 * MAX_SIZE:\n",
        [CLI + "::test_bad_values_exit_before_any_model_loads"],
        "--size is not capped",
    ),
]

EQUIVALENT = {
    "objectives.channel_slice": (
        "acts[..., n_channel] -> acts[..., n_channel : n_channel + 1] in channel(): the mean of the kept "
        "axis of length 1 is the same number"
    ),
    "param.spectrum_quarter_times": "scale / 4.0 -> scale * 0.25: dividing by a power of two is exact",
    "param.spectrum_floor_order": "1.0 / max(w, h) -> 1.0 / max(h, w): max is symmetric",
    "transform.jitter_no_seed": (
        "random_crop(..., seed=seed) -> random_crop(...) when seed is None (every caller in lucid): the same op"
    ),
}
