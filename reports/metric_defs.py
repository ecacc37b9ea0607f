"""The definitions behind ``reports.registry``: one row per metric of ``summary.json``.

Grouped by the question each answers. ``{name}`` is a facility's name from the
scenario, ``{reason}`` a policy's or the engine's reason, ``{encoding}`` a text
encoding, ``{i}`` a station's index in a validation scenario.
"""

from __future__ import annotations

from reports.registry import Metric

TALLY = "engine.tally.OutputTally (same for run, replay and the shim)"
SUMMARY = "sim.run.summarise"
GATEWAY = "sim.gateway"
CUSTOMERS = "sim.customers"
CARE = "sim.care"
METRICS = "sim.metrics"
STATS = "sim.network.StationStats"
NETSTATION = "sim.netstation (mode = station)"
STATION = "sim.station (scenarios of stations only)"
AUDIT = "engine.audit.Audit (same as eccc replay --audit)"

_NOTIFIED = ("notifications that reached the handset, timed at the handset, welcome texts "
             "included (one per subscription, sent outside the policies, so a cap does not "
             "limit them: most of the people over a 3-per-24 h cap got welcome texts for "
             "several parcels; the rest is handset time differing from decision time, which is "
             "what a cap counts)")
_TEXTS = "texts the engine decided to send (notifications and answers to replies)"


def _m(name: str, unit: str, group: str, stage: str, definition: str, counts: str = "",
       excludes: str = "", better: str = "", empty: str = "") -> Metric:
    return Metric(name=name, unit=unit, definition=definition, counts=counts,
                  excludes=excludes, stage=stage, group=group, better=better,
                  empty=empty or EMPTY.get(name, ""))


# A mean, percentile or share of nothing is not available (null in summary.json, "n/a"
# in the terminal and the report), never 0: the population that is then empty.
_HANDSET = "no texts reached a handset"
EMPTY = {
    **{f"latency_{leg}_{q}_s": _HANDSET
       for leg in ("scan_to_decision", "decision_to_submit", "submit_to_handset",
                   "scan_to_handset") for q in ("p50", "p95", "p99", "mean")},
    "texts_per_recipient_24h_max_mean": "nobody was notified",
    "texts_per_recipient_24h_share_over_3": "nobody was notified",
    "texts_per_recipient_24h_share_over_5": "nobody was notified",
    "texts_per_parcel_mean": "no followed parcels",
    "opt_out_rate_per_text": "no notifications",
    "ofd_text_before_delivery_share": "no followed parcels delivered",
    "exceptions_texted_before_promise_share": "no followed parcels with an exception",
    "care_abandon_share": "no care contacts",
    "care_wait_mean_s": "no answered care contacts",
    "on_time_share": "no deliveries",
    "days_to_deliver_mean": "no deliveries",
    "scans_per_parcel_delivered": "no followed parcels delivered",
    **dict.fromkeys(("texts_per_recipient_mean", "texts_per_recipient_p50",
                     "texts_per_recipient_p95", "texts_per_recipient_max"), "nobody was texted"),
}


def _latency() -> list[Metric]:
    legs = {
        "scan_to_decision": (
            "decision delay: from the scan a text tells of to the engine deciding to send it",
            "quiet-hours holds and digest windows (a text held overnight waits hours here)",
            "answers to replies, which tell of no scan"),
        "decision_to_submit": (
            "gateway queue: from the engine's decision to the gateway submitting the text",
            "waiting behind the send-rate limit, carrier outages, retries after a failure",
            "texts that expired or failed (they never reach a handset)"),
        "submit_to_handset": (
            "delivery: from the gateway's submission to the text reaching the handset",
            "the carrier's delivery delay",
            "texts that expired or failed"),
        "scan_to_handset": (
            "end to end: from the scan a text tells of to the text reaching the handset",
            "decision delay, gateway queue and delivery together",
            "answers to replies; texts that never reached a handset"),
    }
    out = []
    for leg, (what, counts, excludes) in legs.items():
        for q in (50, 95, 99):
            out.append(_m(f"latency_{leg}_p{q}_s", "s", "latency", METRICS,
                          f"{q}th percentile (nearest rank) of the {what}",
                          f"every text that reached a handset: {counts}", excludes, "lower"))
        out.append(_m(f"latency_{leg}_mean_s", "s", "latency", METRICS,
                      f"mean of the {what}",
                      f"every text that reached a handset: {counts}", excludes, "lower"))
    return out


