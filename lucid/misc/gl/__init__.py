"""Rendering meshes for 3D feature visualization: `meshutil` (matrices, .obj loading, procedural meshes),
`glcontext` (a headless OpenGL context) and `glrenderer` (`MeshRenderer`, UV maps of a mesh from a view)."""
