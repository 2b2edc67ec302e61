"""Uploads of the catalogued publishers (``[publishers.*]`` of the facts): each action or
reusable workflow that uploads becomes an upload of the model, with its tool, target,
credential and release."""

from __future__ import annotations

import pytest

from shiplint.pkg.upload_commands import index_of_url


@pytest.mark.parametrize(
    ("url", "index"),
    [
        ("https://upload.pypi.org/legacy/", "pypi"),
        ("https://test.pypi.org/legacy/", "testpypi"),
        ("https://pypi.org/simple", "pypi"),
        ("HTTPS://Test.PyPI.org/legacy/", "testpypi"),
        ("https://pypi.python.org/pypi", "pypi"),
        ("https://testpypi.python.org/pypi", "testpypi"),
        ("https://user@upload.pypi.org:443/legacy/", "pypi"),
        ("test.pypi.org/legacy/", "testpypi"),
        ("'https://upload.pypi.org/legacy/'", "pypi"),
        ("https://pypi.anaconda.org/scientific-python-nightly-wheels/simple", "anaconda"),
        ("https://api.anaconda.org", "anaconda"),
        ("testpypi", "testpypi"),
        ("pypi", "pypi"),
        # a host that merely contains a known one is another index
        ("https://mypypi.org/legacy/", None),
        ("https://pypi.org.example.com/legacy/", None),
        ("https://testpypi.example.com/", None),
        ("https://notanaconda.org/x", None),
        ("https://pypi.example.com/simple", None),
        ("${{ secrets.TESTPYPI_URL }}", None),
        ("https://gitlab.com/api/v4/projects/1/packages/pypi", None),
    ],
)
def test_index_of_url_by_host(url: str, index: str | None) -> None:
    assert index_of_url(url) == index
