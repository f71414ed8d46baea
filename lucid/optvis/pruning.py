"""Import only the part of a model that the objectives read: InceptionV1's GraphDef is 54 MB, the part up to
mixed4a 4 MB, and importing the whole model costs most of a render's start-up."""

import weakref

import tensorflow as tf

from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives

# Per model: the static shape and dtype of every tensor of its imported graph, for `pruned_for`'s stand-ins.
_tensor_specs = weakref.WeakKeyDictionary()


def _model_tensor_specs(model):
    if model not in _tensor_specs:
        channels = list(model.image_shape or [None])[-1]
        light = model.weightless()
        with tf.Graph().as_default() as graph:
            light.import_graph(tf.compat.v1.placeholder(tf.float32, [None, None, None, channels]), scope="import")
            _tensor_specs[model] = {
                t.name[len("import/") :]: (t.shape, t.dtype)
                for op in graph.get_operations()
                if op.name.startswith("import/")
                for t in op.outputs
            }
    return _tensor_specs[model]


def pruned_for(model, objective_fns, t_image):
    """`model`, or a copy whose graph_def holds only the nodes `objective_fns` read through T.

    Importing a whole model costs most of a render's start-up (InceptionV1's GraphDef is 54 MB; the part up to
    mixed4a is 4 MB). The objectives are built once in a scratch graph on stand-in placeholders with the layers'
    static shapes, recording which graph nodes they ask for. If anything there fails or is unknown (a tensor that
    post_import creates, an error in the objective), the whole model is used and the real build reports it.
    Models that are not lucid Models (any object with import_graph, as the original allowed) are used whole.
    """
    if not isinstance(model, Model):
        return model
    node_names = {node.name for node in model.graph_def.node}
    read = set()
    try:
        specs = _model_tensor_specs(model)
        with tf.Graph().as_default():
            stand_in_image = tf.compat.v1.placeholder(t_image.dtype, t_image.shape)

            def T(name):
                if name == "input":
                    return stand_in_image
                if name == "labels":
                    return model.labels
                key = name if ":" in name else name + ":0"
                shape, dtype = specs[key]
                node = key.split(":")[0]
                if node not in node_names:
                    raise KeyError(name)
                read.add(node)
                if shape.rank:
                    shape = [t_image.shape[0]] + shape.as_list()[1:]
                return tf.compat.v1.placeholder(dtype, shape)

            for objective in objective_fns:
                objectives.as_objective(objective)(T)
    except Exception:  # noqa: BLE001 - unknown: import everything, and let the real build raise any error
        return model
    if not read or model.input_name not in node_names:
        return model
    return model.pruned(read)