def _audit() -> list[Metric]:
    """The legal-risk audit: one pattern per resolution and kind (the rule varies)."""
    where = {"area_code": "where their phone number's area code says",
             "address": "where their parcel's delivery address says",
             "both": "in every zone their area code and address point to"}
    kinds = {"window": "sent outside rule {rule}'s calling window",
             "cap": "sent over rule {rule}'s cap on texts in its rolling hours"}
    counts = ("notifications about a scan (docs/compliance.md lists the rules and their "
              "citations)")
    excludes = "welcome texts and answers to people's own texts"
    out = [_m("audit_notifications", "count", "legal", AUDIT,
              "notifications the legal-risk audit checked", counts, excludes)]
    for by, place in where.items():
        out.append(_m(f"audit_{by}_total", "count", "legal", AUDIT,
                      f"rule breaks over every rule and kind if the person is {place} (a text "
                      "breaking two rules counts twice)", counts, excludes, "lower"))
        for kind, what in kinds.items():
            out.append(_m(f"audit_{by}_{{rule}}_{kind}", "count", "legal", AUDIT,
                          f"notifications {what} if the person is {place} (0 when the chain "
                          f"has the compliance policy resolving by {by}"
                          + (", caps on)" if kind == "cap" else ")"), counts, excludes, "lower"))
    return out


