"""Small builders for engine inputs in tests."""

from __future__ import annotations

from engine.core import Engine, EngineConfig
from engine.inputs import Scan, SmsIn, Subscribe
from engine.outputs import Output, Reply, Sms, Suppressed
from engine.records import parse_time

TN = "9400111899223456789012"
TN2 = "9400111899223456789029"
DENVER = "+13035550123"
MIAMI = "+13055550142"


def at(text: str) -> int:
    """'2026-12-14T09:31' in Denver local time (UTC-7 in December) -> epoch."""
    if len(text) == 16:
        text += ":00-07:00"
    return parse_time(text)[0]


def scan(when: str, code: str, tn: str = TN, **kw: object) -> Scan:
    fields: dict[str, object] = {"city": "DENVER", "state": "CO", "zip": "80202",
                                 "offset_min": -420}
    fields.update(kw)
    return Scan(at=at(when), tracking_number=tn, event_code=code, **fields)  # type: ignore[arg-type]


def sub(when: str, phone: str = DENVER, tn: str = TN, **kw: object) -> Subscribe:
    return Subscribe(at=at(when), tracking_number=tn, phone=phone, **kw)  # type: ignore[arg-type]


def sms_in(when: str, body: str, phone: str = DENVER) -> SmsIn:
    return SmsIn(at=at(when), sender=phone, body=body)


def engine(*policies: str) -> Engine:
    return Engine(EngineConfig(policies=policies or ("every_scan",)))


def texts(outputs: list[Output]) -> list[Sms | Reply]:
    return [o for o in outputs if isinstance(o, Sms | Reply)]


def notices(outputs: list[Output]) -> list[Sms]:
    """Notifications about scans (what the policies govern)."""
    return [o for o in outputs if isinstance(o, Sms) and o.cause.startswith("scan:")]


def reasons(outputs: list[Output]) -> list[str]:
    return [o.reason for o in outputs if isinstance(o, Suppressed)]
