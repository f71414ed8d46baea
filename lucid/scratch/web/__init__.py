"""Interactive notebook output: Svelte 2 components (`svelte`) and embedded Observable notebooks (`observable`)."""
