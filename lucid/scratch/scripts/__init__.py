"""Helper scripts the original Lucid kept in `lucid.scratch.scripts`."""
