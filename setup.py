"""Install lucid (distribution `lucid-tf2`, import name `lucid`): `pip install -e .`, with `[test]` for the tests."""

import pathlib
import re

from setuptools import find_packages, setup

HERE = pathlib.Path(__file__).parent
# One version, kept in lucid/__init__.py; read as text so that building needs no TensorFlow.
VERSION = re.search(r'^__version__ = "([^"]+)"', (HERE / "lucid" / "__init__.py").read_text(), re.M).group(1)

setup(
    name="lucid-tf2",
    version=VERSION,
    description="Feature visualization for TensorFlow graphs: a TF2 successor of Google's Lucid",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["lucid", "lucid.*"]),
    package_data={
        # PEP 561: the package's type hints are for its users' type checkers too.
        "lucid": ["py.typed"],
        "lucid.modelzoo.embedded": ["*.pb", "*.txt", "*.md"],
        "lucid.optvis.param": ["*.npy"],
        "lucid.misc.gl": ["*.js"],
        # The lockfile %%html_define_svelte installs its toolchain from (lucid/scratch/web/svelte.py).
        "lucid.scratch.web": ["svelte_toolchain/*.json"],
    },
    # `tensorflow` is the one build that runs on CPU everywhere and on GPU (Linux: `tensorflow[and-cuda]`, our
    # `gpu` extra). A wheel's requirements are fixed when it is built, so they cannot follow what the user has;
    # users of another build (`tensorflow-cpu`, `tf-nightly`) install lucid with `--no-deps` (README).
    install_requires=[
        "tensorflow>=2.12",
        "numpy",
        "pillow",
        # lucid.misc.ndimage_utils.resize is scipy.ndimage.zoom, as in the original (recipes and MACO resize images)
        "scipy",
        "ipython",
        "filelock",
    ],
    extras_require={
        # TensorFlow with the CUDA libraries from the package index (Linux).
        "gpu": ["tensorflow[and-cuda]>=2.12"],
        # nbclient/nbformat/ipykernel run the example notebook in a real Jupyter kernel; hypothesis drives the
        # property-based tests of bad input.
        "test": [
            "pytest",
            "hypothesis",
            "nbclient",
            "nbformat",
            "ipykernel",
            "scikit-learn",
            "joblib",
            "matplotlib",
            "dask[distributed]>=2023.1",
            "PyOpenGL",
            "fsspec",
            # tests/misc/io/test_redirects.py makes a TLS certificate for its local https server, lucid.scale's
            # local cluster one for its client, scheduler and workers.
            "cryptography",
            # pinned: a newer ruff may format differently and fail the lint step of .ci/run
            "ruff==0.17.6",
            # .ci/run builds the wheel and sdist that it installs into a fresh virtual environment.
            "build",
            # type-checks lucid.optvis, modelzoo, misc.io and scale (mypy.ini) in .ci/run.
            "mypy",
        ],
        # ChannelReducer (NMF, PCA...) and the activation atlas layout use scikit-learn's decompositions and
        # t-SNE; UMAP is used for atlases when installed (`pip install umap-learn`).
        "recipes": ["scikit-learn"],
        # lucid.scratch.rl_util loads the RL-vision notebook's joblib files, factorises layers with scikit-learn's
        # NMF and resamples with scipy.ndimage.zoom (as the original); lucid.misc.convert_matplotlib turns
        # matplotlib figures into images.
        "scratch": ["joblib", "scikit-learn", "scipy", "matplotlib"],
        # The API reference and the rendered quickstart notebook (`mkdocs build`, see mkdocs.yml).
        "docs": ["mkdocs>=1.6,<2", "mkdocstrings[python]>=0.26", "mkdocs-jupyter>=0.25"],
        # lucid.scale renders whole layers on a dask.distributed cluster (local by default) into a store on any
        # fsspec filesystem (local, s3:// with s3fs, gs:// with gcsfs...).
        # cryptography makes the temporary TLS certificate of the local cluster (client, scheduler and workers
        # authenticate each other).
        "scale": ["dask[distributed]>=2023.1", "fsspec", "cryptography"],
        # lucid.misc.gl renders meshes with headless OpenGL (EGL or OSMesa from the system's Mesa); without it,
        # a NumPy rasterizer draws the same frames more slowly.
        "gl": ["PyOpenGL"],
    },
    entry_points={
        "console_scripts": [
            "lucid-render = lucid.cli:main",
            "lucid-render-sweep = lucid.cli:sweep_main",
            "lucid-microscope = lucid.cli:microscope_main",
        ],
    },
)
