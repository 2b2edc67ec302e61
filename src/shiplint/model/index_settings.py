"""Package-index settings and upload credentials written outside commands.

``[tool.uv]`` index URLs and ``[tool.poetry]`` sources of pyproject.toml, the ``pip:``
options of conda environment files, the sections of ``.pypirc`` (a literal password is
masked in every printed line), and the index URLs of ``PIP_INDEX_URL``-style environment
assignments anywhere in the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.model import Context, IndexUse, Loc, PypircEntry, Value
from shiplint.parse.yamlnodes import YMap, YScalar

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel
    from shiplint.parse.ini import IniDoc
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.parse.yamlnodes import YNode
    from shiplint.source import SourceFile

_URL = LazyPattern(r"https?://[^\s\"'`;,)\]}]+")
_INDEX_ENV = {
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_INDEX",
    "UV_DEFAULT_INDEX",
    "PIP_FIND_LINKS",
}


def conda_env(model: ReleaseModel, src: SourceFile, root: YNode | None) -> None:
    if not isinstance(root, YMap):
        return
    context = Context(origin="conda-env", label=src.rel)
    deps = root.get_seq("dependencies")
    if deps is None:
        return
    for item in deps.items:
        if not isinstance(item, YMap):
            continue
        pip = item.get_seq("pip")
        if pip is None:
            continue
        for entry in pip.items:
            if isinstance(entry, YScalar) and entry.value.startswith("-"):
                for match in _URL.finditer(entry.value):
                    loc = _narrow(src, entry, match.group(0))
                    model.indexes.append(IndexUse(Value(match.group(0), loc), "conda-env", context))


def pypirc(model: ReleaseModel, src: SourceFile, ini: IniDoc) -> None:
    for name, section in ini.sections.items():
        if name == "distutils":
            continue
        entry = PypircEntry(section=name, source=src)
        for key in ("repository", "username", "password"):
            value = section.get(key)
            if value is not None and value.lines:
                line = value.lines[0]
                start = src.index(line.pos)
                setattr(entry, key, Value(line.text, Loc(src, start, start + len(line.text))))
        if entry.password is not None and "$" not in entry.password.text:
            loc = entry.password.loc
            if loc is not None:
                src.secret_spans.append((loc.start, loc.end))
        model.pypirc.append(entry)


def pyproject_indexes(model: ReleaseModel, src: SourceFile, doc: TomlDoc) -> None:
    tool = doc.data.get("tool")
    if not isinstance(tool, dict):
        return
    context = Context(origin="pyproject", label="pyproject.toml")
    uv = tool.get("uv")
    if isinstance(uv, dict):
        for key in ("index-url", "extra-index-url"):
            got = uv.get(key)
            urls = got if isinstance(got, list) else [got]
            for i, url in enumerate(urls):
                if isinstance(url, str):
                    path: tuple[str | int, ...] = ("tool", "uv", key)
                    if isinstance(got, list):
                        path = (*path, i)
                    _toml_index(model, src, doc, path, url, context)
        indexes = uv.get("index")
        if isinstance(indexes, list):
            for i, entry in enumerate(indexes):
                if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                    _toml_index(
                        model, src, doc, ("tool", "uv", "index", i, "url"), entry["url"], context
                    )
    poetry = tool.get("poetry")
    if isinstance(poetry, dict) and isinstance(poetry.get("source"), list):
        for i, entry in enumerate(poetry["source"]):
            if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                _toml_index(
                    model, src, doc, ("tool", "poetry", "source", i, "url"), entry["url"], context
                )


def _toml_index(
    model: ReleaseModel,
    src: SourceFile,
    doc: TomlDoc,
    path: tuple[str | int, ...],
    url: str,
    context: Context,
) -> None:
    span = doc.string_span(path)
    loc = Loc(src, span[0], span[1]) if span else None
    model.indexes.append(IndexUse(Value(url, loc), "pyproject", context))


def env_indexes(model: ReleaseModel) -> None:
    """The index URLs of every index-setting environment assignment read so far."""
    for name, value, context in model.assignments:
        upper = name.upper()
        if upper not in _INDEX_ENV and not upper.startswith("CIBW_ENVIRONMENT"):
            continue
        for match in _URL.finditer(value.text):
            loc = value.loc
            if loc is not None:
                found = loc.text.find(match.group(0))
                if found != -1:
                    loc = Loc(
                        loc.source, loc.start + found, loc.start + found + len(match.group(0))
                    )
            model.indexes.append(IndexUse(Value(match.group(0), loc), "env", context))


def _narrow(src: SourceFile, scalar: YScalar, needle: str) -> Loc:
    text = src.text or ""
    found = text.find(needle, scalar.start, scalar.end)
    if found == -1:
        return Loc(src, scalar.start, scalar.end)
    return Loc(src, found, found + len(needle))
