"""Tools the original Lucid kept in `lucid.scratch`: notebook widgets, RL-vision utilities, graph drawing, atlases."""
