"""Parameter checks with Stripe's wording and error codes.

Secret-key calls get Stripe's strictness (unknown parameters refused, types
checked); publishable-key calls from Stripe.js carry many undocumented fields, so
their unknown keys are dropped, as Stripe does.  Malformed values get Stripe's
answers: ``Invalid integer: abc`` (``parameter_invalid_integer``), an empty string
for a parameter that cannot be unset (``parameter_invalid_empty``), ``Invalid
boolean``, enum values listed as Stripe lists them, and metadata limits (50 keys,
keys up to 40 characters, values up to 500).
"""

import re

from .errors import invalid, missing_param, unknown_param

INTEGER = re.compile(r"^-?[0-9]+$")
MAX_INTEGER = 2**63 - 1
METADATA_KEYS, METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 50, 40, 500


class Params:
    """The decoded parameters of one request, checked against the names an endpoint knows."""

    def __init__(self, raw, allowed, strict):
        unknown = [name for name in raw if name not in allowed]
        if unknown and strict:
            raise unknown_param(unknown[0])
        self.values = {k: v for k, v in raw.items() if k in allowed}

    def __contains__(self, name):
        return name in self.values

    def string(self, name, required=False, default=None):
        """A string parameter; a nested value where a string belongs is Stripe's ``Invalid string`` error."""
        value = self.values.get(name)
        if value is None:
            if required:
                raise missing_param(name)
            return default
        if not isinstance(value, str):
            raise invalid(f"Invalid string: {_describe(value)}", param=name)
        return value

    def optional_string(self, name):
        """A string where ``""`` means "unset" (Stripe's convention for clearing a field)."""
        value = self.string(name)
        return value or None

    def integer(self, name, required=False, default=None, minimum=None):
        """An integer parameter, parsed with Stripe's rules and messages (no decimals, no exponents, 64 bits)."""
        value = self.string(name, required=required)
        return default if value is None else parse_integer(name, value, minimum)

    def boolean(self, name, default=False):
        """A boolean parameter: only ``true`` and ``false``, as Stripe accepts."""
        value = self.string(name)
        return default if value is None else parse_boolean(name, value)

    def choice(self, name, choices, default=None):
        """An enum parameter; anything else gets Stripe's message listing the values it accepts."""
        value = self.string(name)
        if value is None:
            return default
        if value not in choices:
            raise invalid(f"Invalid {name}: must be one of {one_of(choices)}", param=name)
        return value

    def mapping(self, name, allowed=None):
        """A hash parameter (``metadata[key]``), refusing keys Stripe would not know when ``allowed`` is given."""
        value = self.values.get(name)
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid(f"Invalid hash: {name}", param=name)
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise unknown_param(f"{name}[{key}]")
        return value

    def string_list(self, name):
        """An array parameter (``expand[]``, ``enabled_events[]``); a single value counts as a list of one."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"Invalid array: {name}", param=name)
        return value

    def metadata(self, current=None):
        """``metadata`` merged into ``current`` (an empty value deletes a key), within Stripe's limits."""
        update = self.mapping("metadata")
        for key, item in update.items():
            if not isinstance(item, str):
                raise invalid(f"Invalid metadata[{key}]: must be a string", param=f"metadata[{key}]")
            if len(key) > METADATA_KEY_LENGTH:
                raise invalid(
                    f"Metadata keys can have up to {METADATA_KEY_LENGTH} characters, but you passed in a "
                    f"key that is {len(key)} characters. Invalid key: {key}"
                )
            if len(item) > METADATA_VALUE_LENGTH:
                raise invalid(
                    f"Metadata values can have up to {METADATA_VALUE_LENGTH} characters, but you passed "
                    f"in a value that is {len(item)} characters. Invalid value: {item}"
                )
        merged = {key: value for key, value in {**(current or {}), **update}.items() if value != ""}
        if len(merged) > METADATA_KEYS:
            raise invalid(
                f"Metadata can have up to {METADATA_KEYS} keys, but you've set {len(merged)}. Email us at "
                "support+metadata@stripe.com for more information."
            )
        return merged

    def created(self):
        """The ``created`` filter of a list: ``created=<int>`` or ``created[gt|gte|lt|lte]=<int>``, as SQL bounds."""
        value = self.values.get("created")
        if value is None:
            return {}
        if not isinstance(value, dict):
            return {"=": self.integer("created")}
        bounds = {}
        for key in value:
            if key not in CREATED_BOUNDS:
                raise unknown_param(f"created[{key}]")
            if not isinstance(value[key], str):
                raise invalid(
                    f"Invalid integer: {_describe(value[key])}",
                    param=f"created[{key}]",
                    code="parameter_invalid_integer",
                )
            bounds[CREATED_BOUNDS[key]] = parse_integer(f"created[{key}]", value[key])
        return bounds


CREATED_BOUNDS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _describe(value):
    return "array" if isinstance(value, list) else "object"


def parse_integer(name, value, minimum=None):
    """An integer the way Stripe reads one: ASCII digits, optional minus, within 64 bits."""
    if value == "":
        raise empty_value(name)
    if not INTEGER.match(value) or abs(int(value)) > MAX_INTEGER:
        raise invalid(f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise invalid(
            f"This value must be greater than or equal to {minimum}.", param=name, code="parameter_invalid_integer"
        )
    return number


def parse_boolean(name, value):
    """``true``/``false`` as Stripe parses them, with its ``Invalid boolean`` message for anything else."""
    if value == "":
        raise empty_value(name)
    if value not in ("true", "false"):
        raise invalid(f"Invalid boolean: {value}", param=name)
    return value == "true"


def one_of(choices):
    """``a, b, or c`` — how Stripe lists the values an enum parameter accepts."""
    *rest, last = choices
    if not rest:
        return last
    return f"{rest[0]} or {last}" if len(rest) == 1 else f"{', '.join(rest)}, or {last}"


def empty_value(name):
    """Stripe's answer to ``name=`` for a parameter that cannot be unset."""
    return invalid(
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to unset a parameter; "
        f"however '{name}' cannot be unset. You should remove '{name}' from your request or supply a non-empty value.",
        param=name,
        code="parameter_invalid_empty",
    )
