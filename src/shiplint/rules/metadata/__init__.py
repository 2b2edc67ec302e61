"""Package metadata PyPI rejects, and the removed ``setup.py upload`` (P-7, P-8, P-9, P-13).

The metadata comes from :mod:`shiplint.pkg.metadata` (pyproject.toml ``[project]``, setup.cfg,
the literal arguments of ``setup(...)``); values are checked with the packages PyPI itself
uses: ``trove-classifiers``, ``packaging.licenses``, ``packaging.utils``,
``packaging.version``, ``packaging.specifiers`` and ``packaging.requirements``.

Importing the package registers every rule of the family; one module per concern:

- :mod:`.classifiers`: SL731 invalid-classifier, SL738 private-classifier-uploaded
- :mod:`.license`: SL732 license-classifier-with-expression, SL733 invalid-license-expression
- :mod:`.fields`: SL734 invalid-project-name, SL735 invalid-static-version,
  SL736 invalid-requires-python, SL737 invalid-dependency
- :mod:`.readme`: SL739 readme-content-type
- :mod:`.setup_py_upload`: SL740 setup-py-upload
- :mod:`.common`: the helpers they share (PyPI reach, field names in messages, fixes)
"""

from shiplint.rules.metadata import classifiers, fields, license, readme, setup_py_upload

__all__ = ["classifiers", "fields", "license", "readme", "setup_py_upload"]
