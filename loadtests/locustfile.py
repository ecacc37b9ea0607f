"""Peak-season load on the shim: the four actors under a compressed holiday surge.

    python -m locust -f loadtests/locustfile.py --headless --host http://127.0.0.1:8080 \
        --api-key KEY --sms-auth-token TOKEN --season-seconds 60 --peak-users 40

``--help`` lists the project's arguments (``loadtests.options``); thresholds
are checked when Locust quits, so the exit code is 1 on a breach, alone or as
a distributed master. ``eccc loadtest`` does this for you, starting the shim
and setting the secrets. For a single user in a debugger, run this file with Python.
"""

from __future__ import annotations

from loadtests import options  # noqa: F401  (the arguments and the verdict)
from loadtests.actors import CheckoutOptInUser, ScanFeedUser, TexterUser, TrackingPageUser
from loadtests.shapes import SurgeShape

__all__ = ["CheckoutOptInUser", "ScanFeedUser", "SurgeShape", "TexterUser", "TrackingPageUser"]

if __name__ == "__main__":
    from locust import run_single_user

    run_single_user(ScanFeedUser)
