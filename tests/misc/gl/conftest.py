"""The renderer backends of lucid.misc.gl: OpenGL tests skip where there is none, but must run under CI=true."""

import os

import pytest

from lucid.misc.gl import glcontext


def require_opengl():
    """Skip the test when no headless OpenGL context can be created, unless CI=true: then fail."""
    try:
        glcontext.create_opengl_context()
    except RuntimeError as error:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no headless OpenGL (.ci/run installs Mesa's EGL): %s" % error)
        pytest.skip("no headless OpenGL here (%s); under CI=true this fails instead" % error)


@pytest.fixture(params=["gl", "numpy"])
def backend(request):
    """Each MeshRenderer backend in turn: "gl" (skipped without OpenGL outside CI) and "numpy"."""
    if request.param == "gl":
        require_opengl()
    return request.param
