"""Interactive notebook output: Svelte 2 components (`svelte`) and embedded Observable notebooks (`observable`)."""

import json

from lucid.misc.io.saving import ClarityJSONEncoder


def js_literal(value):
    """`value` as a JavaScript literal that is also safe inside an HTML <script> element.

    NumPy scalars and arrays become numbers and lists (the notebooks pass `np.argmax` results and activations)."""
    text = json.dumps(value, cls=ClarityJSONEncoder)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
