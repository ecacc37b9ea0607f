"""The engine's events keep every dataclass promise with their quicker ``__init__``."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from engine import inputs, outputs
from engine.frozen import quick_init

SAMPLE: dict[str, Any] = {
    "at": 1_797_358_200, "tracking_number": "9400111899223197428490", "event_code": "OF",
    "phone": "+13035550123", "sender": "+13035550123", "body": "YES", "message_id": "ab12",
    "status": "delivered", "to": "+13035550123", "encoding": "GSM-7", "segments": 1,
    "cause": "scan:OF", "reason": "quiet_hours", "until": 1_797_400_000,
}
CLASSES = [inputs.Scan, inputs.Subscribe, inputs.SmsIn, inputs.Receipt, inputs.Wake,
           outputs.Sms, outputs.Reply, outputs.Suppressed, outputs.Redacted, outputs.Held,
           outputs.WakeAt]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_same_fields_defaults_and_freezing_as_the_dataclass(cls: type) -> None:
    fields = dataclasses.fields(cls)
    required = {f.name: SAMPLE[f.name] for f in fields if f.default is dataclasses.MISSING}
    obj = cls(**required)
    for f in fields:
        want = required.get(f.name, f.default)
        assert getattr(obj, f.name) == want
    assert obj == cls(**required) and hash(obj) == hash(cls(**required))
    assert repr(obj).startswith(f"{cls.__name__}(")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, fields[0].name, SAMPLE["at"] + 1)
    with pytest.raises(TypeError):
        cls(*required.values())  # keyword-only
    if required:
        with pytest.raises(TypeError, match="missing"):
            cls()
    with pytest.raises(TypeError, match="unexpected keyword"):
        cls(**required, colour="red")


def test_inputs_still_check_themselves() -> None:
    with pytest.raises(inputs.InvalidInput):
        inputs.Receipt(at=SAMPLE["at"], message_id="x", status="lost")


def test_only_frozen_slotted_keyword_dataclasses() -> None:
    @dataclasses.dataclass(slots=True, kw_only=True)
    class Loose:
        a: int

    with pytest.raises(TypeError):
        quick_init(Loose)

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class WithFactory:
        a: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError):
        quick_init(WithFactory)
