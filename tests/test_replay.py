"""`eccc replay`: the file driver, its summary and its handling of bad records."""

import bz2
import gzip
import lzma
from pathlib import Path

import orjson
import pytest

from eccc.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "example_trace.jsonl"
TN = "9400111899223456789012"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_example_trace_replays_with_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    out = tmp_path / "out.jsonl"
    code = main(["replay", str(EXAMPLE), "--policy", "milestones", "--policy", "quiet_hours",
                 "--out", str(out), "--json"])
    assert code == 0
    summary = orjson.loads(capsys.readouterr().out)
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    sms = [r for r in records if r["kind"] in ("sms", "reply")]
    assert summary["texts_total"] == len(sms) > 100
    assert summary["segments_total"] == sum(r["segments"] for r in sms)
    assert summary["inputs_rejected"] == 0
    assert summary["suppressed_opted_out"] > 0  # the trace has a STOP
    assert summary["held_quiet_hours"] > 0
    assert {r["encoding"] for r in sms} == {"GSM-7", "UCS-2"}
    assert all(r["messageId"] for r in sms)
    assert len({r["messageId"] for r in sms}) == len(sms)


def test_a_text_outside_gsm7_is_written_as_ucs2(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A shop's name in another script stays as written, and its texts go out as UCS-2."""
    trace = write(tmp_path / "t.jsonl", [
        orjson.dumps({"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00",
                      "trackingNumber": TN, "phone": "+13035550123", "channel": "checkout",
                      "merchant": "Магазин"}).decode(),
        orjson.dumps({"kind": "scan", "at": "2026-12-14T10:00:00-07:00",
                      "trackingNumber": TN, "eventCode": "03"}).decode(),
    ])
    out = tmp_path / "o.jsonl"
    assert main(["replay", str(trace), "--out", str(out), "--json"]) == 0
    summary = orjson.loads(capsys.readouterr().out)
    sms = [r for r in map(orjson.loads, out.read_bytes().splitlines())
           if r["kind"] in ("sms", "reply")]
    assert sms and all(r["encoding"] == "UCS-2" and "Магазин" in r["body"] for r in sms)
    assert summary["segments_total"] == sum(r["segments"] for r in sms) > len(sms)


def test_bad_records_are_reported_with_line_numbers_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good_sub = orjson.dumps({"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00",
                             "trackingNumber": TN, "phone": "+13035550123",
                             "channel": "checkout"}).decode()
    good_scan = orjson.dumps({"kind": "scan", "at": "2026-12-14T10:00:00-07:00",
                              "trackingNumber": TN, "eventCode": "03"}).decode()
    trace = write(tmp_path / "t.jsonl", [
        good_sub,
        "{not json",
        '{"kind":"scan","at":"2026-12-14T10:00:00","trackingNumber":"1","eventCode":"03"}',
        "",
        '{"kind":"subscribe","at":"2026-12-14T09:00:00Z","trackingNumber":"1","phone":"+1555"}',
        '["a list"]',
        good_scan,
        '{"kind":"sms_in","at":"2026-12-14T11:00:00Z","from":"+13035550123","body":"STOP"}',
    ])
    out = tmp_path / "o.jsonl"
    assert main(["replay", str(trace), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    for line in (2, 3, 5, 6):
        assert f"t.jsonl:{line}:" in err
    assert "no UTC offset" in err and "phone" in err
    kinds = [orjson.loads(x)["kind"] for x in out.read_bytes().splitlines()]
    assert kinds == ["sms", "sms", "reply"]  # welcome, the scan, the STOP confirmation
    assert main(["replay", str(trace), "--strict"]) == 1


def test_unknown_policy_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    assert main(["replay", str(EXAMPLE), "--policy", "sometimes"]) == 2
    assert "known policies" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such trace file" in capsys.readouterr().err


def test_replay_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    args = ["--policy", "every_scan", "--policy", "digest:minutes=45", "--policy",
            "cap_calendar:limit=4"]
    assert main(["replay", str(EXAMPLE), "--out", str(a), *args]) == 0
    assert main(["replay", str(EXAMPLE), "--out", str(b), *args]) == 0
    assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 10_000


def test_records_round_trip() -> None:
    from engine.records import from_input, to_input

    for line in EXAMPLE.read_bytes().splitlines()[:300]:
        rec = orjson.loads(line)
        assert to_input(from_input(to_input(rec))) == to_input(rec)


GOOD_SUB = orjson.dumps({"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00",
                         "trackingNumber": TN, "phone": "+13035550123"})
GOOD_SCAN = orjson.dumps({"kind": "scan", "at": "2026-12-14T10:00:00-07:00",
                          "trackingNumber": TN, "eventCode": "03"})


def _replay_json(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code = main(["replay", str(path), "--json", "--quiet"])
    captured = capsys.readouterr()
    summary = orjson.loads(captured.out) if captured.out.strip() else {}
    return code, summary, captured.err


def test_a_utf8_byte_order_mark_loses_no_record(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(b"\xef\xbb\xbf" + GOOD_SUB + b"\r\n" + GOOD_SCAN + b"\r\n")
    code, summary, err = _replay_json(trace, capsys)
    assert code == 0 and err == ""
    assert summary["inputs_accepted"] == 2 and summary["inputs_rejected"] == 0


def test_odd_bytes_in_one_record_refuse_that_record_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Latin-1 letter or a NUL in one record near the top is that record's fault: the
    file is not refused as binary, and the record is named with its line."""
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(GOOD_SUB + b"\n"
                      + b'{"kind":"sms_in","at":"2026-12-14T11:00:00Z","from":"+13035550123",'
                      b'"body":"caf\xe9"}\n'
                      + b'{"kind":"wake","at":"2026-12-14T11:00:00Z"\x00}\n' + GOOD_SCAN + b"\n")
    code, summary, err = _replay_json(trace, capsys)
    assert code == 0
    assert summary["inputs_accepted"] == 2 and summary["inputs_rejected"] == 2
    assert "t.jsonl:2: not UTF-8 text: byte 0xE9" in err
    assert "t.jsonl:3: not valid JSON: a NUL byte" in err


GOOD = GOOD_SUB + b"\n" + GOOD_SCAN + b"\n"


@pytest.mark.parametrize(("data", "named"), [
    (GOOD.decode().encode("utf-16"), "UTF-16"),
    (GOOD.decode().encode("utf-16-le"), "UTF-16"),
    (gzip.compress(gzip.compress(GOOD)), "gzip inside gzip"),
    (gzip.compress(bytes(range(256)) * 8), "binary data"),
    (bz2.compress(GOOD), "bzip2"),
    (lzma.compress(GOOD), "xz"),
])
def test_other_formats_are_refused_up_front_by_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, named: str) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(data)
    code, summary, err = _replay_json(trace, capsys)
    assert code == 2 and not summary
    assert named in err and "not a trace" in err and len(err.strip().splitlines()) == 1


def test_a_gzip_cut_short_keeps_the_records_before_the_cut(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = b"".join(GOOD_SCAN.replace(b"10:00:00", f"10:{m:02}:00".encode()) + b"\n"
                    for m in range(40))
    trace = tmp_path / "t.jsonl.gz"
    whole = gzip.compress(GOOD_SUB + b"\n" + body)
    for data in (whole[:-12], whole + b"trailing junk"):
        trace.write_bytes(data)
        code, summary, err = _replay_json(trace, capsys)
        assert code == 0 and summary["inputs_accepted"] >= 30
        assert summary["inputs_rejected"] == 1
        line = summary["inputs_accepted"] + 1
        assert f"t.jsonl.gz:{line}: the compressed data ends or turns corrupt here" in err
        assert main(["replay", str(trace), "--strict", "--quiet"]) == 1
        capsys.readouterr()


def test_a_receipt_without_a_message_id_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = write(tmp_path / "t.jsonl", [
        GOOD_SUB.decode(),
        '{"kind":"receipt","at":"2026-12-14T09:00:05Z","messageId":"","status":"delivered"}',
    ])
    code, summary, err = _replay_json(trace, capsys)
    assert code == 0
    assert summary["inputs_rejected"] == 1 and "t.jsonl:2: receipt has no messageId" in err


def test_standard_input_and_unreadable_files_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("-", "/dev/null"):
        assert main(["replay", name]) == 2
        err = capsys.readouterr().err
        assert "is not a regular file" in err and "no such" not in err
    trace = write(tmp_path / "t.jsonl", [GOOD_SUB.decode()])

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert main(["replay", str(trace), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{trace}: cannot read it (Permission denied)" in err and "write" not in err


def test_an_event_code_of_other_characters_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A NUL or markup in eventCode was accepted and carried into the output's cause."""
    trace = write(tmp_path / "t.jsonl", [GOOD_SUB.decode()] + [
        orjson.dumps({"kind": "scan", "at": "2026-12-14T10:00:00-07:00",
                      "trackingNumber": TN, "eventCode": code}).decode()
        for code in ("\x00\x00", "ZZ<a>", "é", "03")])
    code, summary, err = _replay_json(trace, capsys)
    assert code == 0 and summary["inputs_accepted"] == 2
    assert [f"t.jsonl:{n}: eventCode" in err for n in (2, 3, 4, 5)] == [True] * 3 + [False]


def test_a_flood_of_bad_records_is_counted_not_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every bad record is counted, but only those reported are kept: a 10 MB file of junk
    lines is five million bad records, and keeping each took 1.5 GB."""
    from eccc.replay import replay

    trace = tmp_path / "t.jsonl"
    trace.write_bytes(GOOD_SUB + b"\n" + b"x\n" * 500 + GOOD_SCAN + b"\n")
    result = replay(trace, keep_bad=3)
    assert result.inputs == 2 and result.rejected == 500
    assert [b.line for b in result.bad] == [2, 3, 4]
    assert main(["replay", str(trace), "--json", "--quiet", "--max-errors", "2"]) == 0
    captured = capsys.readouterr()
    assert orjson.loads(captured.out)["inputs_rejected"] == 500
    assert "t.jsonl:3:" in captured.err and "t.jsonl:4:" not in captured.err
    assert "... and 498 more bad records" in captured.err
    assert main(["replay", str(trace), "--quiet", "--strict", "--max-errors", "0"]) == 1
