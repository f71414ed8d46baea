"""Parse an OverlayGraph into a nested structure for layout: chains become Sequences, inputs that split from one
node and join at the next become Branches, repeatedly, until the whole overlay is one node (else None).

A parsed structure is a dict: {"type": "Node", "name": tensor name}, {"type": "Sequence", "children": [...]} or
{"type": "Branch", "children": [...]} (a branch that skips straight to the join is None; a branch of outputs that
end the graph has "subtype": "AuxilliaryHeadBranch").
"""

from lucid.misc.graph_analysis.overlay_graph import OverlayGraph, OverlayNode, OverlayStructure  # noqa: F401

__all__ = [
    "collapse_branches",
    "collapse_sequences",
    "flatten_sequences",
    "OverlayGraph",
    "OverlayNode",
    "OverlayStructure",
    "parse_overlay",
    "parse_structure",
    "toplevel_group_data",
]


def collapse_sequences(overlay):
    """Collapse every chain (each node the only consumer of the one before, and it its only input) into a
    "Sequence" held by its last node."""
    sequences = []
    for node in overlay.nodes:
        if any(node in seq for seq in sequences):
            continue
        seq = [node]
        while len(node.consumers) == 1 and len(next(iter(node.consumers)).inputs) == 1:
            node = next(iter(node.consumers))
            seq.append(node)
        if len(seq) > 1:
            sequences.append(seq)
    structure_map = {seq[-1]: OverlayStructure("Sequence", {"sequence": seq}) for seq in sequences}
    return overlay.collapse_structures(structure_map)


def collapse_branches(overlay):
    """Collapse each node whose inputs all come straight from one node (or are it) into a "HeadBranch" it holds,
    and each node's outputs that end the graph into a "TailBranch" held by the last of them."""
    structure_map = {}
    for node in overlay.nodes:
        if len(node.inputs) <= 1:
            continue
        gcd = node.gcd
        if all(inp == gcd or inp.inputs == {gcd} for inp in node.inputs):
            branches = [None if inp == gcd else inp for inp in overlay.sorted(node.inputs)]
            structure_map[node] = OverlayStructure("HeadBranch", {"branches": branches, "head": node})
    for node in overlay.nodes:
        if len(node.consumers) <= 1 or any(out.consumers for out in node.consumers):
            continue
        branches = overlay.sorted(node.consumers)
        structure_map[branches[-1]] = OverlayStructure("TailBranch", {"branches": branches, "tail": node})
    return overlay.collapse_structures(structure_map)


def parse_structure(node):
    """The nested structure dict (see the module docstring) that the overlay node `node` stands for."""
    if node is None:
        return None
    structure = node.sub_structure
    if structure is None:
        return {"type": "Node", "name": node.name}
    parts = structure.structure
    if structure.structure_type == "Sequence":
        return {"type": "Sequence", "children": [parse_structure(n) for n in parts["sequence"]]}
    if structure.structure_type == "HeadBranch":
        branch = {"type": "Branch", "children": [parse_structure(n) for n in parts["branches"]]}
        return {"type": "Sequence", "children": [branch, parse_structure(parts["head"])]}
    if structure.structure_type == "TailBranch":
        branch = {
            "type": "Branch",
            "subtype": "AuxilliaryHeadBranch",
            "children": [parse_structure(n) for n in parts["branches"]],
        }
        return {"type": "Sequence", "children": [parse_structure(parts["tail"]), branch]}
    data = {
        key: [parse_structure(n) for n in part] if isinstance(part, list) else parse_structure(part)
        for key, part in parts.items()
    }
    data["type"] = structure.structure_type
    return data


def flatten_sequences(structure):
    """`structure` with the children of Sequences nested directly in Sequences spliced into their parent."""
    if structure is None or isinstance(structure, str) or structure["type"] == "Node":
        return structure
    structure = dict(structure)
    if "children" in structure:
        structure["children"] = [flatten_sequences(child) for child in structure["children"]]
    if structure["type"] == "Sequence":
        children = []
        for child in structure["children"]:
            is_sequence = isinstance(child, dict) and child["type"] == "Sequence"
            children.extend(child["children"] if is_sequence else [child])
        structure["children"] = children
    return structure


def parse_overlay(overlay):
    """The whole overlay as one flattened structure dict, or None if it does not collapse into one node."""
    while True:
        collapsed = collapse_branches(collapse_sequences(overlay))
        if len(collapsed.nodes) >= len(overlay.nodes):
            break
        overlay = collapsed
    if len(collapsed.nodes) != 1:
        return None
    return flatten_sequences(parse_structure(collapsed.nodes[0]))


def _names(nodes):
    return [node.name for node in nodes]


def toplevel_group_data(overlay):
    """The blocks along the overlay's main path (from its last node back through each node's gcd): {name of the
    block's node: {"immediate": names of its inputs (or outputs), "all": names of every node in the block (in
    order), "direction": "backward" for a Concat joining its inputs, "forward" for a node split into Splits}}."""
    pres = overlay.nodes[-1]
    tops = [pres]
    while pres.inputs:
        pres = pres.gcd
        tops.append(pres)
    groups = {}
    for top in reversed(tops):
        if top.op in ("Concat", "ConcatV2"):
            inner = top.extended_inputs - top.gcd.extended_inputs - {top.gcd}
            groups[top.name] = {
                "immediate": _names(overlay.sorted(top.inputs)),
                "all": _names(overlay.sorted(inner | {top})),
                "direction": "backward",
            }
        if len(top.consumers) > 1 and all(out.op == "Split" for out in top.consumers):
            inner = top.extended_consumers - top.lcm.extended_consumers - {top.lcm}
            groups[top.name] = {
                "immediate": _names(overlay.sorted(top.consumers)),
                "all": _names(overlay.sorted(inner | {top})),
                "direction": "forward",
            }
    return groups
