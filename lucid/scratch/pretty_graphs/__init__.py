"""Readable diagrams of a model's graph: a plain editable graph (`graph`), a layout of its sequences and branches
drawn as SVG (`format_graph`), and notebook display with tooltips and model comparisons (`visualizations`)."""