DEFINITIONS: list[Metric] = [
    # ------------------------------------------------------------------ run
    _m("scenario", "label", "run", SUMMARY, "the scenario's name"),
    _m("seed", "label", "run", SUMMARY, "the seed every random stream was spawned from"),
    _m("scale", "ratio", "run", SUMMARY,
       "volume multiplier (--scale): parcels, and capacities where the scenario says so"),
    _m("days", "days", "run", SUMMARY, "days of acceptance simulated (the run then drains)"),
    _m("policies", "label", "run", SUMMARY, "the notification policy chain, in order"),
    _m("run_span_h", "h", "run", SUMMARY,
       "simulated time from the first hour to the end of the drain"),
    _m("shards", "count", "run", "research.shards.merge",
       "independent shards the run was split into (eccc run --shards)"),
    # ------------------------------------------------------------------ volume
    _m("parcels_accepted", "count", "volume", METRICS,
       "parcels accepted into the network during the run's days",
       "every parcel, followed or not", "parcels accepted during the drain"),
    _m("parcels_tracked", "count", "volume", SUMMARY,
       "parcels someone follows by text (subscribed at checkout, on the tracking page "
       "or by text); only these feed the engine"),
    _m("texts_total", "count", "volume", TALLY, f"all {_TEXTS}",
       "notifications and answers", "suppressed and still-held texts"),
    _m("texts_notifications", "count", "volume", TALLY,
       "notifications: texts the engine decided to send about a parcel's progress",
       "scan milestones, ETA changes, released holds and digests",
       "answers to people's own texts (texts_replies)"),
    _m("texts_replies", "count", "volume", TALLY,
       "answers: texts the engine sent in reply to a person's text (WHEN, HELP, STOP...)",
       "every answer", "notifications"),
    _m("segments_total", "count", "volume", TALLY,
       "SMS segments of all texts sent (a long or UCS-2 text is several segments)",
       "notifications and answers", "inbound texts"),
    _m("texts_encoding_{encoding}", "count", "volume", TALLY,
       "texts sent in the {encoding} encoding", "notifications and answers"),
    _m("texts_inbound", "count", "volume", CUSTOMERS,
       "texts people sent to the short code (STOP, questions, HELP, QUIET)",
       "every inbound text", "opt-ins at checkout or on the tracking page"),
    _m("status_questions", "count", "volume", CUSTOMERS,
       "people who texted to ask where their parcel is (TN WHEN)"),
    _m("help_requests", "count", "volume", CUSTOMERS, "HELP texts people sent"),
    _m("quiet_requests", "count", "volume", CUSTOMERS, "QUIET texts people sent"),
    _m("engine_inputs", "count", "volume", "sim.model",
       "inputs fed to the engine: scans, subscriptions, inbound texts, receipts, ticks"),
    *_latency(),
    _m("held_total", "count", "latency", TALLY,
       "notifications held by a policy to be sent later (one per hold; a text held twice "
       "counts twice)", "quiet-hours holds, digest windows", "drops"),
    _m("held_quiet_hours", "count", "latency", TALLY,
       "notifications held until the end of the recipient's quiet hours",
       "holds by quiet_hours (mode = hold)", "quiet-hours drops (suppressed_quiet_hours)"),
    _m("held_{reason}", "count", "latency", TALLY,
       "notifications held by the policy that gave the reason '{reason}'"),
    # ------------------------------------------------------------------ fatigue
    _m("recipients_texted", "count", "fatigue", TALLY,
       "phone numbers that were sent at least one text", "notifications and answers"),
    _m("texts_per_recipient_mean", "per recipient", "fatigue", TALLY,
       "texts per phone number over the whole run, mean over the numbers texted",
       "notifications and answers", "numbers never texted", "lower"),
    _m("texts_per_recipient_p50", "per recipient", "fatigue", TALLY,
       "median texts per phone number over the run", "notifications and answers",
       "numbers never texted", "lower"),
    _m("texts_per_recipient_p95", "per recipient", "fatigue", TALLY,
       "95th percentile of texts per phone number over the run",
       "notifications and answers", "numbers never texted", "lower"),
    _m("texts_per_recipient_max", "per recipient", "fatigue", TALLY,
       "most texts any phone number was sent over the run", "notifications and answers",
       "", "lower"),
    _m("texts_per_recipient_24h_max_mean", "per recipient", "fatigue", CUSTOMERS,
       "each person's most notifications received in any 24 hours (sliding), mean over "
       "people", _NOTIFIED, "answers to people's own texts; people never notified", "lower"),
    _m("texts_per_recipient_24h_share_over_3", "share", "fatigue", CUSTOMERS,
       "share of people who received more than 3 notifications in their worst 24 hours",
       _NOTIFIED, "answers to people's own texts; people never notified", "lower"),
    _m("texts_per_recipient_24h_share_over_5", "share", "fatigue", CUSTOMERS,
       "share of people who received more than 5 notifications in their worst 24 hours",
       _NOTIFIED, "answers to people's own texts; people never notified", "lower"),
    _m("texts_per_parcel_mean", "per parcel", "fatigue", SUMMARY,
       "notifications per followed parcel", "notifications", "answers", "lower"),
    _m("opt_outs", "count", "fatigue", CUSTOMERS,
       "people who texted STOP because they tired of notifications",
       "fatigue opt-outs (a hazard rising with texts in the last 24 h)", "", "lower"),
    _m("opt_out_rate_per_text", "per text", "fatigue", SUMMARY,
       "opt-outs per notification sent", "notifications", "answers", "lower"),
    _m("suppressed_total", "count", "fatigue", TALLY,
       "notifications the engine decided not to send, for any reason",
       "policy drops, opted-out and unreachable numbers, options, duplicate or "
       "out-of-order scans"),
    _m("suppressed_{reason}", "count", "fatigue", TALLY,
       "notifications not sent for the reason '{reason}'"),
    _m("redacted_{reason}", "count", "fatigue", TALLY,
       "parts of shops' names left out of every text for the reason '{reason}' (a link: "
       "link_domain, link_scheme, link_address, link_lookalike, link_phone; docs/compliance.md)",
       "subscriptions whose merchant name held a link", "", "lower"),
    *_audit(),
    # ------------------------------------------------------------------ informativeness
    _m("ofd_text_before_delivery", "count", "informativeness", SUMMARY,
       "followed parcels whose out-for-delivery text was sent before delivery",
       "delivered followed parcels", "", "higher"),
    _m("ofd_text_before_delivery_share", "share", "informativeness", SUMMARY,
       "share of delivered followed parcels whose out-for-delivery text was sent "
       "before delivery", "delivered followed parcels", "parcels not followed", "higher"),
    _m("exceptions_tracked", "count", "informativeness", SUMMARY,
       "followed parcels that met an exception (delay, failed attempt, held, return)"),
    _m("exceptions_texted_before_promise", "count", "informativeness", SUMMARY,
       "followed parcels with an exception texted before the end of the promised day",
       "", "", "higher"),
    _m("exceptions_texted_before_promise_share", "share", "informativeness", SUMMARY,
       "share of followed parcels with an exception whose exception was texted before "
       "the end of the promised day", "followed parcels with an exception", "", "higher"),
    _m("misleading_texts_scan_errors", "count", "informativeness", "sim.model",
       "notifications sent about a scan that was wrong (premature out for delivery, "
       "early delivered, ...)", "notifications", "", "lower"),
    # ------------------------------------------------------------------ cost
    _m("cost_usd", "USD", "cost", SUMMARY,
       "SMS cost: every segment sent and received at the per-segment price, plus the "
       "short code's monthly fee pro-rated over the run (cost_total_usd adds care)",
       "outbound segments, inbound texts, the short code fee", "customer-care cost",
       "lower"),
    _m("cost_total_usd", "USD", "cost", SUMMARY,
       "total cost: SMS (cost_usd) plus customer care (care_cost_usd)",
       "SMS segments, the short code fee, answered care contacts", "", "lower"),
    _m("cost_segments_usd", "USD", "cost", SUMMARY,
       "per-segment SMS cost (outbound segments and inbound texts)", "", "", "lower"),
    _m("cost_fixed_usd", "USD", "cost", SUMMARY,
       "the short code's monthly fee pro-rated over the run span"),
    _m("care_cost_usd", "USD", "cost", CARE,
       "customer-care cost: answered contacts at the cost per contact",
       "answered contacts", "abandoned contacts", "lower"),
    # ------------------------------------------------------------------ care
    _m("care_contacts", "count", "care", CARE,
       "contacts (calls) to customer care about parcels", "answered and abandoned",
       "", "lower"),
    _m("care_answered", "count", "care", CARE, "care contacts an agent answered"),
    _m("care_abandoned", "count", "care", CARE,
       "care contacts that hung up before an agent answered", "", "", "lower"),
    _m("care_abandon_share", "share", "care", CARE,
       "share of care contacts abandoned", "", "", "lower"),
    _m("care_wait_mean_s", "s", "care", CARE,
       "mean wait of answered care contacts", "answered contacts", "abandoned contacts",
       "lower"),
    _m("care_wait_sum_s", "s", "care", CARE, "total wait of answered care contacts"),
    _m("care_late_tracked", "count", "care", CUSTOMERS,
       "followed parcels that were late (each a chance of a care contact)"),
    _m("care_contacts_expected_tracked", "count", "care", CUSTOMERS,
       "expected care contacts from late followed parcels, given what they were texted",
       "late followed parcels", "untracked parcels", "lower"),
    _m("care_contacts_avoided_vs_no_sms", "count", "care", CUSTOMERS,
       "expected care contacts the texts avoided: the same late parcels' expected contacts "
       "had nobody been texted, minus with the texts", "late followed parcels", "",
       "higher"),
    # ------------------------------------------------------------------ network
    _m("parcels_delivered", "count", "network", METRICS, "parcels delivered during the run",
       "every parcel, followed or not", "returned parcels"),
    _m("parcels_on_time", "count", "network", METRICS,
       "parcels delivered on or before their promised day (local date)", "", "", "higher"),
    _m("on_time_share", "share", "network", METRICS,
       "share of delivered parcels delivered on or before their promised day",
       "delivered parcels", "parcels still in the network at the end", "higher"),
    _m("parcels_returned", "count", "network", METRICS, "parcels returned to sender",
       "", "", "lower"),
    _m("parcels_tracked_delivered", "count", "network", SUMMARY,
       "followed parcels delivered during the run"),
    _m("days_to_deliver_mean", "days", "network", METRICS,
       "mean local calendar days from acceptance to delivery (delivered the day after "
       "acceptance: 1); the histogram in the report counts the same days",
       "delivered parcels", "parcels not delivered by the end", "lower"),
    _m("days_to_deliver_sum", "days", "network", METRICS,
       "sum of calendar days from acceptance to delivery (numerator of the mean)"),
    _m("scans_total", "count", "network", "sim.scans", "scans of followed parcels"),
    _m("scan_errors", "count", "network", "sim.scans",
       "scans that were wrong or missing (at the scenario's error rates)", "", "", "lower"),
    _m("scans_tracked_delivered", "count", "network", SUMMARY,
       "scans of followed parcels that were delivered"),
    _m("scans_per_parcel_delivered", "per parcel", "network", SUMMARY,
       "scans per delivered followed parcel"),
    _m("facility_{name}_processed", "count", "network", STATS,
       "parcels {name} processed"),
    _m("facility_{name}_arrivals", "count", "network", STATS, "parcels that arrived at {name}"),
    _m("facility_{name}_utilisation", "share", "network", SUMMARY,
       "{name}: parcels processed over its capacity in its open hours (servers' busy time "
       "for a station)"),
    _m("facility_{name}_queue_mean", "count", "network", STATS,
       "time-average parcels waiting at {name} (L)", "", "", "lower"),
    _m("facility_{name}_queue_area_h", "h", "network", STATS,
       "parcel-hours spent waiting at {name} (the integral of its queue)"),
    _m("facility_{name}_wait_mean_h", "h", "network", STATS,
       "mean wait of a parcel at {name} (W)", "", "", "lower"),
    _m("facility_{name}_wait_sum_h", "h", "network", STATS,
       "parcel-hours of waiting at {name}, summed over processed parcels"),
    _m("facility_{name}_servers", "count", "network", NETSTATION, "servers at station {name}"),
    _m("facility_{name}_service_mean_h", "h", "network", NETSTATION,
       "mean service time per parcel at station {name}"),
    _m("facility_{name}_busy_sum_h", "h", "network", NETSTATION,
       "server-hours station {name} was busy"),
    _m("facility_{name}_station_window_h", "h", "network", NETSTATION,
       "the measurement window at station {name} (after warm-up)"),
    _m("facility_{name}_station_arrivals", "count", "network", NETSTATION,
       "arrivals at station {name} within the window"),
    _m("facility_{name}_station_arrival_rate_per_h", "per hour", "network", NETSTATION,
       "arrival rate at station {name} within the window"),
    _m("facility_{name}_station_utilisation", "share", "network", NETSTATION,
       "share of station {name}'s server time busy within the window"),
    _m("facility_{name}_station_queue_area_h", "h", "network", NETSTATION,
       "parcel-hours in station {name} within the window (fixed-grid estimate)"),
    _m("facility_{name}_station_queue_mean", "count", "network", NETSTATION,
       "mean parcels in station {name} within the window (L)"),
    _m("facility_{name}_station_sojourn_sum_h", "h", "network", NETSTATION,
       "parcel-hours from arrival to departure at station {name} within the window"),
    _m("facility_{name}_station_wait_sum_h", "h", "network", NETSTATION,
       "parcel-hours queued at station {name} within the window"),
    _m("facility_{name}_station_wait_mean_h", "h", "network", NETSTATION,
       "mean queue wait at station {name} within the window"),
    _m("facility_{name}_station_wait_erlang_c_h", "h", "network", NETSTATION,
       "Erlang C's mean queue wait for station {name}'s measured arrival rate (-1: "
       "overloaded)"),
    _m("station_{i}_arrival_rate_per_h", "per hour", "network", STATION,
       "arrival rate at station {i}"),
    _m("station_{i}_servers", "count", "network", STATION, "servers at station {i}"),
    _m("station_{i}_service_mean_h", "h", "network", STATION,
       "mean service time at station {i}"),
    _m("station_{i}_served", "count", "network", STATION, "customers station {i} served"),
    _m("station_{i}_wait_mean_h", "h", "network", STATION,
       "simulated mean queue wait at station {i}"),
    _m("station_{i}_wait_erlang_c_h", "h", "network", STATION,
       "Erlang C's mean queue wait at station {i}"),
    _m("station_{i}_utilisation", "share", "network", STATION,
       "offered load per server at station {i} (lambda / (c mu))"),
    # ------------------------------------------------------------------ gateway
    _m("texts_submitted", "count", "gateway", GATEWAY,
       "submissions to the carriers (a retried text counts once per attempt)"),
    _m("texts_delivered_handset", "count", "gateway", GATEWAY,
       "texts that reached a handset", "notifications and answers"),
    _m("texts_failed", "count", "gateway", GATEWAY,
       "texts that failed after their last retry", "", "", "lower"),
    _m("texts_expired", "count", "gateway", GATEWAY,
       "texts dropped in the gateway queue after their validity period", "", "", "lower"),
    _m("texts_retried", "count", "gateway", GATEWAY, "retries after a failed submission"),
    # ------------------------------------------------------------------ checks
    _m("engine_late_pushes", "count", "checks", "sim.model",
       "events the model scheduled in the past (should be 0)"),
    _m("facility_{name}_littles_law_error", "ratio", "checks", STATS,
       "|L - lambda W| / L at {name} over the whole run (should be near 0)"),
    _m("facility_{name}_station_wait_error", "ratio", "checks", NETSTATION,
       "|simulated - Erlang C| / Erlang C mean queue wait at station {name}"),
    _m("facility_{name}_station_littles_law_error", "ratio", "checks", NETSTATION,
       "|L - lambda W| / L at station {name} within the window"),
    _m("station_{i}_wait_error", "ratio", "checks", STATION,
       "|simulated - Erlang C| / Erlang C mean queue wait at station {i}"),
    _m("station_{i}_littles_law_error", "ratio", "checks", STATION,
       "|L - lambda W| / L at station {i}"),
]
