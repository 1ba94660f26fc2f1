"""The examples in the analysis modules' docstrings run (those not marked +SKIP)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import chronology.analysis as analysis

MODULES = sorted(m.name for m in pkgutil.iter_modules(analysis.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"chronology.analysis.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
