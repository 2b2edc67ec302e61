"""The package metadata a project declares, with the exact place of every value.

Read from pyproject.toml ``[project]``, setup.cfg ``[metadata]``/``[options]`` (and
``[options.extras_require]``) and the keyword arguments of the ``setup(...)`` call in
setup.py, which is parsed, never run.  Only literal values are kept (strings, lists or
tuples of strings, dicts of them); anything computed is unknown and simply absent, so
that rules never report on a guess.  setup.cfg and setup.py count only when setuptools
builds the project (no ``[build-system]`` backend, or a setuptools one).

Build it once per project with :func:`project_metadata` (cached in ``project.memo``).
"""

from __future__ import annotations

import ast
import functools
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shiplint.facts import toml_data
from shiplint.model import Loc
from shiplint.source import Pos

if TYPE_CHECKING:
    from collections.abc import Iterator

    from shiplint.parse.ini import IniSection, IniValue
    from shiplint.parse.tomlpos import TomlDoc, TomlPath
    from shiplint.project import Project
    from shiplint.source import SourceFile

__all__ = [
    "Declared",
    "Dependency",
    "ProjectMetadata",
    "Readme",
    "Text",
    "facts",
    "project_metadata",
]

MEMO_KEY = "metadata"

#: calls that open a file, and that make a path, in setup.py
_PY_OPEN = frozenset({"open", "io.open", "codecs.open"})
_PY_PATH = frozenset({"Path", "pathlib.Path", "PurePath", "pathlib.PurePath"})


@functools.lru_cache(maxsize=1)
def facts() -> dict[str, Any]:
    """The ``[metadata]`` section of ``data/facts.toml``."""
    section = toml_data().get("metadata", {})
    return section if isinstance(section, dict) else {}


@dataclass(frozen=True)
class Text:
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


@dataclass(frozen=True)
class Dependency:
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


def project_metadata(project: Project) -> ProjectMetadata:
    """The project's declared metadata, built once and cached in ``project.memo``."""
    cached = project.memo.get(MEMO_KEY)
    if isinstance(cached, ProjectMetadata):
        return cached
    result = _build(project)
    project.memo[MEMO_KEY] = result
    return result


def _build(project: Project) -> ProjectMetadata:
    out = ProjectMetadata([])
    dynamic: set[str] = set()
    for src in project.of_kind("pyproject"):
        doc = project.toml(src)
        if doc is None:
            continue
        backend = doc.get(("build-system", "build-backend"))
        if isinstance(backend, str):
            out.backend = backend.strip()
        if isinstance(doc.get(("project",)), dict):
            out.has_project_table = True
            listed = doc.get(("project", "dynamic"))
            if isinstance(listed, list):
                dynamic = {d for d in listed if isinstance(d, str)}
        if isinstance(doc.get(("tool", "uv", "workspace")), dict):
            out.workspace_root = True
        out.declared.append(_from_pyproject(src, doc))
    if out.setuptools:
        for src in project.of_kind("setup-cfg"):
            declared = _from_setup_cfg(project, src)
            if declared is not None:
                out.declared.append(declared)
        for src in project.of_kind("setup-py"):
            declared = _from_setup_py(project, src)
            if declared is not None:
                out.declared.append(declared)
        if out.has_project_table:
            for declared in out.declared:
                if declared.kind != "pyproject":
                    _keep_dynamic(declared, dynamic)
    return out


def _keep_dynamic(declared: Declared, dynamic: set[str]) -> None:
    """With a ``[project]`` table, setuptools takes from setup.cfg and setup.py only the
    fields pyproject.toml lists in ``dynamic`` (it ignores the others, with a warning)."""
    declared.name = None
    if "version" not in dynamic:
        declared.version = None
    if "license" not in dynamic:
        declared.license_expression = None
    if "requires-python" not in dynamic:
        declared.requires_python = None
    if "classifiers" not in dynamic:
        declared.classifiers = []
    if "readme" not in dynamic:
        declared.readme = None
    declared.dependencies = [
        dep
        for dep in declared.dependencies
        if ("optional-dependencies" if _is_extra(dep) else "dependencies") in dynamic
    ]


