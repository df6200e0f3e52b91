"""Rich displays: cards and tables that render as HTML in Jupyter and as plain text everywhere else.

Every view has both forms, built from the same rows, so a notebook reads the same
in JupyterLab, on a code host and in a terminal, and so nbval can compare the text.
``install()`` teaches IPython to draw PaymentIntents, Refunds and Stripe errors this
way, and to show a Stripe error or a ``WorkbenchError`` as a short card instead of
a traceback.

Money is written with dollar signs, which JupyterLab's MathJax would read as TeX
delimiters ("$18.00 of the $23.00" turns into italic maths).  Every HTML view is
therefore wrapped in ``NO_MATH``: MathJax 3 skips elements of class
``mathjax_ignore`` (JupyterLab, Voilà), MathJax 2 those of class ``tex2jax_ignore``
(the classic notebook, nbviewer).
"""

import re
import sys
import time
from dataclasses import dataclass, field
from html import escape

import stripe

from press_workbench.sandbox import format_amount

from .errors import WorkbenchError
from .lifecycle_svg import describe, lifecycle_svg

NO_MATH = "mathjax_ignore tex2jax_ignore"
ERROR_CARD = "wb-error-card"  # the class of every card ``error_card`` draws, by which a lesson run finds them

TONES = {  # text colour, background
    "ok": ("#0a6b3d", "#e3f5ea"),
    "bad": ("#a4241c", "#fdecea"),
    "warn": ("#7a4d00", "#fff4d6"),
    "info": ("#4a3fd1", "#efeeff"),
    "neutral": ("#3c4257", "#eef0f4"),
}
STATUS_TONES = {
    "succeeded": "ok",
    "paid": "ok",
    "failed": "bad",
    "canceled": "bad",
    "requires_action": "warn",
    "requires_capture": "warn",
    "processing": "warn",
    "awaiting_payment": "warn",
    "refunded": "info",
}
CARD_STYLE = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;color:#1a1f36;"
    "background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:12px 16px;margin:4px 0;"
    "max-width:1120px"
)
CODE_LIKE = re.compile(r"[\w.:/-]+")
INLINE_CODE = re.compile(r"`([^`]+)`")
# Jupyter's stylesheets right-align, stripe and border table cells; these inline styles undo that.
ROW = "background:transparent"
CELL = "text-align:left;vertical-align:top;border:none;background:transparent;color:inherit"


def money(amount, currency):
    """An amount as people read it (``$23.00``), or a dash when there is none yet."""
    return format_amount(amount, currency) if amount is not None and currency else "—"


def utc_time(timestamp):
    """A Unix time as ``HH:MM:SS`` UTC: enough to order what happened within one lesson."""
    return time.strftime("%H:%M:%S", time.gmtime(timestamp)) if timestamp else "—"


def tone_of(status):
    """The colour a status is drawn in, the same everywhere (green paid, red failed, …)."""
    return STATUS_TONES.get(status, "neutral")


def badge_html(text, tone=None):
    """A status badge with inline styles, as notebook outputs cannot rely on a stylesheet."""
    ink, paper = TONES[tone or tone_of(text)]
    return (
        f'<span style="background:{paper};color:{ink};border-radius:10px;padding:1px 9px;font-weight:600;'
        f'font-size:12px;white-space:nowrap">{escape(text)}</span>'
    )


@dataclass(frozen=True)
class Link:
    """A table or card value that is a link in HTML (to an object's Stripe page) and plain text everywhere else."""

    text: str
    url: str | None

    def __str__(self):
        return self.text


def _value_html(value):
    if isinstance(value, Link) and value.url:
        return f'<a href="{escape(value.url)}" target="_blank" rel="noopener">{_value_html(value.text)}</a>'
    text = escape(str(value))
    if CODE_LIKE.fullmatch(str(value)) and "_" in str(value):
        return f"<code>{text}</code>"
    return _inline_code(text)


def _inline_code(html):
    """Markdown's `code` spans in a sentence (hints, messages) as <code>, as the plain text shows them."""
    return INLINE_CODE.sub(r"<code>\1</code>", html)


