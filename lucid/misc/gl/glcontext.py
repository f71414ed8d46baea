"""A headless OpenGL context: EGL (Mesa's surfaceless platform or the default display) or OSMesa, via PyOpenGL.

PyOpenGL picks its platform once, from PYOPENGL_PLATFORM, when `OpenGL` is first imported; the render process
sets it to "egl" only if it is unset, just before that import (use PYOPENGL_PLATFORM=osmesa for OSMesa). On Debian the
libraries come from `apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri` (EGL) or `libosmesa6` (OSMesa), and
PyOpenGL from `pip install -e '.[gl]'`.
"""

import ctypes
import importlib
import os

__all__ = [
    "create_local_context",
    "create_opengl_context",
]

_context = None  # the one context of this process: (platform name, objects kept alive, make_current)


def _platform_name():
    """ "egl", "osmesa" or another name: the platform of PyOpenGL, imported with PYOPENGL_PLATFORM defaulting to EGL."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    try:
        importlib.import_module("OpenGL")
    except ImportError:
        raise RuntimeError("PyOpenGL is not installed: `pip install -e '.[gl]'` (or `pip install PyOpenGL`).") from None
    try:
        platform = importlib.import_module("OpenGL.platform").PLATFORM
    except Exception as error:  # noqa: BLE001 - a missing libEGL or libOSMesa raises many exception types
        raise RuntimeError(
            "PyOpenGL could not load its %r platform (%s): install Mesa's libraries, e.g. `apt-get install "
            "libegl1 libegl-mesa0 libgl1-mesa-dri libosmesa6`." % (os.environ["PYOPENGL_PLATFORM"], error)
        ) from None
    name = type(platform).__name__.lower()
    return next((n for n in ("egl", "osmesa") if n in name), name)


def _egl_context(width, height):
    from OpenGL import EGL

    display = EGL.EGL_NO_DISPLAY
    try:  # Mesa's surfaceless platform needs no X server nor GPU device.
        from OpenGL.EGL.EXT.platform_base import eglGetPlatformDisplayEXT

        display = eglGetPlatformDisplayEXT(0x31DD, EGL.EGL_DEFAULT_DISPLAY, None)  # EGL_PLATFORM_SURFACELESS_MESA
    except Exception:  # noqa: BLE001 - no such extension: try the default display below
        pass
    major, minor = EGL.EGLint(), EGL.EGLint()
    if not display or not _egl_ok(EGL.eglInitialize, display, ctypes.pointer(major), ctypes.pointer(minor)):
        display = EGL.eglGetDisplay(EGL.EGL_DEFAULT_DISPLAY)
        if not display or not _egl_ok(EGL.eglInitialize, display, ctypes.pointer(major), ctypes.pointer(minor)):
            raise RuntimeError("EGL found no display to initialize (is libegl-mesa0 installed?).")
    attributes = [EGL.EGL_SURFACE_TYPE, EGL.EGL_PBUFFER_BIT, EGL.EGL_RENDERABLE_TYPE, EGL.EGL_OPENGL_BIT]
    attributes += [EGL.EGL_RED_SIZE, 8, EGL.EGL_GREEN_SIZE, 8, EGL.EGL_BLUE_SIZE, 8, EGL.EGL_DEPTH_SIZE, 24]
    attributes = (EGL.EGLint * (len(attributes) + 1))(*attributes, EGL.EGL_NONE)
    config, count = EGL.EGLConfig(), EGL.EGLint()
    chosen = EGL.eglChooseConfig(display, attributes, ctypes.pointer(config), 1, ctypes.pointer(count))
    if not chosen or not count.value:
        raise RuntimeError("EGL has no configuration for desktop OpenGL with a pbuffer.")
    size = (EGL.EGLint * 5)(EGL.EGL_WIDTH, width, EGL.EGL_HEIGHT, height, EGL.EGL_NONE)
    surface = EGL.eglCreatePbufferSurface(display, config, size)
    EGL.eglBindAPI(EGL.EGL_OPENGL_API)
    context = EGL.eglCreateContext(display, config, EGL.EGL_NO_CONTEXT, None)
    if not context:
        raise RuntimeError("EGL could not create an OpenGL context.")

    def make_current():
        if EGL.eglGetCurrentContext() != context and not EGL.eglMakeCurrent(display, surface, surface, context):
            raise RuntimeError("EGL could not make the OpenGL context current.")

    return (display, surface, context), make_current


def _egl_ok(function, *args):
    """Whether an EGL call succeeds (PyOpenGL raises on some failures and returns false on others)."""
    try:
        return bool(function(*args))
    except Exception:  # noqa: BLE001 - PyOpenGL's EGLError and friends
        return False


def _osmesa_context(width, height):
    from OpenGL import GL, arrays, osmesa

    context = osmesa.OSMesaCreateContextExt(osmesa.OSMESA_RGBA, 24, 0, 0, None)
    if not context:
        raise RuntimeError("OSMesa could not create an OpenGL context (is libosmesa6 installed?).")
    buffer = arrays.GLubyteArray.zeros((height, width, 4))

    def make_current():
        if osmesa.OSMesaGetCurrentContext() != context and not osmesa.OSMesaMakeCurrent(
            context, buffer, GL.GL_UNSIGNED_BYTE, width, height
        ):
            raise RuntimeError("OSMesa could not make the OpenGL context current.")

    return (context, buffer), make_current


def create_opengl_context(surface_size=(640, 480)):
    """Start the shared render process and its headless OpenGL context; later calls reuse it.

    Returns the platform used, "egl" or "osmesa"; raises RuntimeError, saying what is missing, when no context
    can be created. The context lives in a separate process (`glworker`): Mesa's software OpenGL and TensorFlow
    both bundle LLVM and crash when loaded into one process. `glrenderer.MeshRenderer` calls this itself.
    """
    from lucid.misc.gl import glworker

    return glworker.shared_worker().call("context", tuple(int(s) for s in surface_size))


def create_local_context(surface_size):
    """Create a headless OpenGL context in this process and make it current (again, on later calls).

    Only for processes that never load TensorFlow, such as the render process. Returns "egl" or "osmesa".
    """
    global _context
    if _context is None:
        name = _platform_name()
        create = {"egl": _egl_context, "osmesa": _osmesa_context}.get(name)
        if create is None:
            raise RuntimeError(
                "PyOpenGL was imported for the %r platform; headless rendering needs PYOPENGL_PLATFORM=egl or "
                "osmesa, set before OpenGL is first imported." % name
            )
        width, height = surface_size
        try:
            kept, make_current = create(width, height)
        except Exception as error:  # noqa: BLE001 - missing libraries surface as many exception types
            raise RuntimeError("Could not create an %s OpenGL context: %s" % (name, error)) from None
        _context = (name, kept, make_current)
    _context[2]()
    return _context[0]