def _is_extra(dep: Dependency) -> bool:
    return dep.field not in ("install_requires", "dependencies")


# --- pyproject.toml --------------------------------------------------------------------------


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


def _from_pyproject(src: SourceFile, doc: TomlDoc) -> Declared:
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


# --- setup.cfg -----------------------------------------------------------------------------


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


def _requirement_items(items: list[tuple[Text, bool]]) -> list[tuple[Text, bool]]:
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


def _from_setup_cfg(project: Project, src: SourceFile) -> Declared | None:
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
    for text, split in _requirement_items(_ini_list(src, install, ";")):
        declared.dependencies.append(Dependency(text, text.key, split))
    extras = doc.sections.get("options.extras_require")
    if extras is not None:
        for value in extras.values.values():
            label = f"{value.key} (options.extras_require)"
            for text, split in _requirement_items(_ini_list(src, value, ";")):
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


# --- setup.py --------------------------------------------------------------------------------


def _offset(src: SourceFile, line: int, byte_col: int) -> int:
    """Character offset of an ``ast`` position (1-based line, UTF-8 byte column)."""
    text = src.line_text(line)
    col = len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
    return src.index(Pos(line, col + 1))


def _node_loc(src: SourceFile, node: ast.expr) -> Loc:
    start = _offset(src, node.lineno, node.col_offset)
    end_line = node.end_lineno if node.end_lineno is not None else node.lineno
    end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
    return Loc(src, start, max(start, _offset(src, end_line, end_col)))


def _py_text(src: SourceFile, node: ast.expr | None, key: str) -> Text | None:
    """A string literal: its body when written plainly, else the whole token."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    token = _node_loc(src, node)
    written = token.text
    value = node.value
    body = written.lstrip("rRuU")
    prefix = len(written) - len(body)
    for quote in ('"""', "'''", '"', "'"):
        q = len(quote)
        if len(body) >= 2 * q and body.startswith(quote) and body.endswith(quote):
            if body[q:-q] == value and "\\" not in value:
                start = token.start + prefix + q
                return Text(value, Loc(src, start, start + len(value)), key, token=token)
            break
    return Text(value, token, key, exact=False, token=token)


def _py_list(src: SourceFile, node: ast.expr | None, key: str) -> list[Text]:
    """The string literals of a list or tuple (computed items are skipped)."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    return [t for item in node.elts if (t := _py_text(src, item, key)) is not None]


def _py_requirements(src: SourceFile, node: ast.expr | None, key: str) -> list[Text]:
    """A requirement list: a list/tuple of strings or one string of lines."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = _py_text(src, node, key)
        if text is None or not text.exact:
            return []
        items = []
        offset = 0
        for line in text.value.split("\n"):
            stripped = line.strip()
            if stripped:
                at = text.loc.start + offset + (len(line) - len(line.lstrip()))
                loc = Loc(src, at, at + len(stripped))
                items.append(Text(stripped, loc, key, token=loc))
            offset += len(line) + 1
        texts = items
    else:
        texts = _py_list(src, node, key)
    return [t for t, _ in _requirement_items([(t, False) for t in texts])]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.keywords:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            if isinstance(func, ast.Attribute):
                name = func.attr
            if name == "setup":
                return node
    return None