@dataclass
class Table:
    """Rows under headers; plain text is aligned in columns."""

    headers: list
    rows: list

    def html(self):
        """The table for JupyterLab, with inline styles and links to objects' pages."""
        head = "".join(
            f'<th style="{CELL};padding:3px 12px 3px 0;color:#697386;font-weight:600">{escape(h)}</th>'
            for h in self.headers
        )
        body = "".join(
            f'<tr style="{ROW}">'
            + "".join(f'<td style="{CELL};padding:3px 12px 3px 0">{_value_html(v)}</td>' for v in row)
            + "</tr>"
            for row in self.rows
        )
        return f'<table style="border-collapse:collapse;margin:6px 0"><tr style="{ROW}">{head}</tr>{body}</table>'

    def text(self):
        """The table as aligned plain text, for outputs read outside a browser (nbval, a terminal)."""
        cells = [list(map(str, self.headers))] + [[str(v) for v in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.headers))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


@dataclass
class Card:
    """A titled box: a status badge, label/value rows, then an optional figure and tables."""

    title: str
    badge: str | None = None
    rows: list = field(default_factory=list)
    tone: str | None = None
    tables: list = field(default_factory=list)  # (caption, Table)
    figure: str = ""  # HTML only (the lifecycle diagram) ...
    text_rows: list = field(default_factory=list)  # ... and what it shows, for plain text only
    note: str = ""
    kind: str = ""  # an HTML class saying what the card is (``ERROR_CARD``)

    def _repr_html_(self):
        ink, _ = TONES[self.tone or tone_of(self.badge)]
        badge = f" {badge_html(self.badge, self.tone)}" if self.badge else ""
        rows = "".join(
            f'<tr style="{ROW}"><td style="{CELL};color:#697386;padding:2px 16px 2px 0;white-space:nowrap">'
            f'{escape(label)}</td><td style="{CELL};padding:2px 0">{_value_html(value)}</td></tr>'
            for label, value in self.rows
        )
        tables = "".join(
            (f'<div style="margin-top:8px;color:#697386;font-weight:600">{escape(caption)}</div>' if caption else "")
            + table.html()
            for caption, table in self.tables
        )
        note = f'<div style="margin-top:8px;color:#697386">{_inline_code(escape(self.note))}</div>' if self.note else ""
        classes = f"{NO_MATH} {self.kind}".strip()
        return (
            f'<div class="{classes}" style="{CARD_STYLE};border-left:4px solid {ink}">'
            f'<div style="font-weight:600;font-size:14px;margin-bottom:6px">{escape(self.title)}{badge}</div>'
            f'<table style="border-collapse:collapse">{rows}</table>{self.figure}{tables}{note}</div>'
        )

    def __repr__(self):
        lines = [self.title + (f" · {self.badge}" if self.badge else "")]
        rows = self.rows + self.text_rows
        width = max((len(label) for label, _ in rows), default=0)
        lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
        for caption, table in self.tables:
            lines += ([f"  {caption}:"] if caption else []) + ["    " + line for line in table.text().splitlines()]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


