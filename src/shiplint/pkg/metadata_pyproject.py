"""The metadata pyproject.toml declares in ``[project]`` (fields listed in ``dynamic`` are
left out), with the exact place of every value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import Loc
from shiplint.pkg.metadata_types import Declared, Dependency, Readme, Text

if TYPE_CHECKING:
    from shiplint.parse.tomlpos import TomlDoc, TomlPath
    from shiplint.source import SourceFile


def _toml_text(src: SourceFile, doc: TomlDoc, path: TomlPath, key: str) -> Text | None:
    value = doc.get(path)
    if not isinstance(value, str):
        return None
    token = doc.value_span(path)
    body = doc.string_span(path)
    text = src.text or ""
    if token is None:
        start = src.index(doc.best_pos(path))
        loc = Loc(src, start, start)
        return Text(value, loc, key, exact=False, token=None)
    token_loc = Loc(src, *token)
    if body is not None and text[body[0] : body[1]] == value:
        return Text(value, Loc(src, *body), key, exact=True, token=token_loc)
    return Text(value, token_loc, key, exact=False, token=token_loc)


def _toml_list(src: SourceFile, doc: TomlDoc, path: TomlPath, key: str) -> list[Text]:
    items = doc.get(path)
    if not isinstance(items, list):
        return []
    out = []
    for i in range(len(items)):
        text = _toml_text(src, doc, (*path, i), key)
        if text is not None:
            out.append(text)
    return out


def from_pyproject(src: SourceFile, doc: TomlDoc) -> Declared:
    declared = Declared(src)
    table = doc.get(("project",))
    if not isinstance(table, dict):
        return declared
    dynamic_raw = table.get("dynamic")
    dynamic = (
        {d for d in dynamic_raw if isinstance(d, str)} if isinstance(dynamic_raw, list) else set()
    )
    declared.name = _toml_text(src, doc, ("project", "name"), "name")
    if "version" not in dynamic:
        declared.version = _toml_text(src, doc, ("project", "version"), "version")
    if "license" not in dynamic:
        declared.license_expression = _toml_text(src, doc, ("project", "license"), "license")
    if "requires-python" not in dynamic:
        declared.requires_python = _toml_text(
            src, doc, ("project", "requires-python"), "requires-python"
        )
    if "classifiers" not in dynamic:
        declared.classifiers = _toml_list(src, doc, ("project", "classifiers"), "classifiers")
    if "dependencies" not in dynamic:
        for text in _toml_list(src, doc, ("project", "dependencies"), "dependencies"):
            declared.dependencies.append(Dependency(text, "dependencies"))
    extras = table.get("optional-dependencies")
    if isinstance(extras, dict) and "optional-dependencies" not in dynamic:
        for extra in extras:
            label = f"optional-dependencies.{extra}"
            path = ("project", "optional-dependencies", extra)
            for text in _toml_list(src, doc, path, label):
                declared.dependencies.append(Dependency(text, label))
    if "readme" not in dynamic:
        declared.readme = _pyproject_readme(src, doc)
    return declared


def _pyproject_readme(src: SourceFile, doc: TomlDoc) -> Readme | None:
    value = doc.get(("project", "readme"))
    if isinstance(value, str):
        text = _toml_text(src, doc, ("project", "readme"), "readme")
        if text is None:
            return None
        return Readme("pyproject-string", text.loc, files=[text])
    if not isinstance(value, dict):
        return None
    start = src.index(doc.best_pos(("project", "readme")))
    readme = Readme("pyproject-table", Loc(src, start, start))
    path_file = ("project", "readme", "file")
    file_text = _toml_text(src, doc, path_file, "readme.file")
    if file_text is not None:
        readme.files.append(file_text)
        readme.anchor = file_text.loc
    readme.content_type = _toml_text(
        src, doc, ("project", "readme", "content-type"), "readme.content-type"
    )
    return readme
