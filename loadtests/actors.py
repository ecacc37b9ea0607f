"""Locust users, one per actor of the notification service.

Thin, as Locust's own examples are: each user picks a record from
``loadtests.traffic`` and sends it; there is no business logic here. Rates
come from the scenario's customer mix (``traffic.actor_weights``). Settings
and secrets are Locust arguments (``loadtests.options``: ``--api-key``,
``--sms-auth-token``, ``--rate-per-weight``, ``--clock-speed``, ``--scenario``).

Imports Locust (and so gevent's monkey patching): load only in a Locust process.
"""

from __future__ import annotations

import functools
import itertools
import os
import random
from urllib.parse import urlencode

import orjson
from locust import FastHttpUser, constant_throughput, task

from loadtests.guards import signature
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

_feeders = itertools.count(os.getpid() % 997)


@functools.cache
def _weights(scenario: str, lookups: float) -> dict[str, int]:
    return actor_weights(scenario, lookups)


@functools.cache
def _clock(speed: float, start: float) -> SimClock:
    return SimClock(speed, start or None)


class ActorUser(FastHttpUser):
    """What the actors share: a pace from the mix, the run's clock, the API key.

    Each actor's users act at a rate in proportion to its share of the mix:
    equal user counts per actor with unequal rates, rather than weighted user
    counts, so a small test (a few users) still has every actor in it.
    """

    abstract = True
    actor = ""

    def wait_time(self) -> float:
        pace = self.__dict__.get("_pace")
        if pace is None:
            opts = self.environment.parsed_options
            weights = _weights(opts.scenario, opts.lookups_per_parcel)
            pace = self._pace = constant_throughput(opts.rate_per_weight * weights[self.actor])
        wait: float = pace(self)
        return wait

    @property
    def clock(self) -> SimClock:
        opts = self.environment.parsed_options
        return _clock(opts.clock_speed, opts.start_epoch)

    def api_headers(self) -> dict[str, str]:
        return {"X-API-Key": self.environment.parsed_options.api_key,
                "Content-Type": "application/json"}


class ScanFeedUser(ActorUser):
    """The tracking system pushing scans in batches (JSON lines)."""

    actor = "scan_feed"

    def on_start(self) -> None:
        self.rng = random.Random()
        self.feed = ScanFeed(next(_feeders), self.rng)

    @task
    def scans(self) -> None:
        body = b"\n".join(orjson.dumps(r) for r in self.feed.batch(self.clock.now(), SCAN_BATCH))
        self.client.post("/v1/events:batch", data=body.decode(), headers=self.api_headers(),
                         name="/v1/events:batch (scan feed)")


class CheckoutOptInUser(ActorUser):
    """Shops' checkouts (and the tracking page) subscribing a phone to a parcel."""

    actor = "checkout"

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def opt_in(self) -> None:
        record = orjson.dumps(checkout_opt_in(self.rng, self.clock.now())).decode()
        self.client.post("/v1/events", data=record, headers=self.api_headers(),
                         name="/v1/events (opt-in)")


class TexterUser(ActorUser):
    """People texting the short code: tracking numbers, WHEN, HELP, YES, STOP.

    Goes through the provider webhook, signed as the provider signs it.
    """

    actor = "texting"

    def on_start(self) -> None:
        self.rng = random.Random()
        self.phone = phone(self.rng)
        self.token = self.environment.parsed_options.sms_auth_token

    @task
    def text(self) -> None:
        params = {"From": self.phone, "To": "28777", "Body": text_body(self.rng),
                  "MessageSid": f"SM{self.rng.getrandbits(64):016x}"}
        url = f"{self.host}/v1/sms/inbound"
        headers = {"X-Twilio-Signature": signature(self.token, url, params.items()),
                   "Content-Type": "application/x-www-form-urlencoded"}
        self.client.post("/v1/sms/inbound", data=urlencode(params), headers=headers)


class TrackingPageUser(ActorUser):
    """The tracking page looking parcels up (a parcel not seen yet is a normal 404)."""

    actor = "tracking_page"

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def lookup(self) -> None:
        with self.client.get(f"/v1/parcels/{known_parcel(self.rng)}", headers=self.api_headers(),
                             name="/v1/parcels/[trackingNumber]",
                             catch_response=True) as response:
            if response.status_code in (200, 404):
                response.success()
