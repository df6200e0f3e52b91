"""``deploy/z2jh/values.yaml`` against the Zero to JupyterHub chart's own values schema, as ``helm`` checks it.

Nothing here runs Kubernetes: the file stays on paper, but a key the chart does not know (a typo, a key
from another chart version) or a value of the wrong type fails here rather than at ``helm upgrade``.
``helm`` validates the chart's defaults with ours merged over them (maps merged key by key, a null
removing a key), so this does the same with the chart's ``values.yaml`` and ``values.schema.yaml``,
vendored at the version the ``helm`` command names (``deploy/z2jh/chart/README.md``).
"""

import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.processes import ROOT

CHART = Path(ROOT, "deploy", "z2jh", "chart")
OURS = Path(ROOT, "deploy", "z2jh", "values.yaml")
HELM_VERSION = re.compile(r"jupyterhub/jupyterhub --version (\S+)")
# What the helm command in values.yaml adds with --set.
PASSWORD = {"hub": {"config": {"SharedPasswordAuthenticator": {"user_password": "a-workshop-password"}}}}


def coalesce(defaults, values):
    """``values`` over ``defaults`` as Helm merges a chart's values: maps key by key, null deleting a key."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = value
    return merged


def problems(values):
    """What the chart's schema says about ``values`` (ours, as helm would see them), one line per problem."""
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    merged = coalesce(coalesce(yaml.safe_load((CHART / "values.yaml").read_text()), values), PASSWORD)
    validator = jsonschema.Draft7Validator(schema)  # the schema's own $schema
    return sorted(
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(merged)
    )


def ours():
    return yaml.safe_load(OURS.read_text())


def test_our_values_are_valid_for_the_chart():
    assert problems(ours()) == []


@pytest.mark.parametrize(
    ("where", "key"),
    [
        ((), "culling"),  # cull
        (("singleuser",), "defaultURL"),  # defaultUrl
        (("singleuser", "memory"), "guarantees"),
        (("cull",), "timout"),
    ],
)
def test_a_key_the_chart_does_not_know_fails(where, key):
    values = ours()
    place = values
    for part in where:
        place = place[part]
    place[key] = "1"
    assert problems(values) == [
        f"{'.'.join(where) or '(top)'}: Additional properties are not allowed ('{key}' was unexpected)"
    ]


def test_a_value_of_the_wrong_type_fails():
    values = ours()
    values["cull"]["timeout"] = "an hour"
    assert problems(values) == ["cull.timeout: 'an hour' is not of type 'integer', 'null'"]


def test_the_helm_command_and_the_docs_name_the_vendored_chart_version():
    vendored = re.search(r"chart version (\S+),", (CHART / "README.md").read_text()).group(1)
    assert HELM_VERSION.findall(OURS.read_text()) == [vendored]
    assert f"chart {vendored}" in Path(ROOT, "docs", "workshop.md").read_text()
