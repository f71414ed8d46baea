"""Install lucid: `pip install -e .` (add `[test]` for the test tools)."""

from importlib import metadata

from setuptools import find_packages, setup


def _tensorflow_requirement():
    """Keep a TensorFlow the user already has (GPU `tensorflow`, `tensorflow-cpu`...); else the CPU wheel.

    Asking for `tensorflow-cpu` next to an installed `tensorflow` would put two builds in one package folder.
    """
    for dist in ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tf-nightly"):
        try:
            metadata.version(dist)
            return dist + ">=2.12"
        except metadata.PackageNotFoundError:
            pass
    return "tensorflow-cpu>=2.12"


setup(
    name="lucid",
    version="0.3.10",
    description="Feature visualization for TensorFlow graphs: a TF2 successor of Google's Lucid",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["lucid", "lucid.*"]),
    package_data={
        "lucid.modelzoo.embedded": ["*.pb", "*.txt", "*.md"],
        "lucid.optvis.param": ["*.npy"],
        "lucid.misc.gl": ["*.js"],
    },
    install_requires=[
        _tensorflow_requirement(),
        "numpy",
        "pillow",
        "ipython",
        "filelock",
    ],
    extras_require={
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
            "cryptography",
            "PyOpenGL",
            "fsspec",
            # pinned: a newer ruff may format differently and fail the lint step of .ci/run
            "ruff==0.17.6",
        ],
        # ChannelReducer (NMF, PCA...) and the activation atlas layout use scikit-learn's decompositions and
        # t-SNE; UMAP is used for atlases when installed (`pip install umap-learn`).
        "recipes": ["scikit-learn"],
        # lucid.scratch.rl_util loads the RL-vision notebook's joblib files and factorises layers with scikit-learn's
        # NMF; lucid.misc.convert_matplotlib turns matplotlib figures into images.
        "scratch": ["joblib", "scikit-learn", "matplotlib"],
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