class WholeText:
    """For a widget: its ``repr`` whole as the plain-text form, where ipywidgets cuts it at 110 characters."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle


class CardView:
    """Displays through ``card()``: HTML in Jupyter, the same rows as plain text everywhere else."""

    def _repr_html_(self):
        return self.card()._repr_html_()

    def __repr__(self):
        return repr(self.card())


# -- Stripe objects ----------------------------------------------------------------------------
def payment_intent_card(pi, path=None):
    """A PaymentIntent: amounts, status, the ids that link it to other objects, and the path it took.

    ``path`` is its ``(status, cause)`` steps (``events.payment_path``); without
    it only the current status is drawn.
    """
    data = pi.to_dict() if hasattr(pi, "to_dict") else dict(pi)
    currency = data.get("currency")
    rows = [("amount", f"{money(data.get('amount'), currency)} ({data.get('amount')} {currency})")]
    if "amount_received" in data:  # absent from the publishable-key view
        rows.append(("amount_received", money(data["amount_received"], currency)))
    if data.get("amount_capturable"):
        rows.append(("amount_capturable", money(data["amount_capturable"], currency)))
    for name in ("capture_method", "payment_method", "latest_charge", "cancellation_reason"):
        if data.get(name):
            rows.append((name, data[name]))
    error = data.get("last_payment_error")
    if error:
        rows.append(("last_payment_error", f"{error.get('code') or error.get('type')}: {error.get('message')}"))
    if data.get("next_action"):
        rows.append(("next_action", data["next_action"]["type"]))
    order_id = (data.get("metadata") or {}).get("order_id")
    if order_id:
        rows.append(("metadata.order_id", order_id))
    path = path or [(data.get("status"), "")]
    return Card(
        f"PaymentIntent {data.get('id')}",
        data.get("status"),
        rows,
        figure=lifecycle_svg(path),
        text_rows=[("path", describe(path))],
    )


def refund_card(refund):
    """A refund as a notebook card: amount, what it refunds, and why."""
    data = refund.to_dict()
    rows = [
        ("amount", money(data["amount"], data["currency"])),
        ("payment_intent", data.get("payment_intent")),
        ("charge", data.get("charge")),
        ("reason", data.get("reason") or "—"),
    ]
    return Card(f"Refund {data['id']}", data["status"], rows)


def error_card(exc, note=""):
    """A Stripe error as the shopper and the developer need it: the message first, then the codes."""
    if isinstance(exc, WorkbenchError):  # its class says how it reads: a problem, or a cue (``NotPaidYet``)
        return Card(exc.title, exc.badge, [("message", str(exc))], tone=exc.tone, note=note, kind=ERROR_CARD)
    if not isinstance(exc, stripe.StripeError):
        return Card(type(exc).__name__, "error", [("message", str(exc))], tone="bad", note=note, kind=ERROR_CARD)
    error = exc.error.to_dict() if exc.error is not None else {}
    rows = [("message", exc.user_message or str(exc))]
    for label, value in (
        ("type", error.get("type")),
        ("code", exc.code),
        ("decline_code", error.get("decline_code")),
        ("param", error.get("param")),
    ):
        if value:
            rows.append((label, value))
    pi = error.get("payment_intent")
    if pi:
        rows.append(("payment_intent", f"{pi['id']} → {pi['status']}"))
    if exc.request_id:
        rows.append(("request_id", exc.request_id))
    title = f"{type(exc).__name__} · HTTP {exc.http_status}" if exc.http_status else type(exc).__name__
    return Card(title, exc.code or error.get("type") or "error", rows, tone="bad", note=note, kind=ERROR_CARD)


# -- IPython integration -----------------------------------------------------------------------
PATH_SOURCES = {}  # shop URL → its Workbench's path_of; a kernel may use two shops (notebook 03)


def install(shop_url=None, path_of=None):
    """Draw Stripe objects as cards and explained errors without tracebacks (only inside IPython).

    ``path_of(pi)`` gives a PaymentIntent's path for its lifecycle diagram, or None
    if the shop at ``shop_url`` has no events about it (the ``Workbench`` reads
    them with its secret key).
    """
    if path_of is not None:
        PATH_SOURCES[shop_url] = path_of
    shell = _ipython()
    if shell is None:
        return
    cards = {
        stripe.PaymentIntent: lambda pi: payment_intent_card(pi, _path(pi)),
        stripe.Refund: refund_card,
        stripe.StripeError: error_card,
    }
    formatters = shell.display_formatter.formatters
    for kind, make_card in cards.items():
        for cls in _with_subclasses(kind):  # subclasses too: some define their own __repr__, which IPython prefers
            formatters["text/html"].for_type(cls, lambda obj, make_card=make_card: make_card(obj)._repr_html_())
            formatters["text/plain"].for_type(
                cls, lambda obj, p, cycle, make_card=make_card: p.text(repr(make_card(obj)))
            )
    shell.set_custom_exc((stripe.StripeError, WorkbenchError), _show_friendly_error)


def _path(pi):
    """The path of ``pi`` from the most recent Workbench whose account knows it."""
    for path_of in reversed(list(PATH_SOURCES.values())):
        path = path_of(pi)
        if path:
            return path
    return None


def _with_subclasses(cls):
    yield cls
    for subclass in cls.__subclasses__():
        yield from _with_subclasses(subclass)


def _show_friendly_error(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: a card with the message; ``%tb`` still shows the traceback."""
    from IPython.display import display

    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    cue = getattr(value, "tone", "bad") != "bad"  # "pay first, then run this again" needs no traceback hint
    display(error_card(value, note="" if cue else "Traceback hidden by press_workbench.notebook; run %tb to see it."))
    return []


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
