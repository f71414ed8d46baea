"""Finding a class among a model's labels by name, as people type it ("goldfish" for "goldfish, Carassius
auratus"): used by Model.label_index and the class_logit objective."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = ["label_index"]


def _synonyms(label):
    """The comma-separated names of a label, lower-cased: "goldfish, Carassius auratus" -> goldfish, carassius
    auratus."""
    return [name.strip().lower() for name in str(label).split(",") if name.strip()]


def label_index(labels: Sequence[str] | None, label: str) -> int:
    """Index of `label` in the model's labels: an exact match first (as the original), else the one label that
    has `label` among its comma-separated synonyms, in any case ("goldfish" for "goldfish, Carassius auratus").

    KeyError when several labels match (naming them: ImageNet has two exact "crane"s, the bird and the machine,
    where the original silently took the first) or none does (naming close ones).
    """
    if labels is None:
        raise ValueError("The model has no labels to look up %r in; pass the class index as an int." % (label,))
    labels = list(labels)
    wanted = str(label).strip().lower()
    found = [i for i, known in enumerate(labels) if known == label]
    if not found:
        found = [i for i, known in enumerate(labels) if wanted in _synonyms(known)]
    if len(found) == 1:
        return found[0]
    if found:
        raise KeyError(
            "Label %r names %d of the model's classes: %s. Pass the class index (or a label that names one)."
            % (label, len(found), ", ".join("%d %r" % (i, labels[i]) for i in found))
        )
    by_synonym = {synonym: known for known in labels for synonym in _synonyms(known)}
    close = difflib.get_close_matches(wanted, list(by_synonym))
    close_labels = list(dict.fromkeys(str(by_synonym[synonym]) for synonym in close))
    raise KeyError(
        "Label %r is not one of the model's %d labels. Close labels: %s."
        % (label, len(labels), ", ".join(map(repr, close_labels)) or "none")
    )
