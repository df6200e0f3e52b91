"""Read the sandbox's request log (and webhook attempts) over HTTP, for ``workbench logs`` and ``workbench listen``.

The sandbox serves them as JSON under ``/dashboard/api`` (not ``/v1``: Stripe's API
has no such routes).  Each row has an increasing ``id``, so following a feed is
asking for the rows after the last one seen.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from .behind_proxy import proxy_headers


class SandboxUnavailable(OSError):
    """No sandbox answers at the URL (or it answered with an error)."""


def read_feed(base_url, feed, **query):
    """The ``data`` rows of the ``/dashboard/api`` answer at ``feed``; ``SandboxUnavailable`` if no sandbox answers."""
    query = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None}, doseq=True)  # lists repeat
    url = f"{base_url.rstrip('/')}{feed}?{query}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=proxy_headers()), timeout=5) as response:
            return json.load(response)["data"]
    except urllib.error.HTTPError as exc:
        raise SandboxUnavailable(f"{url} answered HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise SandboxUnavailable(f"no sandbox answers at {base_url} ({exc})") from None


def follow(fetch, show, stop, after=0, interval=0.5):
    """Show the rows ``fetch(after)`` returns, asking again for newer ones until ``stop`` is set."""
    while True:
        for row in fetch(after):
            show(row)
            after = row["id"]
        if stop.wait(interval):
            return


def local_time(timestamp):
    """A timestamp in local time, as the Stripe CLI prints it."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


# How ``stripe logs tail`` names a failed request's error fields, in its order (stripe-cli pkg/logtailing).
ERROR_LABELS = {
    "type": "Type",
    "charge": "Charge",
    "code": "Code",
    "decline_code": "DeclineCode",
    "message": "Message",
    "param": "Param",
}


def request_line(entry):
    """``2025-01-01 12:00:00 [200] POST /v1/payment_intents [req_…]`` as ``stripe logs tail`` prints, and more;
    a failed request's error follows on lines of their own (``Type: card_error``…), as there."""
    idempotency = f" idempotency-key={entry['idempotency_key']}" if entry["idempotency_key"] else ""
    line = (
        f"{local_time(entry['created'])} [{entry['status']}] {entry['method']} {entry['path']} [{entry['request_id']}] "
        f"{entry['key_type'] or 'no'} key, {entry['duration_ms']:.0f} ms{idempotency}"
    )
    error = entry.get("error") or {}
    return "\n".join([line] + [f"{label}: {error[field]}" for field, label in ERROR_LABELS.items() if field in error])


def request_json(entry):
    """One request as ``stripe logs tail --format JSON`` prints it: the fields of Stripe's log-tailing payload
    (``created_at``, ``livemode``, ``method``, ``request_id``, ``status``, ``url``, and ``error`` when it failed)."""
    shown = {
        "created_at": int(entry["created"]),
        "livemode": False,
        "method": entry["method"],
        "request_id": entry["request_id"],
        "status": entry["status"],
        "url": entry["path"],
    }
    if entry.get("error"):
        shown["error"] = entry["error"]
    return json.dumps(shown)


def delivery_line(attempt):
    """``… --> payment_intent.succeeded [evt_…]  <-- [200] POST 127.0.0.1:4242/webhook (12 ms)``, as stripe listen."""
    answer = f"[{attempt['status']}]" if attempt["status"] else f"[{attempt['error']}]"
    retry = f", retry at {local_time(attempt['next_retry'])}" if attempt["next_retry"] else ""
    return (
        f"{local_time(attempt['started'])}  --> {attempt['event_type']} [{attempt['event_id']}]  <-- {answer} POST "
        f"{attempt['endpoint']} ({attempt['duration_ms']} ms{retry})"
    )