class _Module:
    """Module-level names of setup.py: single assignments, ``with open(...) as f``
    bindings and helper functions that read a file."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, list[ast.expr]] = {}
        self.opened: dict[str, ast.expr] = {}
        self.readers: set[str] = set()
        self._collect(tree.body)

    def _collect(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.value is not None:
                    self.assigned.setdefault(stmt.target.id, []).append(stmt.value)
            elif isinstance(stmt, ast.With):
                for item in stmt.items:
                    var = item.optional_vars
                    if isinstance(var, ast.Name) and _is_open(item.context_expr):
                        self.opened[var.id] = item.context_expr
                self._collect(stmt.body)
            elif isinstance(stmt, (ast.If, ast.Try)):
                self._collect(stmt.body)
            elif isinstance(stmt, ast.FunctionDef) and (stmt.args.args or stmt.args.vararg):
                reads = any(
                    isinstance(n, ast.Call) and (_is_open(n) or _method(n) == "read_text")
                    for n in ast.walk(stmt)
                )
                if reads:
                    self.readers.add(stmt.name)

    def value(self, name: str) -> ast.expr | None:
        values = self.assigned.get(name, [])
        return values[0] if len(values) == 1 else None


def _is_open(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _dotted(node.func) in _PY_OPEN and bool(node.args)


def _method(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


#: calls that keep a path's folder: ``abspath(x)``, ``Path(x)``, ``x.resolve()`` ...
_PY_SAME = frozenset(
    {"os.path.abspath", "os.path.realpath", "os.path.normpath", "path.abspath", "path.realpath"}
)
_PY_FOLDER = frozenset({"os.path.dirname", "path.dirname", "dirname"})
_PY_CWD = frozenset({"os.getcwd", "Path.cwd", "pathlib.Path.cwd"})
_PY_JOIN = frozenset({"os.path.join", "path.join", "join"})


def _level(node: ast.expr, module: _Module, depth: int = 0) -> int | None:
    """How many folders up from setup.py itself ``node`` is: ``__file__`` is 0, its folder
    (``os.path.dirname(__file__)``, ``Path(__file__).parent``, ``os.getcwd()``) 1; None when
    it is not built from those."""
    if depth > 6:
        return None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return 0
        value = module.value(node.id)
        return _level(value, module, depth + 1) if value is not None else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _level(node.value, module, depth + 1)
        return None if inner is None else inner + 1
    if not isinstance(node, ast.Call):
        return None
    name = _dotted(node.func)
    if name in _PY_CWD and not node.args:
        return 1
    method = _method(node)
    if method in ("resolve", "absolute") and isinstance(node.func, ast.Attribute):
        return _level(node.func.value, module, depth + 1)
    if len(node.args) != 1:
        return None
    if name in _PY_FOLDER:
        inner = _level(node.args[0], module, depth + 1)
        return None if inner is None else inner + 1
    if name in _PY_SAME or name in _PY_PATH:
        return _level(node.args[0], module, depth + 1)
    return None


def _parts(nodes: list[ast.expr], module: _Module, depth: int) -> list[ast.Constant] | None:
    """Path components: an optional leading folder of setup.py, then string literals."""
    if nodes and _level(nodes[0], module) == 1:
        nodes = nodes[1:]
    out: list[ast.Constant] = []
    for node in nodes:
        found = _path(node, module, depth + 1)
        if found is None:
            return None
        out.extend(found)
    return out or None


def _path(node: ast.expr, module: _Module, depth: int = 0) -> list[ast.Constant] | None:
    """The literal components of a path relative to the folder of setup.py, when the
    expression is obvious: ``"README.md"``, ``here / "README.md"``,
    ``os.path.join(os.path.dirname(__file__), "docs", "README.md")`` ..."""
    if depth > 6:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _parts([node.left, node.right], module, depth)
    if isinstance(node, ast.Name):
        value = module.value(node.id)
        return _path(value, module, depth + 1) if value is not None else None
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        name = _dotted(node.func)
        if name in _PY_JOIN or name in _PY_PATH:
            return _parts(list(node.args), module, depth)
        if _method(node) == "joinpath" and isinstance(node.func, ast.Attribute):
            return _parts([node.func.value, *node.args], module, depth)
    return None


def _read_files(node: ast.expr, module: _Module, depth: int = 0) -> list[list[ast.Constant]] | None:
    """The files an obvious long-description expression reads (None: not obvious)."""
    if depth > 4:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _read_files(node.left, module, depth + 1)
        right = _read_files(node.right, module, depth + 1)
        if left is None and right is None:
            return None
        return (left or []) + (right or [])
    if isinstance(node, ast.Name):
        value = module.value(node.id)
        return _read_files(value, module, depth + 1) if value is not None else None
    if not isinstance(node, ast.Call):
        return None
    found: list[ast.Constant] | None = None
    method = _method(node)
    if method in ("read", "strip") and isinstance(node.func, ast.Attribute):
        inner = node.func.value
        if method == "strip":
            return _read_files(inner, module, depth + 1)
        if isinstance(inner, ast.Name) and inner.id in module.opened:
            inner = module.opened[inner.id]
        if isinstance(inner, ast.Call) and _is_open(inner):
            found = _path(inner.args[0], module)
    elif method == "read_text" and isinstance(node.func, ast.Attribute):
        found = _path(node.func.value, module)
    elif isinstance(node.func, ast.Name) and node.func.id in module.readers and node.args:
        found = _parts(list(node.args), module, 0)
    return [found] if found is not None else None


def _path_text(src: SourceFile, parts: list[ast.Constant], key: str) -> Text | None:
    """A file path made of literal components, as one ``Text`` (at its last component)."""
    texts = [_py_text(src, part, key) for part in parts]
    if any(t is None for t in texts) or not texts:
        return None
    last = texts[-1]
    assert last is not None
    if len(texts) == 1:
        return last
    value = "/".join(str(part.value).strip("/") for part in parts)
    return Text(value, last.loc, key, exact=False, token=last.token)


def _from_setup_py(project: Project, src: SourceFile) -> Declared | None:
    tree = project.python_ast(src)
    if tree is None:
        return None
    call = _setup_call(tree)
    if call is None:
        return None
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    splat = any(kw.arg is None for kw in call.keywords)
    declared = Declared(src)
    declared.name = _py_text(src, kwargs.get("name"), "name")
    declared.version = _py_text(src, kwargs.get("version"), "version")
    declared.license_expression = _py_text(
        src, kwargs.get("license_expression"), "license_expression"
    )
    declared.requires_python = _py_text(src, kwargs.get("python_requires"), "python_requires")
    declared.classifiers = _py_list(src, kwargs.get("classifiers"), "classifiers")
    for text in _py_requirements(src, kwargs.get("install_requires"), "install_requires"):
        declared.dependencies.append(Dependency(text, "install_requires"))
    extras = kwargs.get("extras_require")
    if isinstance(extras, ast.Dict):
        for key_node, value_node in zip(extras.keys, extras.values):
            if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                label = f"extras_require[{key_node.value!r}]"
                for text in _py_requirements(src, value_node, label):
                    declared.dependencies.append(Dependency(text, label))
    declared.readme = _setup_py_readme(src, tree, kwargs, splat)
    return declared


def _setup_py_readme(
    src: SourceFile, tree: ast.Module, kwargs: dict[str, ast.expr], splat: bool
) -> Readme | None:
    ctype_node = kwargs.get("long_description_content_type")
    ctype = _py_text(src, ctype_node, "long_description_content_type")
    node = kwargs.get("long_description")
    if node is None:
        if ctype is None:
            return None
        return Readme("setup-py", ctype.loc, content_type=ctype)
    module = _Module(tree)
    readme = Readme("setup-py", _node_loc(src, node))
    for parts in _read_files(node, module) or []:
        text = _path_text(src, parts, "long_description")
        if text is not None:
            readme.files.append(text)
    readme.content_type = ctype
    readme.content_type_unknown = splat or (ctype_node is not None and ctype is None)
    readme.insert_at = readme.anchor.end
    return readme


# --- readme files on disk ----------------------------------------------------------------------


def in_checkout(project: Project) -> bool:
    """Whether the audited root lies in a Git checkout (so that a file missing from it is
    really missing, not left out of a partial copy of the configuration)."""
    cached = project.memo.get("metadata-checkout")
    if isinstance(cached, bool):
        return cached
    found = project.find_upwards(".git") is not None
    project.memo["metadata-checkout"] = found
    return found


def file_state(project: Project, src: SourceFile, rel: str) -> str | None:
    """``missing``, ``empty`` (no bytes), ``blank`` (only whitespace) or ``ok`` for the file
    ``rel`` names relative to the folder of ``src``; None when it lies outside the root or
    cannot be read."""
    if not rel or "\0" in rel or os.path.isabs(rel):
        return None
    found = project.peek(os.path.join(os.path.dirname(src.rel), rel), 64 * 1024)
    if found.kind == "missing":
        return "missing"
    if found.kind != "file":
        return None
    if found.size == 0:
        return "empty"
    if found.data is None:
        return "ok"
    return "blank" if not found.data.decode("utf-8", errors="replace").strip() else "ok"
