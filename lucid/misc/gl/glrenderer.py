"""Render a mesh into a UV map: which texture coordinate each pixel sees, for texture optimization in TF.

`MeshRenderer(size).render_mesh(position, uv, face, modelview=view)` returns an [h, w, 4] float32 frame, rows
top-down: the vertex attribute `uv` (1 to 4 components, completed as OpenGL completes a vec4 attribute: y = z = 0,
w = 1) interpolated in the four channels, `clear_color` where no triangle is seen. So a 2-component uv gives
(u, v, 0, 1) where the mesh is seen, the last channel being coverage. It draws with headless OpenGL
in the render process of `glworker` (which calls `draw`) and, where no OpenGL context can be created, with the
NumPy rasterizer of `rasterizer`, which gives the same frames more slowly.
"""

import logging

import numpy as np

from lucid.misc.gl import glcontext, glworker, meshutil
from lucid.misc.gl.meshutil import perspective  # noqa: F401 -- the original's glrenderer re-exports it
from lucid.misc.gl.rasterizer import rasterize

__all__ = [
    "draw",
    "FBO",
    "GLObject",
    "MeshRenderer",
    "perspective",
    "Shader",
    "Texture",
]

log = logging.getLogger(__name__)

_VERTEX_SHADER = """
#version 120
uniform mat4 MVP;
attribute vec4 position;
attribute vec4 uv;
varying vec4 v_uv;
void main() {
  gl_Position = MVP * position;
  v_uv = uv;
}
"""

_FRAGMENT_SHADER = """
#version 120
varying vec4 v_uv;
void main() {
  gl_FragColor = v_uv;
}
"""


_IDENTITY = np.eye(4)  # the original's default modelview (float64)
_IDENTITY.flags.writeable = False


def _gl():
    from OpenGL import GL

    return GL


class GLObject:
    """An OpenGL object: `with obj:` binds it for the block, `release()` deletes it."""

    def __enter__(self):
        self.bind()
        return self

    def __exit__(self, *exc_info):
        self.unbind()

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - the context may be gone when Python collects the object
            pass


class Texture(GLObject):
    """A 2D texture, by default the float RGBA colour target of an `FBO`."""

    def __init__(self):
        GL = _gl()
        self.handle = GL.glGenTextures(1)

    def bind(self):
        _gl().glBindTexture(_gl().GL_TEXTURE_2D, self.handle)

    def unbind(self):
        _gl().glBindTexture(_gl().GL_TEXTURE_2D, 0)

    def allocate(self, size):
        """Storage for `size` = (w, h) float32 RGBA texels, sampled without filtering."""
        GL = _gl()
        with self:
            GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA32F, size[0], size[1], 0, GL.GL_RGBA, GL.GL_FLOAT, None)
            GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_NEAREST)
            GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_NEAREST)

    def release(self):
        if getattr(self, "handle", None):
            _gl().glDeleteTextures([self.handle])
            self.handle = None


class FBO(GLObject):
    """A framebuffer with a float RGBA texture and a 24-bit depth buffer; `resize((w, h))` before drawing."""

    def __init__(self):
        GL = _gl()
        self.handle = GL.glGenFramebuffers(1)
        self.color = Texture()
        self.depth = GL.glGenRenderbuffers(1)

    def bind(self):
        _gl().glBindFramebuffer(_gl().GL_FRAMEBUFFER, self.handle)

    def unbind(self):
        _gl().glBindFramebuffer(_gl().GL_FRAMEBUFFER, 0)

    def resize(self, size):
        GL = _gl()
        self.color.allocate(size)
        GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, self.depth)
        GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_DEPTH_COMPONENT24, size[0], size[1])
        with self:
            GL.glFramebufferTexture2D(
                GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, self.color.handle, 0
            )
            GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, GL.GL_DEPTH_ATTACHMENT, GL.GL_RENDERBUFFER, self.depth)
            status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise RuntimeError("OpenGL cannot render into a float RGBA framebuffer (status 0x%x)." % status)

    def release(self):
        if getattr(self, "handle", None):
            GL = _gl()
            GL.glDeleteFramebuffers(1, [self.handle])
            GL.glDeleteRenderbuffers(1, [self.depth])
            self.color.release()
            self.handle = None


