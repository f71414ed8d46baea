"""The headless Chromium of the browser tests: its path, or a skip (a failure under CI=true, where .ci/run
installs Debian's chromium)."""

import os
import shutil

import pytest


def chromium_or_skip():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("headless Chromium is missing: .ci/run installs Debian's chromium (apt-get install chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    return chromium
