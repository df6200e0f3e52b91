"""Book covers drawn as SVG from the catalog (title, author, two colours): no copied artwork."""

import textwrap
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 300, 450


def cover_svg(book):
    """A book's cover as SVG, drawn from its title, author and palette, so the demo needs no image files or CDN."""
    background, ink = book.palette
    lines = textwrap.wrap(book.title, width=16)[:5]
    title = "".join(
        f'<text x="28" y="{120 + i * 38}" font-size="30" font-weight="700">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"
 aria-label="{escape(book.title)} by {escape(book.author)}">
<rect width="{WIDTH}" height="{HEIGHT}" fill="{background}"/>
<rect x="16" y="16" width="{WIDTH - 32}" height="{HEIGHT - 32}" fill="none" stroke="{ink}" stroke-width="2" opacity=".5"/>
<circle cx="{WIDTH - 60}" cy="{HEIGHT - 120}" r="70" fill="{ink}" opacity=".18"/>
<g fill="{ink}" font-family="Georgia, 'Times New Roman', serif">{title}
<text x="28" y="{HEIGHT - 60}" font-size="20" font-style="italic">{escape(book.author)}</text>
<text x="28" y="{HEIGHT - 34}" font-size="12" letter-spacing="3">STRIPE PRESS</text></g>
</svg>"""
