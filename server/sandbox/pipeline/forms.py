"""Decode Stripe's form encoding into nested Python values.

Stripe's v1 API takes ``application/x-www-form-urlencoded`` bodies whose keys use
brackets for nesting: ``metadata[order_id]=42``, ``expand[0]=latest_charge`` or
``expand[]=latest_charge``.  stripe-python sends raw brackets in POST bodies and
percent-encoded ones in GET queries; ``parse_qsl`` undoes both, so this module only
has to fold the flat keys back into dicts and lists.
"""

import re
from urllib.parse import parse_qsl

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """A key that cannot be folded (e.g. ``a=1`` and ``a[b]=2`` together)."""

    def __init__(self, key):
        super().__init__(f"Invalid array or hash: {key}")
        self.key = key


def parse_form(raw):
    """Parse a query string or form body (str) into nested dicts and lists."""
    root = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        _insert(root, key, value)
    return _listify(root)


def _split_key(key):
    head, _, rest = key.partition("[")
    if not rest:
        return [head]
    return [head] + _SEGMENT.findall("[" + rest)


def _insert(root, key, value):
    parts = _split_key(key)
    node = root
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if part == "":  # "expand[]" appends
            part = str(sum(1 for k in node if k.isdigit()))
        if last:
            if isinstance(node.get(part), dict):
                raise FormError(key)
            node[part] = value
        else:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise FormError(key)
            node = child


def _listify(node):
    """Turn dicts whose keys are all indices into lists, recursively."""
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def encode_form(params, prefix=None):
    """Encode nested values the way stripe-python does (for the notebook helper and tests)."""
    pairs = []
    if isinstance(params, dict):
        entries = params.items()
    else:
        entries = enumerate(params)
    for key, value in entries:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, (dict, list, tuple)):
            pairs.extend(encode_form(value, name))
        elif value is None:
            continue
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs
