"""Decode Stripe's form encoding into nested Python values.

Stripe's v1 API takes ``application/x-www-form-urlencoded`` bodies whose keys use
brackets for nesting: ``metadata[order_id]=42``, ``expand[0]=latest_charge`` or
``expand[]=latest_charge``.  stripe-python sends raw brackets in POST bodies and
percent-encoded ones in GET queries; ``parse_qsl`` undoes both, so this module only
has to fold the flat keys back into dicts and lists.
"""

import re
from urllib.parse import parse_qsl

MAX_PARAMS = 1000  # name=value pairs per request (query and body together); Stripe's largest calls send ~100
MAX_DEPTH = 8  # brackets per name; payment_method_data[billing_details][address][line1] has three
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """A body that cannot be folded into parameters (``a=1`` and ``a[b]=2`` together, too many, too deep)."""

    def __init__(self, message, key=None):
        super().__init__(message)
        self.key = key


def parse_form(*sources, max_params=MAX_PARAMS):
    """Parse query strings and form bodies (str) into one dict of nested dicts and lists.

    Linear in the input: the number of pairs is checked before they are split
    (``parse_qsl``'s ``max_num_fields``), each name's depth before it is folded,
    and ``[]`` appends at a remembered index instead of counting the list.
    """
    root, next_index, budget = {}, {}, max_params
    for raw in filter(None, sources):
        try:
            pairs = parse_qsl(raw, keep_blank_values=True, max_num_fields=budget)
        except ValueError:
            raise FormError(f"Too many parameters: a request may carry at most {max_params}.") from None
        budget -= len(pairs)
        for key, value in pairs:
            _insert(root, key, value, next_index)
    return {key: _listify(value) for key, value in root.items()}


def _split_key(key):
    head, _, rest = key.partition("[")
    if not rest:
        return [head]
    if rest.count("[") >= MAX_DEPTH:
        shown = key if len(key) <= 100 else key[:100] + "…"
        raise FormError(f"Invalid array or hash: {shown} is nested more than {MAX_DEPTH} levels deep.", shown)
    return [head] + _SEGMENT.findall("[" + rest)


def _is_index(part):
    return part.isascii() and part.isdigit() and len(part) <= 9


def _insert(root, key, value, next_index):
    parts = _split_key(key)
    node = root
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if part == "":  # "expand[]" appends
            part = str(next_index.get(id(node), 0))
        if _is_index(part) and part not in node:
            next_index[id(node)] = max(next_index.get(id(node), 0), int(part) + 1)
        if last:
            if isinstance(node.get(part), dict):
                raise FormError(f"Invalid array or hash: {key}", key)
            node[part] = value
        else:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise FormError(f"Invalid array or hash: {key}", key)
            node = child


def _listify(node):
    """Turn dicts whose keys are all indices into lists, recursively."""
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(_is_index(k) for k in items):
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
