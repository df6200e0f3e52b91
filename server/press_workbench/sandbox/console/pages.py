"""The console's pages, at the paths of Stripe's Dashboard (``payments/pi_…``, ``events/evt_…``, ``webhooks/we_…``)."""

import json
import re

from flask import abort, redirect, request, url_for
from markupsafe import Markup, escape

from ..pipeline.endpoint import sandbox
from ..redaction import redacted
from ..request_log import STATUS_TYPES
from . import bp, queries, render
from .actions import resend_token

SLASH = re.compile(r"(?<=[^/])/(?=[^/])")  # a slash on its own, not one of ``//``
bp.add_app_template_global(queries.method_of, "method_of")  # a payment's charges, each with how it was paid
bp.add_app_template_global(queries.charge_badge, "charge_badge")


@bp.app_template_filter("breakable")
def breakable(text, after="/"):
    """A path or URL that may wrap after each ``/`` but those of ``http://``, or an error code after each ``_``
    (``after="_"``), so a narrow column breaks it where it reads well (``<wbr>``): an error code in one piece
    (``setup_intent_authentication_failure``) made the Errors table wider than a 1024-pixel screen."""
    parts = SLASH.split(str(text)) if after == "/" else str(text).split(after)
    return Markup(f"{after}<wbr>").join(escape(part) for part in parts)


@bp.get("/")
def home():
    """The console opens on Payments, as Stripe's Dashboard does."""
    return redirect(url_for("console.payments"))


@bp.get("/payments")
def payments():
    """Every PaymentIntent, newest first, with status badges worded as Stripe's Dashboard words them."""
    rows, has_more = queries.payments(sandbox().store, request.args.get("starting_after"))
    return render("console/payments.html", "Payments", rows=rows, has_more=has_more)


@bp.get("/payments/<object_id>")
def payment(object_id):
    """A PaymentIntent's page; a charge's id (``ch_…``, as Stripe links them) opens its PaymentIntent."""
    store = sandbox().store
    if object_id.startswith("ch_"):
        charge = store.get(object_id, "charge") or abort(404, description=f"No such charge: {object_id}")
        return redirect(url_for("console.payment", object_id=charge["payment_intent"]))
    found = queries.payment(store, sandbox().requests, object_id)
    if found is None:
        abort(404, description=f"No such payment: {object_id}")
    return render("console/payment.html", f"Payment {found['pi']['id']}", **found)


@bp.get("/customers")
def customers():
    """Every customer, newest first, with its email and how many cards it has saved (deleted ones are gone)."""
    rows, has_more = queries.customers(sandbox().store, request.args.get("starting_after"))
    return render("console/customers.html", "Customers", rows=rows, has_more=has_more)


@bp.get("/customers/<customer_id>")
def customer(customer_id):
    """A customer's page: its saved cards (which one is the default), its payments and its SetupIntents."""
    found = queries.customer(sandbox().store, customer_id)
    if found is None:
        abort(404, description=f"No such customer: {customer_id}")
    return render("console/customer.html", f"Customer {customer_id}", **found)


@bp.get("/events")
def events():
    """Every event, in words, optionally of one type (``?type=``)."""
    kind = request.args.get("type")
    rows, has_more = queries.events(sandbox().store, kind, request.args.get("starting_after"))
    return render("console/events.html", "Events", rows=rows, has_more=has_more, type=kind)


@bp.get("/events/<evt_id>")
def event(evt_id):
    """One event: what happened, its JSON, each webhook delivery of it, and a Resend button per endpoint that
    listens to it (``actions``)."""
    store = sandbox().store
    found = store.get(evt_id, "event") or abort(404, description=f"No such event: {evt_id}")
    attempts = queries.attempt_rows(store, store.delivery_attempts(event_id=evt_id))
    resent = request.args.get("resent")
    return render(
        "console/event.html",
        f"Event {evt_id}",
        event=found,
        text=queries.describe(found),
        payment=queries.payment_of(found),
        attempts=attempts,
        body=json.dumps(redacted(found), indent=2),
        targets=queries.resend_targets(store, found),
        token=resend_token(evt_id),
        resent=queries.endpoint_label(store, resent) if resent else None,
    )


@bp.get("/logs")
def logs():
    """The newest requests, optionally of one status class (``?status_type=4XX``), as Stripe's Logs page filters."""
    status_type = request.args.get("status_type")
    if status_type not in (None, *STATUS_TYPES):
        abort(400, description=f"status_type must be one of {', '.join(STATUS_TYPES)}.")
    entries = sandbox().requests.entries(limit=100, status_type=[status_type] if status_type else ())
    return render("console/logs.html", "Logs", entries=entries[::-1], status_type=status_type, types=STATUS_TYPES)


@bp.get("/logs/<request_id>")
def logs_entry(request_id):
    """One request as Stripe's Dashboard shows it (``/logs/req_…``): what was sent and answered, secrets masked."""
    found = sandbox().requests.entry(request_id)
    if found is None:
        abort(404, description=f"No such request in the log: {request_id} (the log keeps the newest requests).")
    return render(
        "console/log_entry.html",
        f"{found['method']} {found['path']}",
        entry=found,
        params=queries.pretty_json(found["params"]),
        response=queries.pretty_json(found["response"]),
    )


@bp.get("/errors")
def errors():
    """Failed requests grouped by error and endpoint, with counts and the latest of each (Workbench's Errors)."""
    return render("console/errors.html", "Errors", groups=sandbox().requests.errors())


@bp.get("/webhooks")
def webhooks():
    """The webhook endpoints with their attempt counts, to spot the one that is failing."""
    store = sandbox().store
    endpoints, _ = store.list("webhook_endpoint", limit=100)
    summaries = [queries.endpoint_summary(store, ep) for ep in endpoints]
    return render("console/webhooks.html", "Webhooks", endpoints=summaries)


@bp.get("/webhooks/<we_id>")
def webhook(we_id):
    """One endpoint and its delivery attempts (its signing secret masked): why an event did or did not arrive."""
    store = sandbox().store
    found = store.get(we_id, "webhook_endpoint") or abort(404, description=f"No such webhook endpoint: {we_id}")
    attempts = queries.attempt_rows(store, store.delivery_attempts(endpoint_id=we_id, limit=100))
    return render("console/webhook.html", f"Webhook {we_id}", endpoint=redacted(found), attempts=attempts)
