"""Parse an OverlayGraph into nested structure: chains become Sequences and parallel paths that split at one node
and join at another (Inception blocks, residual blocks) become Branches, repeatedly, until nothing changes.

A parsed structure is a dict: {"type": "Node", "name", "op"}, {"type": "Sequence", "children": [...]},
{"type": "Branch", "input": name, "branches": [[...], ...], "output": structure}, or, for a graph that does not
reduce to one node, {"type": "Graph", "children": [...]} in topological order.
"""

from lucid.misc.graph_analysis.overlay_graph import OverlayStructure


def collapse_sequences(overlay):
    """Collapse every maximal chain (each node the only consumer of the one before, and it its only input) into
    a Sequence held by its last node."""
    structures = {}
    for node in overlay.nodes:
        starts_chain = not (len(node.inputs) == 1 and node.inputs[0].consumers == [node])
        if not starts_chain:
            continue
        chain = [node]
        while len(chain[-1].consumers) == 1 and chain[-1].consumers[0].inputs == [chain[-1]]:
            chain.append(chain[-1].consumers[0])
        if len(chain) > 1:
            structures[chain[-1]] = OverlayStructure("Sequence", {"sequence": chain})
    return overlay.collapse_structures(structures) if structures else overlay


def _branch_structure(overlay, node):
    """The Branch that splits at `node` and joins at its consumers' lcm, if the nodes between connect to nothing
    else and each branch is a separate path; else None."""
    output = node.lcm
    if len(node.consumers) < 2 or output is None:
        return None
    middle = overlay.extended_consumers[node] & overlay.extended_inputs[output]
    if any(set(m.inputs) - middle - {node} or set(m.consumers) - middle - {output} for m in middle):
        return None
    if set(output.inputs) - middle - {node}:
        return None
    branches = []
    for start in node.consumers:
        if start is output:
            branches.append([])
        else:
            branches.append(overlay.sorted((overlay.extended_consumers[start] & middle) | {start}))
    if sum(len(branch) for branch in branches) != len(middle):
        return None  # branches share nodes
    return OverlayStructure("Branch", {"input": node, "branches": branches, "output": output})


def collapse_branches(overlay):
    """Collapse each split-and-join of parallel paths (innermost first, disjoint ones together) into a Branch held
    by its output (joining) node."""
    structures, used = {}, set()
    for node in reversed(overlay.nodes):
        structure = _branch_structure(overlay, node)
        if structure is not None and not used.intersection(structure.children):
            structures[structure.structure["output"]] = structure
            used.update(structure.children)
    return overlay.collapse_structures(structures) if structures else overlay


def parse_structure(node):
    """The nested structure dict (see the module docstring) that `node` stands for."""
    structure = node.sub_structure
    if structure is None:
        return {"type": "Node", "name": node.name, "op": node.op}
    if structure.structure_type == "Sequence":
        return {"type": "Sequence", "children": [parse_structure(child) for child in structure.children]}
    return {
        "type": "Branch",
        "input": structure.structure["input"].name,
        "branches": [[parse_structure(child) for child in branch] for branch in structure.structure["branches"]],
        "output": parse_structure(structure.structure["output"]),
    }


def flatten_sequences(structure):
    """`structure` with Sequences nested directly in Sequences spliced into their parent, and a Branch whose output
    is a Sequence split into the Branch (joining at the Sequence's first node) followed by the rest."""
    kind = structure["type"]
    if kind == "Node":
        return structure
    if kind == "Branch":
        branches = [[flatten_sequences(s) for s in branch] for branch in structure["branches"]]
        output = flatten_sequences(structure["output"])
        if output["type"] != "Sequence":
            return dict(structure, branches=branches, output=output)
        # A chain that starts at the joining node: the branch joins at its first node, the rest follows the branch.
        branch = dict(structure, branches=branches, output=output["children"][0])
        return {"type": "Sequence", "children": [branch] + output["children"][1:]}
    children = []
    for child in map(flatten_sequences, structure["children"]):
        children.extend(child["children"] if child["type"] == "Sequence" else [child])
    return dict(structure, children=children)


def _collapse_all(overlay):
    while True:
        collapsed = collapse_branches(collapse_sequences(overlay))
        if len(collapsed.nodes) == len(overlay.nodes):
            return collapsed
        overlay = collapsed


def parse_overlay(overlay):
    """The whole overlay as one flattened structure dict (see the module docstring)."""
    collapsed = _collapse_all(overlay)
    if len(collapsed.nodes) == 1:
        return flatten_sequences(parse_structure(collapsed.nodes[0]))
    return flatten_sequences({"type": "Graph", "children": [parse_structure(node) for node in collapsed.nodes]})


def _names(structure):
    if structure["type"] == "Node":
        return [structure["name"]]
    if structure["type"] == "Branch":
        inner = [name for branch in structure["branches"] for s in branch for name in _names(s)]
        return inner + _names(structure["output"])
    return [name for child in structure["children"] for name in _names(child)]


def toplevel_group_data(overlay):
    """The top-level parts of the parsed overlay, in order: a list of {"type", "nodes": [op names]} dicts (a block
    of a network is one Branch part, for example), for grouping or highlighting nodes in a drawing."""
    parsed = parse_overlay(overlay)
    parts = parsed["children"] if parsed["type"] in ("Sequence", "Graph") else [parsed]
    return [{"type": part["type"], "nodes": _names(part)} for part in parts]
