"""One audited root: its files, each parsed at most once, and its release model."""

from __future__ import annotations

import ast
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiplint.parse import ParseProblem
from shiplint.source import DEFAULT_MAX_FILE_BYTES, Pos, SourceFile, read_file

if TYPE_CHECKING:
    from shiplint.config import Config
    from shiplint.model import ReleaseModel
    from shiplint.parse.ini import IniDoc
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.parse.yamlnodes import YamlDoc

MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES

#: which parser reads which file kind (discover.py assigns the kinds)
YAML_KINDS = frozenset({"workflow", "action", "ci", "conda-env"})
TOML_KINDS = frozenset({"pyproject", "tox-toml", "shiplint-toml"})
INI_KINDS = frozenset({"setup-cfg", "tox-ini", "pypirc"})
PY_KINDS = frozenset({"setup-py", "noxfile"})


def read_source(
    path: Path, rel: str, root: str, kind: str, max_bytes: int = MAX_FILE_BYTES
) -> SourceFile:
    """Read and decode one file; problems become ``SourceFile.error``, never exceptions."""
    return read_file(path, rel, root, kind, max_bytes)


class Project:
    """The files of one root and lazily computed, cached views of them."""

    def __init__(self, root: str, root_path: Path, files: list[SourceFile]) -> None:
        self.root = root
        self.root_path = root_path
        self.files = files
        self.by_rel = {f.rel: f for f in files}
        self.problems: dict[str, ParseProblem] = {}
        #: YAML files not read because they are Jinja templates: rel → offset of the first tag
        self.templates: dict[str, int] = {}
        self._yaml: dict[str, YamlDoc | None] = {}
        self._toml: dict[str, TomlDoc | None] = {}
        self._ini: dict[str, IniDoc | None] = {}
        self._ini_problems: dict[str, list[ParseProblem]] = {}
        self._ast: dict[str, ast.Module | None] = {}
        self._model: ReleaseModel | None = None
        self.extra_sources: dict[str, SourceFile] = {}
        #: every on-demand lookup that reached the disk: (rel, kind, found), in order
        self.on_demand: list[tuple[str, str, bool]] = []
        self.today: dt.date = dt.date.today()
        self.config: Config | None = None
        #: the file a rule is working on, for internal-error reports
        self.current_source: SourceFile | None = None
        #: values derived once and shared by several rules (e.g. the deploy records)
        self.memo: dict[str, object] = {}
        #: audited as one file (``shiplint check x.yml``): repository-level checks are off
        self.single_file = False
        #: files over this size are skipped (``max-file-size``)
        self.max_file_bytes = MAX_FILE_BYTES

    def of_kind(self, *kinds: str) -> list[SourceFile]:
        return [f for f in self.files if f.kind in kinds and f.text is not None]

    def release(self) -> None:
        """Drop the parsed documents, the model and the memo once the rules have run.

        They are caches: anything asked later is computed again. A report needs only the
        files and findings, so an audit of many roots keeps one root's trees at a time
        (and a worker process sends back only what the report needs).
        """
        self._yaml = {}
        self._toml = {}
        self._ini = {}
        self._ini_problems = {}
        self._ast = {}
        self._model = None
        self.memo = {}
        self.current_source = None

    def yaml(self, src: SourceFile) -> YamlDoc | None:
        if src.rel not in self._yaml:
            from shiplint.parse.yamlload import parse_yaml

            marker = self._template_marker(src)
            if marker is not None:
                self.templates[src.rel] = marker
                self._yaml[src.rel] = None
                return None
            doc, problem = (
                parse_yaml(src, refuse_bombs=True) if src.text is not None else (None, None)
            )
            if problem is not None:
                self.problems[src.rel] = problem
            self._yaml[src.rel] = doc
        return self._yaml[src.rel]

    def _template_marker(self, src: SourceFile) -> int | None:
        """Where the first Jinja tag of ``src`` is, if it is a template shiplint should not
        read as YAML. Only files that no CI system reads as they are qualify (CI template
        folders, or a file named on the command line that matches no known location):
        GitHub, Travis, GitLab & co. do not render Jinja, so a tag in their own files is a
        YAML error there too."""
        text = src.text
        if text is None or ("{%" not in text and "{{" not in text and "{#" not in text):
            return None
        from shiplint.discover import is_template_location, single_is_template_location
        from shiplint.parse.templates import jinja_marker

        if self.single_file:
            eligible = single_is_template_location(src.path)
        else:
            eligible = src.kind == "ci" and is_template_location(src.rel)
        return jinja_marker(text) if eligible else None

    def toml(self, src: SourceFile) -> TomlDoc | None:
        if src.rel not in self._toml:
            from shiplint.parse.tomlpos import parse_toml

            doc, problem = parse_toml(src) if src.text is not None else (None, None)
            if problem is not None:
                self.problems[src.rel] = problem
            self._toml[src.rel] = doc
        return self._toml[src.rel]

    def ini(self, src: SourceFile) -> IniDoc | None:
        if src.rel not in self._ini:
            from shiplint.parse.ini import parse_ini

            if src.text is None:
                self._ini[src.rel] = None
            else:
                doc, problems = parse_ini(src)
                self._ini[src.rel] = doc
                self._ini_problems[src.rel] = problems
        return self._ini[src.rel]

    def ini_problems(self, src: SourceFile) -> list[ParseProblem]:
        self.ini(src)
        return self._ini_problems.get(src.rel, [])

    def python_ast(self, src: SourceFile) -> ast.Module | None:
        """The module's syntax tree; the code is parsed, never executed."""
        if src.rel not in self._ast:
            tree: ast.Module | None = None
            if src.text is not None:
                try:
                    tree = ast.parse(src.text, filename=src.rel)
                except SyntaxError as exc:
                    pos = Pos(exc.lineno or 1, exc.offset or 1) if exc.lineno else None
                    self.problems[src.rel] = ParseProblem(f"Python syntax error: {exc.msg}", pos)
                except (ValueError, RecursionError, MemoryError) as exc:
                    self.problems[src.rel] = ParseProblem(f"cannot parse Python: {exc}", None)
            self._ast[src.rel] = tree
        return self._ast[src.rel]

    def parse_all(self) -> None:
        """Parse every readable file once, so that parse problems are known."""
        for src in self.files:
            if src.text is None:
                continue
            if src.kind in YAML_KINDS:
                self.yaml(src)
            elif src.kind in TOML_KINDS:
                self.toml(src)
            elif src.kind in INI_KINDS:
                self.ini(src)
            elif src.kind in PY_KINDS:
                self.python_ast(src)

    def script(self, rel: str) -> SourceFile | None:
        """A script that a workflow runs: a discovered file, or one read on demand."""
        return self.file(rel, "shell")

    def file(self, rel: str, kind: str) -> SourceFile | None:
        """A file inside the root: a discovered one, or one read on demand as ``kind``."""
        rel = os.path.normpath(rel).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            return None
        known = self.by_rel.get(rel) or self.extra_sources.get(rel)
        if known is not None:
            return known
        from shiplint.discover import resolve_script

        path = resolve_script(self.root_path, rel)
        self.on_demand.append((rel, kind, path is not None))
        if path is None:
            return None
        src = read_source(path, rel, self.root, kind, self.max_file_bytes)
        self.extra_sources[rel] = src
        self.files.append(src)
        self.by_rel[rel] = src
        return src

    @property
    def pyproject(self) -> TomlDoc | None:
        src = self.by_rel.get("pyproject.toml")
        return self.toml(src) if src is not None and src.text is not None else None

    @property
    def model(self) -> ReleaseModel:
        if self._model is None:
            from shiplint.model.build import build_model

            self._model = build_model(self)
        return self._model

    def data_of(self, src: SourceFile) -> dict[str, Any] | None:
        doc = self.toml(src)
        return doc.data if doc is not None else None
