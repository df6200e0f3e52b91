"""The path a PaymentIntent took through its lifecycle, drawn as an SVG strip of statuses.

Each status it reached is a box, in order, and each arrow says what moved it on
(``confirm``, ``declined``, ``authenticated``…), so a retry after a decline or a
failed 3D Secure attempt shows as a second visit to ``requires_payment_method``.
The path comes from the PaymentIntent's events (``events.payment_path``).

Drawn here rather than loaded from an image so it renders offline, in JupyterLab,
in Voilà and on a code host.  Boxes are laid out left to right and wrap onto a new
row before ``max_width``, so nothing overlaps, and the drawing is never scaled
below its natural size in a notebook at 1024×768 (text stays 13–14 px, readable
on a projector).  Only presentation attributes are used (no CSS, no ids), so many
diagrams can share a page.
"""

import math
from html import escape

MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
SANS = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK, MUTED, LINE, ACCENT = "#1a1f36", "#4f566b", "#8792a2", "#635bff"
FAILED = "#c0392b"
STATUS_PX, LABEL_PX = 14, 13
MONO_ADVANCE, SANS_ADVANCE = 0.61 * STATUS_PX, 0.56 * LABEL_PX  # generous average glyph widths
BOX_H, PAD_X, MARGIN, ROW_H, MIN_ARROW = 36, 14, 6, 76, 48
# Causes that end an attempt without payment are drawn in red.
SETBACKS = ("declined", "authentication failed", "debit failed")  # the causes events.payment_path gives a failure


def lifecycle_svg(path, max_width=760):
    """An inline ``<svg>`` of ``path``, a list of ``(status, cause)`` pairs; the last status is drawn filled."""
    boxes, arrows, width, height = layout(path, max_width)
    parts = [_arrow(*arrow) for arrow in arrows]
    parts += [_box(x, y, w, status, index == len(boxes) - 1) for index, (x, y, w, status) in enumerate(boxes)]
    label = "PaymentIntent path: " + describe(path)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def describe(path):
    """The path as one line of text: ``requires_payment_method —confirm→ succeeded``."""
    if not path:
        return "unknown"
    text = path[0][0]
    for status, cause in path[1:]:
        text += f" —{cause}→ {status}" if cause else f" → {status}"
    return text


def layout(path, max_width):
    """Boxes ``(x, y, width, status)`` and arrows ``(x1, x2, y, cause, label_x)``, wrapping rows at ``max_width``.

    An arrow is as long as its label, which sits in the band above its row, so
    labels never touch a box or each other.  An arrow that starts a wrapped row is
    cut to what fits beside its box; its label then runs on above the box.
    """
    boxes, arrows = [], []
    x, row, right = MARGIN, 0, 0
    for index, (status, cause) in enumerate(path or [("unknown", "")]):
        box_w, label_w = text_width(status, MONO_ADVANCE) + 2 * PAD_X, text_width(cause, SANS_ADVANCE)
        arrow_w = max(MIN_ARROW, label_w + 16) if index else 0
        if index and x + arrow_w + box_w > max_width - MARGIN:  # wrap: the arrow starts the next row
            x, row = MARGIN, row + 1
            arrow_w = max(MIN_ARROW, min(arrow_w, max_width - 2 * MARGIN - box_w))
        y = _row_top(row)
        if index:
            label_x = x + max(0, (arrow_w - label_w) // 2)
            arrows.append((x, x + arrow_w, y + BOX_H // 2, cause, label_x))
            x += arrow_w
        boxes.append((x, y, box_w, status))
        x += box_w
        right = max(right, x, *(a[4] + text_width(a[3], SANS_ADVANCE) for a in arrows[-1:]))
    return boxes, arrows, right + MARGIN, _row_top(row) + BOX_H + MARGIN


def text_width(text, advance):
    """A generous estimate of the width of ``text`` in pixels (SVG text cannot be measured on the server)."""
    return round(len(text) * advance)


def _row_top(row):
    return 24 + row * ROW_H  # room above each row for the arrow labels


def _box(x, y, w, status, current):
    fill, stroke, ink, weight = (ACCENT, ACCENT, "#ffffff", "700") if current else ("#ffffff", ACCENT, INK, "400")
    return (
        f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="{BOX_H // 2}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="1.5"/>'
        f'<text x="{x + w // 2}" y="{y + BOX_H // 2 + 5}" text-anchor="middle" font-family="{MONO}" '
        f'font-size="{STATUS_PX}" font-weight="{weight}" fill="{ink}">{escape(status)}</text>'
    )


def _arrow(x1, x2, y, cause, label_x):
    colour = FAILED if cause in SETBACKS else LINE
    ink = FAILED if cause in SETBACKS else MUTED
    tip = x2 - 3
    return (
        f'<line x1="{x1 + 3}" y1="{y}" x2="{tip - 6}" y2="{y}" stroke="{colour}" stroke-width="1.6"/>'
        + _head(x1, y, tip, y, colour)
        + f'<text x="{label_x}" y="{y - 26}" font-family="{SANS}" font-size="{LABEL_PX}" '
        f'fill="{ink}">{escape(cause)}</text>'
    )


def _head(x1, y1, x2, y2, colour, size=8):
    """A filled arrowhead at (x2, y2), pointing away from (x1, y1)."""
    angle = math.atan2(y2 - y1, x2 - x1)
    corners = [(x2, y2)] + [
        (x2 - size * math.cos(angle + turn), y2 - size * math.sin(angle + turn)) for turn in (0.45, -0.45)
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    return f'<polygon points="{points}" fill="{colour}"/>'
