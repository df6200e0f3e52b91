"""The integration's own code, shown in a lesson straight from its files, so the lesson never drifts from it.

``excerpt("server/press_workbench/shop/webhooks.py", function="receive")`` shows a function (with
its decorators) as the file has it now; ``excerpt("server/press_workbench/shop/static/js/checkout.js",
start='form.addEventListener("submit"', end="  });")`` shows the lines from the
first holding ``start`` to the next that is ``end`` (indentation included, so the
handler's closing line is told from an inner one).  ``mark`` picks lines to point at.

Text that no longer appears raises ``StaleExcerpt``, which is not a ``WorkbenchError``: the
learner cannot fix it, the lesson's author must, so it shows as a traceback rather than a
card, and the cell fails under nbval whatever its output tags, instead of showing the wrong
lines or an error card that a run passes over.  ``root`` (the repository, by default)
is where the files are read, so a test can give the check a changed copy of them.
"""

import ast
import re
from html import escape
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_for_filename

from .build import ROOT
from .display import NO_MATH, CardView

MARK = "#fff4d6"  # the marked lines' background (display.TONES' warn paper)
FORMATTER = HtmlFormatter(nowrap=True, noclasses=True, style="friendly")
STRIPE_CALL = re.compile(r"\.v1\.(\w+)\.(\w+)\(")  # client.v1.payment_intents.create(


class StaleExcerpt(Exception):
    """A lesson's excerpt no longer matches the code it shows: the lesson needs updating (see the module docstring)."""


class Excerpt(CardView):
    """Lines ``first``–``last`` (1-based, inclusive) of a file of this repository, with some of them marked."""

    def __init__(self, path, text, first, last, mark=()):
        self.path, self.first, self.last, self.mark = path, first, last, tuple(mark)
        self.lines = text.splitlines()[first - 1 : last]
        missing = [wanted for wanted in self.mark if not any(wanted in line for line in self.lines)]
        if missing:
            raise StaleExcerpt(f"{path} lines {first}–{last} no longer hold {missing[0]!r}: update the lesson.")

    @property
    def title(self):
        return f"{self.path} · lines {self.first}–{self.last}"

    def marked(self, line):
        return any(text in line for text in self.mark)

    def _repr_html_(self):
        lexer = get_lexer_for_filename(self.path, stripnl=False, ensurenl=False)
        rows = []
        for number, line in enumerate(self.lines, self.first):
            code = highlight(line, lexer, FORMATTER) if line.strip() else "&nbsp;"
            background = f"background:{MARK};" if self.marked(line) else ""
            rows.append(
                f'<div style="{background}white-space:pre"><span style="display:inline-block;width:3.2em;'
                f'color:#8792a2;user-select:none">{number}</span>{code}</div>'
            )
        return (
            f'<div class="{NO_MATH}" style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;'
            f"line-height:1.45;border:1px solid #d5dbe1;border-radius:8px;padding:8px 12px;overflow-x:auto;"
            f'max-width:1120px;background:#fff"><div style="font-family:system-ui,sans-serif;font-weight:600;'
            f'margin-bottom:6px">{escape(self.title)}</div>{"".join(rows)}</div>'
        )

    def __repr__(self):
        width = len(str(self.last))
        body = [
            f"{'▶' if self.marked(line) else ' '} {str(number).rjust(width)}  {line}".rstrip()
            for number, line in enumerate(self.lines, self.first)
        ]
        return "\n".join([self.title, *body])


def excerpt(path, function=None, start=None, end=None, lines=None, mark=(), root=ROOT):
    """A function of a Python file (``"Shop.settle"`` for a method), or the lines from ``start`` to ``end``.

    ``lines=n`` instead of ``end``: the ``n`` lines from the one holding ``start``.
    """
    text = (Path(root) / path).read_text()
    if function is not None:
        first, last = _definition(path, text, function)
    else:
        first, last = _between(path, text, start, end)
        last = first + lines - 1 if lines else last
    return Excerpt(path, text, first, last, mark)


def stripe_calls(package, root=ROOT):
    """The ``(resource, method)`` pairs of ``<client>.v1.<resource>.<method>(`` calls in a package's code, sorted.

    What a restricted key for that code must allow (notebook 04), read from the code itself.
    """
    calls = set()
    for path in sorted((Path(root) / package).rglob("*.py")):
        calls.update(STRIPE_CALL.findall(path.read_text()))
    return sorted(calls)


def _definition(path, text, name):
    """(first, last) line of a def or class, decorators included; a dotted name looks inside classes."""
    scope = ast.parse(text).body
    node = None
    for part in name.split("."):
        node = next((n for n in scope if getattr(n, "name", None) == part), None)
        if node is None:
            raise StaleExcerpt(f"{path} has no {name}: update the lesson.")
        scope = getattr(node, "body", [])
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    return first, node.end_lineno


def _between(path, text, start, end):
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if start in line), None)
    if first is None:
        raise StaleExcerpt(f"{path} no longer holds {start!r}: update the lesson.")
    if end is None:
        return first + 1, first + 1
    last = next((i for i in range(first, len(lines)) if lines[i].rstrip() == end), None)
    if last is None:
        raise StaleExcerpt(f"{path} has no line {end!r} after {start!r}: update the lesson.")
    return first + 1, last + 1
