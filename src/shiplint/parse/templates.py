"""Recognise YAML files that are Jinja templates (conda-build recipes and the like).

A conda-build recipe (``recipe/meta.yaml``) or another Jinja-templated file is not YAML
until it is rendered: ``{% set version = "1.0" %}`` is a syntax error for a YAML parser,
and ``version: {{ version }}`` parses as a nested mapping. shiplint does not render
templates, so such a file is not read at all (see ``Project.yaml``).

What counts as Jinja:

* a statement tag ``{% ... %}`` that starts with a Jinja keyword (``set``, ``if``,
  ``for``, ``macro`` ...), or a comment ``{# ... #}``;
* an expression ``{{ ... }}`` where YAML would read a value: at the start of a line, after
  ``key:`` or after a list dash. One inside a string (``run: docker inspect -f '{{.Id}}'``)
  is part of that string, and GitHub's and Azure Pipelines' ``${{ ... }}`` expressions
  are not Jinja.
"""

from __future__ import annotations

import re

from shiplint.lazyre import LazyPattern

_KEYWORDS = (
    "set",
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "macro",
    "endmacro",
    "call",
    "endcall",
    "block",
    "endblock",
    "filter",
    "endfilter",
    "include",
    "import",
    "from",
    "extends",
    "raw",
    "endraw",
    "with",
    "endwith",
    "do",
)
_STATEMENT = LazyPattern(r"\{%[-+]?\s*(?:" + "|".join(_KEYWORDS) + r")\b[^\n]*?%\}")
_COMMENT = LazyPattern(r"\{#[^\n]*?#\}")
# ``{{`` where a YAML node begins: a line of its own, a list item, or the value of a key
# (``${{`` never matches: the ``$`` stands where ``{{`` would have to begin).
_EXPRESSION = LazyPattern(
    r"^[ \t]*(?:-[ \t]+)*(?:[^\s#'\"{\[$-][^:\n#]*:[ \t]+)?(\{\{)[^\n]*?\}\}", re.MULTILINE
)


def jinja_marker(text: str) -> int | None:
    """Offset of the first Jinja tag in ``text`` (None when it is not a Jinja template)."""
    found = [
        m.start(group)
        for pattern, group in ((_STATEMENT, 0), (_COMMENT, 0), (_EXPRESSION, 1))
        if (m := pattern.search(text)) is not None
    ]
    return min(found) if found else None
