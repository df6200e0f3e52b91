"""``expand[]``: replace id fields with the objects they name, as Stripe does."""

import json

from .errors import invalid


def expand(ctx, obj, paths):
    """A copy of ``obj`` with each dotted path in ``paths`` expanded (``data.`` walks a list's items)."""
    if not paths:
        return obj
    obj = json.loads(json.dumps(obj))
    for path in paths:
        _expand_path(ctx, obj, path.split("."))
    return obj


def _expand_path(ctx, node, parts):
    head, rest = parts[0], parts[1:]
    if node.get("object") == "list" and head == "data":
        for item in node["data"]:
            if rest:
                _expand_path(ctx, item, rest)
        return
    if head not in node:
        raise invalid(f"This property cannot be expanded ({head}).", param="expand")
    value = node[head]
    if isinstance(value, str):
        found = ctx.store.get(value)
        if found is None:
            raise invalid(f"This property cannot be expanded ({head}).", param="expand")
        node[head] = value = found
    if rest and isinstance(value, dict):
        _expand_path(ctx, value, rest)