class Shader(GLObject):
    """A linked GLSL program; `shader[name]` is the location of a uniform, `shader.attribute(name)` of an
    attribute."""

    def __init__(self, vp_code, fp_code):
        GL = _gl()
        self.handle = GL.glCreateProgram()
        stages = [self._compile(GL.GL_VERTEX_SHADER, vp_code), self._compile(GL.GL_FRAGMENT_SHADER, fp_code)]
        for stage in stages:
            GL.glAttachShader(self.handle, stage)
        GL.glLinkProgram(self.handle)
        for stage in stages:
            GL.glDeleteShader(stage)
        if GL.glGetProgramiv(self.handle, GL.GL_LINK_STATUS) != GL.GL_TRUE:
            raise RuntimeError("GLSL program did not link: %s" % GL.glGetProgramInfoLog(self.handle))

    @staticmethod
    def _compile(kind, code):
        GL = _gl()
        shader = GL.glCreateShader(kind)
        GL.glShaderSource(shader, code)
        GL.glCompileShader(shader)
        if GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS) != GL.GL_TRUE:
            raise RuntimeError("GLSL shader did not compile: %s" % GL.glGetShaderInfoLog(shader))
        return shader

    def __getitem__(self, name):
        return _gl().glGetUniformLocation(self.handle, name)

    def attribute(self, name):
        return _gl().glGetAttribLocation(self.handle, name)

    def bind(self):
        _gl().glUseProgram(self.handle)

    def unbind(self):
        _gl().glUseProgram(0)

    def release(self):
        if getattr(self, "handle", None):
            _gl().glDeleteProgram(self.handle)
            self.handle = None


def _size(size):
    """(w, h) from an int or a pair of positive ints."""
    pair = (size, size) if np.ndim(size) == 0 else tuple(size)
    if len(pair) != 2 or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in pair):
        raise ValueError("size must be a positive int or a (width, height) pair of them; got %r." % (size,))
    return int(pair[0]), int(pair[1])


def _mesh_arrays(position, uv, face, modelview):
    """Checked float32 position [n, 4], uv [n, 4] (completed like a GL vec4), int32 face [m, 3], modelview [4, 4]."""
    position = np.asarray(position, np.float32)
    uv = np.asarray(uv, np.float32)
    if position.ndim != 2 or position.shape[1] not in (3, 4):
        raise ValueError("position must have shape [n, 3] (or [n, 4]), got %s." % (position.shape,))
    if uv.ndim != 2 or len(uv) != len(position) or not 1 <= uv.shape[1] <= 4:
        raise ValueError(
            "uv must have shape [n, 2] (1 to 4 components) for %d vertices, got %s." % (len(position), uv.shape)
        )
    if face is None:
        face = np.arange(len(position) - len(position) % 3)
    face = np.asarray(face)
    if not np.issubdtype(face.dtype, np.integer) or face.size % 3:
        raise ValueError("face must hold integer vertex indices, 3 per triangle; got %s %s." % (face.dtype, face.shape))
    face = face.reshape(-1, 3).astype(np.int32)
    if face.size and (face.min() < 0 or face.max() >= len(position)):
        raise ValueError("face has indices outside [0, %d): they must index position." % len(position))
    modelview = np.asarray(modelview, np.float32)
    if modelview.shape != (4, 4) or not np.all(np.isfinite(modelview)):
        raise ValueError("modelview must be a finite 4x4 matrix such as meshutil.lookat(...), got %r." % (modelview,))
    if position.shape[1] == 3:
        position = np.concatenate([position, np.ones_like(position[:, :1])], 1)
    defaults = np.broadcast_to(np.float32([0, 0, 0, 1])[uv.shape[1] :], (len(uv), 4 - uv.shape[1]))
    uv = np.concatenate([uv, defaults], 1)
    return position, uv, face, modelview


