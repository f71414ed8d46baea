"""WordNet synsets of ImageNet classes, through nltk (an optional dependency; its corpus is downloaded on first use)."""

from __future__ import annotations

import functools
from typing import Any

from lucid.misc.io import load

__all__ = [
    "id_from_synset",
    "imagenet_synset_from_description",
    "imagenet_synset_ids",
    "imagenet_synsets",
    "IMAGENET_SYNSETS_PATH",
    "load",
    "synset_from_id",
]

IMAGENET_SYNSETS_PATH = "gs://modelzoo/labels/ImageNet_standard_synsets.txt"


@functools.lru_cache(maxsize=1)
def _wordnet():
    try:
        import nltk
    except ImportError:
        raise ImportError(
            "WordNet synsets need nltk: `pip install nltk` (it downloads the wordnet corpus on first use)."
        ) from None
    nltk.download("wordnet", quiet=True)
    from nltk.corpus import wordnet

    return wordnet


def __getattr__(name):
    """`wordnet.wn`: nltk's WordNet corpus reader, as the original's module had; loaded on first use, not on import."""
    if name == "wn":
        return _wordnet()
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def id_from_synset(synset: Any) -> str:
    """The ImageNet id of a synset, e.g. great_white_shark.n.01 -> 'n01484850'."""
    return "{}{:08}".format(synset.pos(), synset.offset())


def synset_from_id(id_str: str) -> Any:
    """The synset of an ImageNet id such as 'n01484850'."""
    if not isinstance(id_str, str) or len(id_str) != 9 or not id_str[1:].isdigit():
        raise ValueError("ImageNet synset ids look like 'n01484850' (a letter and 8 digits), got %r." % (id_str,))
    return _wordnet().synset_from_pos_and_offset(id_str[0], int(id_str[1:]))


@functools.lru_cache(maxsize=1)
def imagenet_synset_ids() -> list[str]:
    return load(IMAGENET_SYNSETS_PATH, split=True)


@functools.lru_cache(maxsize=1)
def imagenet_synsets() -> list[Any]:
    return [synset_from_id(id_) for id_ in imagenet_synset_ids()]


@functools.lru_cache
def imagenet_synset_from_description(search_term: str) -> Any:
    """The one ImageNet synset whose name contains `search_term` (spaces as underscores); ValueError otherwise."""
    term = search_term.lower().replace(" ", "_")
    found = [synset for synset in imagenet_synsets() if term in synset.name()]
    if not found:
        raise ValueError("Could not find any imagenet synset with search term {}.".format(search_term))
    if len(found) > 1:
        names = ", ".join(synset.name() for synset in found)
        raise ValueError("Found {} imagenet synsets with search term {}: {}.".format(len(found), search_term, names))
    return found[0]
