"""Shared fixtures: a fresh graph and session per test, quiet TensorFlow logs."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
import tensorflow as tf


@pytest.fixture
def sess():
    """A new tf.Graph made default with a tf.compat.v1.Session on it (eager stays on outside)."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as session:
        yield session


@pytest.fixture(autouse=True)
def _numpy_seed():
    np.random.seed(0)
