"""Locust users, one per actor of the notification service.

Thin, as Locust's own examples are: each user picks a record from
``loadtests.traffic`` and sends it; there is no business logic here. Rates
come from the scenario's customer mix (``traffic.actor_weights``). Secrets
come from the environment (``ECCC_API_KEY``, ``ECCC_SMS_AUTH_TOKEN``), as
``eccc loadtest`` sets them for the shim it starts.

Imports Locust (and so gevent's monkey patching): load only in a Locust process.
"""

from __future__ import annotations

import itertools
import os
import random
from typing import Any
from urllib.parse import urlencode

import orjson
from locust import FastHttpUser, constant_throughput, task

from loadtests.guards import API_KEY_ENV, AUTH_TOKEN_ENV, signature
from loadtests.traffic import (
    SCAN_BATCH,
    ScanFeed,
    SimClock,
    actor_weights,
    checkout_opt_in,
    known_parcel,
    phone,
    text_body,
)

WEIGHTS = actor_weights()
RATE_PER_WEIGHT = float(os.environ.get("ECCC_RATE_PER_WEIGHT", "1.0"))  # requests/s
CLOCK = SimClock(float(os.environ.get("ECCC_CLOCK_SPEED", "600")),
                 float(os.environ.get("ECCC_CLOCK_START", "0")) or None)
_feeders = itertools.count(int(os.environ.get("ECCC_FEEDER_BASE", str(os.getpid() % 997))))


def pace(actor: str) -> Any:
    """Each actor's users act at a rate in proportion to its share of the mix.

    Equal user counts per actor with unequal rates, rather than weighted user
    counts: a small test (a few users) still has every actor in it.
    """
    return constant_throughput(RATE_PER_WEIGHT * WEIGHTS[actor])


def api_headers() -> dict[str, str]:
    return {"X-API-Key": os.environ.get(API_KEY_ENV, ""), "Content-Type": "application/json"}


class ScanFeedUser(FastHttpUser):
    """The tracking system pushing scans in batches (JSON lines)."""

    wait_time = pace("scan_feed")

    def on_start(self) -> None:
        self.rng = random.Random()
        self.feed = ScanFeed(next(_feeders), self.rng)

    @task
    def scans(self) -> None:
        body = b"\n".join(orjson.dumps(r) for r in self.feed.batch(CLOCK.now(), SCAN_BATCH))
        self.client.post("/v1/events:batch", data=body.decode(), headers=api_headers(),
                         name="/v1/events:batch (scan feed)")


class CheckoutOptInUser(FastHttpUser):
    """Shops' checkouts (and the tracking page) subscribing a phone to a parcel."""

    wait_time = pace("checkout")

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def opt_in(self) -> None:
        record = orjson.dumps(checkout_opt_in(self.rng, CLOCK.now())).decode()
        self.client.post("/v1/events", data=record, headers=api_headers(),
                         name="/v1/events (opt-in)")


class TexterUser(FastHttpUser):
    """People texting the short code: tracking numbers, WHEN, HELP, YES, STOP.

    Goes through the provider webhook, signed as the provider signs it.
    """

    wait_time = pace("texting")

    def on_start(self) -> None:
        self.rng = random.Random()
        self.phone = phone(self.rng)
        self.token = os.environ.get(AUTH_TOKEN_ENV, "")

    @task
    def text(self) -> None:
        params = {"From": self.phone, "To": "28777", "Body": text_body(self.rng),
                  "MessageSid": f"SM{self.rng.getrandbits(64):016x}"}
        url = f"{self.host}/v1/sms/inbound"
        headers = {"X-Twilio-Signature": signature(self.token, url, params.items()),
                   "Content-Type": "application/x-www-form-urlencoded"}
        self.client.post("/v1/sms/inbound", data=urlencode(params), headers=headers)


class TrackingPageUser(FastHttpUser):
    """The tracking page looking parcels up (a parcel not seen yet is a normal 404)."""

    wait_time = pace("tracking_page")

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def lookup(self) -> None:
        with self.client.get(f"/v1/parcels/{known_parcel(self.rng)}", headers=api_headers(),
                             name="/v1/parcels/[trackingNumber]",
                             catch_response=True) as response:
            if response.status_code in (200, 404):
                response.success()