_targets = {}  # in the render process: size -> (FBO, Shader)


def draw(size, position, uv, face, mvp, clear_color):
    """Draw a frame with OpenGL in this process (the render process); arguments as checked by MeshRenderer."""
    GL = _gl()
    glcontext.create_local_context(size)
    if size not in _targets:
        fbo = FBO()
        fbo.resize(size)
        _targets[size] = fbo, Shader(_VERTEX_SHADER, _FRAGMENT_SHADER)
    fbo, shader = _targets[size]
    w, h = size
    with fbo, shader:
        GL.glViewport(0, 0, w, h)
        GL.glClearColor(*clear_color)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)
        GL.glUniformMatrix4fv(shader["MVP"], 1, GL.GL_TRUE, np.ascontiguousarray(mvp, np.float32))
        locations = [shader.attribute("position"), shader.attribute("uv")]
        for location, data in zip(locations, [position, uv]):
            GL.glEnableVertexAttribArray(location)
            GL.glVertexAttribPointer(location, data.shape[1], GL.GL_FLOAT, GL.GL_FALSE, 0, data)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDrawElements(GL.GL_TRIANGLES, face.size, GL.GL_UNSIGNED_INT, face.astype(np.uint32))
        GL.glDisable(GL.GL_DEPTH_TEST)
        for location in locations:
            GL.glDisableVertexAttribArray(location)
        frame = GL.glReadPixels(0, 0, w, h, GL.GL_RGBA, GL.GL_FLOAT)
    return np.asarray(frame, np.float32).reshape(h, w, 4)[::-1].copy()


class MeshRenderer:
    """Renders meshes into [h, w, 4] UV frames of `size` (an int or (w, h)) through a camera with a 10 degree
    vertical field of view. `backend`: "gl", "numpy", or None for OpenGL when a context can be created."""

    def __init__(self, size, backend=None):
        self.size = _size(size)
        self.fovy = 10.0
        self.aspect = self.size[0] / self.size[1]
        self.znear, self.zfar = 0.01, 100.0
        if backend not in (None, "gl", "numpy"):
            raise ValueError('backend must be "gl", "numpy" or None (OpenGL if available); got %r.' % (backend,))
        if backend is None:
            try:
                glcontext.create_opengl_context()
                backend = "gl"
            except RuntimeError as error:
                log.warning("No OpenGL (%s); rendering meshes with the slower NumPy rasterizer.", error)
                backend = "numpy"
        elif backend == "gl":
            glcontext.create_opengl_context()
        self.backend = backend

    def proj_matrix(self):
        """The projection matrix perspective(fovy, aspect, znear, zfar), for row vectors as the original's."""
        return meshutil.perspective(self.fovy, self.aspect, self.znear, self.zfar)

    def render_mesh(self, position, uv, face=None, clear_color=[0, 0, 0, 0], modelview=_IDENTITY):  # noqa: B006
        """The [h, w, 4] frame of the triangles `face` (consecutive vertex triples if None) seen through
        `modelview` (a view matrix, e.g. `meshutil.sample_view(10.0, 12.0)` for a normalized mesh)."""
        position, uv, face, modelview = _mesh_arrays(position, uv, face, modelview)
        clear_color = tuple(float(c) for c in np.broadcast_to(np.asarray(clear_color, np.float32), (4,)))
        mvp = self.proj_matrix().T @ modelview  # column vectors: clip = mvp @ [x, y, z, 1]
        if self.backend == "numpy":
            return rasterize(position, uv, face, mvp, self.size, clear_color)
        return glworker.shared_worker().call("render", self.size, position, uv, face, mvp, clear_color)
