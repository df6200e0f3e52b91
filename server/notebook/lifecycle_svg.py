"""The PaymentIntent lifecycle as an SVG diagram, with the current status highlighted.

Drawn here rather than loaded from an image so it renders offline, in JupyterLab,
in Voilà and on a code host, and so the highlighted box is always the status of the
object on screen.  Only presentation attributes are used (no CSS, no ids), so many
diagrams can share a page.
"""

import math
from html import escape

BOX_W, BOX_H, GAP, MARGIN = 196, 36, 70, 8
TOP, BOTTOM = 60, 140
WIDTH, HEIGHT = 2 * MARGIN + 5 * BOX_W + 4 * GAP, 190
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
SANS = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK, MUTED, LINE, ACCENT = "#1a1f36", "#697386", "#8792a2", "#635bff"


def _column(index):
    return MARGIN + index * (BOX_W + GAP)


# status → top-left corner of its box: the happy path on top, the side states below
BOXES = {
    "requires_payment_method": (_column(0), TOP),
    "requires_confirmation": (_column(1), TOP),
    "requires_action": (_column(2), TOP),
    "processing": (_column(3), TOP),
    "succeeded": (_column(4), TOP),
    "requires_capture": ((_column(3) + _column(4)) // 2, BOTTOM),
    "canceled": (_column(0), BOTTOM),
}
STATUSES = tuple(BOXES)


def lifecycle_svg(current=None):
    """An inline ``<svg>`` of the lifecycle; ``current`` (a status) is drawn filled."""
    parts = [_edges(), *(_box(status, status == current) for status in BOXES)]
    label = f"PaymentIntent lifecycle; current status: {current or 'unknown'}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'style="max-width:{WIDTH}px" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def _box(status, highlighted):
    x, y = BOXES[status]
    fill, stroke, ink, weight = (ACCENT, ACCENT, "#ffffff", "700") if highlighted else ("#ffffff", LINE, INK, "400")
    return (
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="{BOX_H // 2}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="1.5"/>'
        f'<text x="{x + BOX_W // 2}" y="{y + 23}" text-anchor="middle" font-family="{MONO}" font-size="13" '
        f'font-weight="{weight}" fill="{ink}">{status}</text>'
    )


def _centre_x(status):
    return BOXES[status][0] + BOX_W // 2


def _edges():
    """Arrows between the boxes, each labelled with the step that causes it."""
    mid, bottom = TOP + BOX_H // 2, TOP + BOX_H
    steps = [("requires_payment_method", "requires_confirmation", "add method"),
             ("requires_confirmation", "requires_action", "confirm"),
             ("requires_action", "processing", "3D Secure"),
             ("processing", "succeeded", "charged")]  # fmt: skip
    parts = []
    for source, target, label in steps:
        x1, x2 = BOXES[source][0] + BOX_W, BOXES[target][0]
        parts += [_arrow(x1, mid, x2 - 2, mid), _label((x1 + x2) // 2, mid - 8, label)]
    capture_x = BOXES["requires_capture"][0]
    start, retry = _centre_x("requires_payment_method"), _centre_x("requires_action")
    parts += [
        _arrow(_centre_x("processing"), bottom, capture_x + 30, BOTTOM - 2),
        _label(_centre_x("processing") - 14, 124, "manual capture", anchor="end"),
        _arrow(capture_x + BOX_W - 30, BOTTOM, _centre_x("succeeded"), bottom + 2),
        _label(_centre_x("succeeded") + 14, 124, "capture", anchor="start"),
        # a decline or a failed authentication sends the intent back for another payment method
        _dashed(f"M{retry},{TOP} C{retry},22 {start},22 {start},{TOP - 6}"),
        _head(start, TOP - 12, start, TOP - 1),
        _label((start + retry) // 2, 20, "declined · authentication failed"),
        _dashed(f"M{start},{bottom} L{start},{BOTTOM - 6}"),
        _head(start, BOTTOM - 12, start, BOTTOM - 1),
        _label(start + 8, 122, "cancel", anchor="start"),
        _label(MARGIN + BOX_W + 12, BOTTOM + 23, "(from any status before succeeded)", anchor="start"),
    ]
    return "".join(parts)


def _arrow(x1, y1, x2, y2):
    line = f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{LINE}" stroke-width="1.3"/>'
    return line + _head(x1, y1, x2, y2)


def _dashed(path):
    return f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="1.3" stroke-dasharray="5 4"/>'


def _head(x1, y1, x2, y2, size=7):
    """A filled arrowhead at (x2, y2), pointing away from (x1, y1)."""
    angle = math.atan2(y2 - y1, x2 - x1)
    corners = [(x2, y2)] + [
        (x2 - size * math.cos(angle + turn), y2 - size * math.sin(angle + turn)) for turn in (0.45, -0.45)
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    return f'<polygon points="{points}" fill="{LINE}"/>'


def _label(x, y, text, anchor="middle"):
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-family="{SANS}" font-size="13" '
        f'fill="{MUTED}">{escape(text)}</text>'
    )
