"""Test-wide settings.

Hypothesis explores new examples on every local run; under CI (CI=true) it
runs derandomized, so a CI result is reproducible and a red run is not luck.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
