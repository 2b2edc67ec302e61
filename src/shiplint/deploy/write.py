"""``shiplint init`` and ``shiplint docs``: the only commands that write files.

Both leave every byte they do not mean to change as it was. ``init`` appends skeleton
tables (rendered with tomlkit) to the end of the record file, after checking that the
result is valid TOML whose data is the old data plus the new tables; when appending is
not enough (the deploy table was written inline, for instance) it inserts the tables with
tomlkit and accepts the result only if the old text is still there, unchanged, around the
insertion. ``docs`` rewrites only the text between the section markers.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiplint.deploy import section
from shiplint.deploy.match import default_project
from shiplint.deploy.record import load_records
from shiplint.deploy.skeleton import Skeleton, inline_advice, render, skeletons

if TYPE_CHECKING:
    from shiplint.parse.tomlpos import TomlPath
    from shiplint.project import Project

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class WriteError(Exception):
    """The file cannot be changed safely; nothing was written."""


@dataclass
class Change:
    path: Path
    rel: str
    old: str
    new: str
    added: list[str]  # names of the records (init) or sections (docs) written
    #: why nothing changes, when nothing does (for the "nothing to do" message)
    unchanged_reason: str = ""

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self) -> str:
        from shiplint.fix import unified_diff

        return unified_diff(self.old, self.new, self.rel)

    def write(self) -> None:
        # the configured docs file may sit in a folder that does not exist yet
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(self.new.encode("utf-8"))


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise WriteError(f"{path}: cannot read ({exc.strerror})") from None


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def plan_init(project: Project) -> Change:
    """The change ``shiplint init`` makes: skeleton records for undocumented uploads."""
    records = load_records(project)
    target = records.target
    path = project.root_path / target
    old = _read(path)
    if old.strip() and records.doc is None:
        raise WriteError(f"{target} is not valid TOML; fix it first (see `shiplint check`)")
    items = skeletons(project)
    if not items:
        return Change(path, target, old, old, [], _nothing_to_init(project))
    inline = inline_advice(records.doc, records.prefix, items) if records.doc else None
    if inline is not None:
        # tomlkit would rewrite the inline table's line: leave it to the maintainer
        raise WriteError(f"cannot add the records without rewriting an inline table. {inline}")
    new = _with_tables(old, items, records.prefix)
    return Change(path, target, old, new, [item.name for item in items])


def _nothing_to_init(project: Project) -> str:
    if not project.model.own_uploads:
        return "no uploads found"
    return "every upload has a deploy record"


def _with_tables(old: str, items: list[Skeleton], prefix: TomlPath) -> str:
    nl = _newline(old)
    addition = render(items, prefix).replace("\n", nl)
    if not old.strip():
        appended = addition
    else:
        sep = "" if old.endswith(nl + nl) else (nl if old.endswith(("\n", "\r")) else nl + nl)
        appended = old + sep + addition
    expected = _expected(old, items, prefix)
    if _loads(appended) == expected:
        return appended
    inserted = _insert_with_tomlkit(old, items, prefix)
    if inserted is not None and _loads(inserted) == expected and _keeps(old, inserted):
        return inserted
    raise WriteError(
        "cannot add the tables without changing what is already there (is the deploy table "
        "written inline?). Add these tables by hand:\n\n" + render(items, prefix)
    )


def _loads(text: str) -> Any:
    try:
        return tomllib.loads(text[1:] if text.startswith("\ufeff") else text)
    except tomllib.TOMLDecodeError:
        return None


def _expected(old: str, items: list[Skeleton], prefix: TomlPath) -> Any:
    data = _loads(old) if old.strip() else {}
    if data is None:
        return None
    node: Any = data
    for part in prefix:
        node = node.setdefault(str(part), {})
        if not isinstance(node, dict):
            return None
    for item in items:
        node[item.name] = dict(item.table)
    return data


def _insert_with_tomlkit(old: str, items: list[Skeleton], prefix: TomlPath) -> str | None:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(old)
        node: Any = doc
        for part in prefix:
            key = str(part)
            if key not in node:
                node[key] = tomlkit.table(is_super_table=True)
            node = node[key]
        for item in items:
            table = tomlkit.table()
            for key, value in item.table.items():
                table.add(key, value)
            node[item.name] = table
        return doc.as_string()
    except (TOMLKitError, TypeError, ValueError, KeyError):
        return None


def _keeps(old: str, new: str) -> bool:
    """Every line of ``old`` is still in ``new``, in order and unchanged (only insertions)."""
    import difflib

    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    return all(tag == "insert" or tag == "equal" for tag, *_ in matcher.get_opcodes())


def plan_docs(project: Project, rel: str, diagram: bool = False) -> Change:
    """The change ``shiplint docs`` makes: the deploy-account section of ``rel``, and its
    release-flow diagram when ``rel`` has the diagram's markers (``diagram``: add them)."""
    records = load_records(project)
    if records.unreadable:
        raise WriteError(
            f"{records.target} is not valid TOML, so the deploy records cannot be read; "
            "fix it first (see `shiplint check`)"
        )
    path = project.root_path / rel
    if path.is_dir():
        raise WriteError(f"{rel} is a directory")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise WriteError(f"cannot create {rel}: {parent.name} is not a directory")
        if parent == project.root_path:
            break
    old = _read(path)
    try:
        new = section.updated(old, records, default_project(project))
    except ValueError as exc:
        raise WriteError(f"{rel}: the deploy-account section markers are broken: {exc}") from None
    written = ["deploy accounts"]
    if diagram or section.find(new, flow=True) is not None:
        from shiplint.deploy.flow import docs_diagram

        try:
            new = section.with_flow(new, docs_diagram(project), add=diagram)
        except ValueError as exc:
            raise WriteError(f"{rel}: the release-flow diagram markers are broken: {exc}") from None
        written.append("release flow")
    return Change(path, rel, old, new, written)
