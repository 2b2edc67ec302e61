"""The metadata setup.cfg declares: ``[metadata]``, ``[options]``,
``[options.extras_require]`` and the ``[aliases]`` words, as setuptools reads them (one
item a line, or a one-line value split at ``,``/``;``; ``file:`` and ``attr:`` values are
unknown)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shiplint.model import Loc
from shiplint.pkg.metadata_types import Declared, Dependency, Readme, Text, requirement_items

if TYPE_CHECKING:
    from collections.abc import Iterator

    from shiplint.parse.ini import IniSection, IniValue
    from shiplint.project import Project
    from shiplint.source import SourceFile


def _ini_get(section: IniSection | None, key: str) -> IniValue | None:
    """An option by its underscore name, or by the dash-separated spelling setuptools
    still reads (with a deprecation warning)."""
    if section is None:
        return None
    return section.get(key) or section.get(key.replace("_", "-"))


def _line_loc(src: SourceFile, value: IniValue, i: int) -> tuple[str, int]:
    line = value.lines[i]
    return line.text, src.index(line.pos)


def _ini_scalar(src: SourceFile, value: IniValue | None) -> Text | None:
    """A one-line option value (``key = value``)."""
    if value is None or len(value.lines) != 1 or "\n" in value.value:
        return None
    text, start = _line_loc(src, value, 0)
    if not text:
        return None
    loc = Loc(src, start, start + len(text))
    return Text(text, loc, value.key, token=loc)


def _pieces(text: str, sep: str) -> Iterator[tuple[str, int]]:
    """The stripped, non-empty pieces of ``text`` split at ``sep``, with their offsets."""
    offset = 0
    for part in text.split(sep):
        stripped = part.strip()
        if stripped:
            yield stripped, offset + (len(part) - len(part.lstrip()))
        offset += len(part) + len(sep)


def _ini_list(src: SourceFile, value: IniValue | None, sep: str) -> list[tuple[Text, bool]]:
    """The items of a setuptools list option: one a line, or split at ``sep`` when the
    value is one line; ``(text, was_split)`` pairs.  ``file:`` values are unknown."""
    if value is None or not value.lines or value.value.lstrip().startswith("file:"):
        return []
    out: list[tuple[Text, bool]] = []
    if "\n" in value.value:
        for i in range(len(value.lines)):
            text, start = _line_loc(src, value, i)
            loc = Loc(src, start, start + len(text))
            out.append((Text(text, loc, value.key, token=loc), False))
        return out
    text, start = _line_loc(src, value, 0)
    pieces = list(_pieces(text, sep))
    for piece, offset in pieces:
        loc = Loc(src, start + offset, start + offset + len(piece))
        out.append((Text(piece, loc, value.key, token=loc), len(pieces) > 1))
    return out


def from_setup_cfg(project: Project, src: SourceFile) -> Declared | None:
    doc = project.ini(src)
    if doc is None:
        return None
    declared = Declared(src)
    meta = doc.sections.get("metadata")
    options = doc.sections.get("options")
    declared.name = _ini_scalar(src, _ini_get(meta, "name"))
    version = _ini_scalar(src, _ini_get(meta, "version"))
    if version is not None and not version.value.startswith(("attr:", "file:")):
        declared.version = version
    declared.license_expression = _ini_scalar(src, _ini_get(meta, "license_expression"))
    declared.requires_python = _ini_scalar(src, _ini_get(options, "python_requires"))
    declared.classifiers = [t for t, _ in _ini_list(src, _ini_get(meta, "classifiers"), ",")]
    install = _ini_get(options, "install_requires")
    for text, split in requirement_items(_ini_list(src, install, ";")):
        declared.dependencies.append(Dependency(text, text.key, split))
    extras = doc.sections.get("options.extras_require")
    if extras is not None:
        for value in extras.values.values():
            label = f"{value.key} (options.extras_require)"
            for text, split in requirement_items(_ini_list(src, value, ";")):
                declared.dependencies.append(Dependency(text, label, split))
    declared.readme = _setup_cfg_readme(src, meta)
    aliases = doc.sections.get("aliases")
    if aliases is not None:
        for value in aliases.values.values():
            for line in value.lines:
                start = src.index(line.pos)
                for match in re.finditer(r"\S+", line.text):
                    loc = Loc(src, start + match.start(), start + match.end())
                    declared.aliases.append(Text(match.group(), loc, value.key, token=loc))
    return declared


def _setup_cfg_readme(src: SourceFile, meta: IniSection | None) -> Readme | None:
    value = _ini_get(meta, "long_description")
    if value is None or not value.lines:
        return None
    first, start = _line_loc(src, value, 0)
    if not first.startswith("file:") or len(value.lines) != 1:
        return None
    readme = Readme("setup-cfg", Loc(src, start, start + len(first)))
    body_start = len("file:")
    for piece, offset in _pieces(first[body_start:], ","):
        at = start + body_start + offset
        loc = Loc(src, at, at + len(piece))
        readme.files.append(Text(piece, loc, value.key, token=loc))
    ctype = _ini_get(meta, "long_description_content_type")
    if ctype is not None:
        readme.content_type = _ini_scalar(src, ctype)
        readme.content_type_unknown = readme.content_type is None
    text = src.text or ""
    line_end = text.find("\n", readme.anchor.end)
    readme.insert_at = len(text) if line_end == -1 else line_end
    readme.indent = " " * (value.key_pos.col - 1)
    return readme
