"""The declared package metadata as shiplint holds it: every literal value with the exact
place it is written (:class:`Text`), requirements (:class:`Dependency`), the long
description (:class:`Readme`), what one file declares (:class:`Declared`) and what the
whole project declares (:class:`ProjectMetadata`); and :func:`requirement_items`, the
setuptools reading of requirement lists that the setup.cfg and setup.py readers share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from shiplint.model import Loc

if TYPE_CHECKING:
    from collections.abc import Iterator

    from shiplint.source import SourceFile


class Text(NamedTuple):
    """A literal string value, the key it was given under, and where it is written.

    ``loc`` is the value's text (inside the quotes for TOML and Python strings); when the
    written text differs from the value (escapes, implicit concatenation) ``exact`` is
    False and ``loc`` covers the whole token.  ``token`` is the whole written token, quotes
    included (what a fix deletes).
    """

    value: str
    loc: Loc
    key: str
    exact: bool = True
    token: Loc | None = None


class Dependency(NamedTuple):
    """One requirement string of ``dependencies``/``install_requires`` or an extra."""

    text: Text
    #: the field as written in the file, e.g. ``optional-dependencies.test``
    field: str
    #: setup.cfg split a one-line value at ``;`` (setuptools reads it as a list)
    split_at_semicolon: bool = False


@dataclass
class Readme:
    """The long description: the files it is read from and its content type.

    ``form`` is ``pyproject-string`` (``readme = "README.md"``), ``pyproject-table``,
    ``setup-cfg`` (``long_description = file: ...``) or ``setup-py`` (read by an obvious
    ``open(...).read()`` / ``Path(...).read_text()``).
    """

    form: str
    anchor: Loc
    files: list[Text] = field(default_factory=list)
    content_type: Text | None = None
    #: the content type may be set where shiplint cannot see it (``setup(**kwargs)``,
    #: a computed value)
    content_type_unknown: bool = False
    #: offset and indentation where a missing content-type option can be inserted
    insert_at: int | None = None
    indent: str = ""


@dataclass
class Declared:
    """The metadata one file declares (only what is written literally)."""

    source: SourceFile
    name: Text | None = None
    version: Text | None = None
    #: a PEP 639 SPDX expression: ``[project].license`` as a string, ``license_expression``
    license_expression: Text | None = None
    requires_python: Text | None = None
    classifiers: list[Text] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    readme: Readme | None = None
    #: setup.cfg ``[aliases]`` words, for the removed ``upload``/``register`` commands
    aliases: list[Text] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.source.kind


@dataclass
class ProjectMetadata:
    """Everything the project's metadata files declare."""

    declared: list[Declared]
    #: ``[build-system].build-backend`` (None: not set, setuptools' legacy backend)
    backend: str | None = None
    #: the project has a ``[project]`` table in pyproject.toml
    has_project_table: bool = False
    #: pyproject.toml is the root of a workspace (``[tool.uv.workspace]``): the member
    #: packages are what gets published, the root is often a private placeholder
    workspace_root: bool = False

    def classifiers(self) -> Iterator[tuple[Declared, Text]]:
        for d in self.declared:
            for text in d.classifiers:
                yield d, text

    def dependencies(self) -> Iterator[tuple[Declared, Dependency]]:
        for d in self.declared:
            for dep in d.dependencies:
                yield d, dep

    def license_expressions(self) -> list[tuple[Declared, Text]]:
        return [(d, d.license_expression) for d in self.declared if d.license_expression]

    @property
    def setuptools(self) -> bool:
        """Whether setuptools builds the project."""
        return self.backend is None or self.backend.split(":", 1)[0].startswith("setuptools")


def requirement_items(items: list[tuple[Text, bool]]) -> list[tuple[Text, bool]]:
    """What setuptools makes of requirement list items: ``#`` lines dropped, `` #``
    comments cut (``jaraco.text.drop_comment``); a ``\\`` continuation makes the list
    unknown."""
    out = []
    for text, split in items:
        if text.value.startswith("#"):
            continue
        value = text.value.partition(" #")[0].rstrip()
        if value.endswith("\\"):
            return []
        if not value:
            continue
        loc = Loc(text.loc.source, text.loc.start, text.loc.start + len(value))
        out.append((Text(value, loc, text.key, token=text.token), split))
    return out
