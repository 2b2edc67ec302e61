"""SL739 readme-content-type: the long description's content type, and its file
missing or empty."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.pkg.metadata import facts, project_metadata
from shiplint.pkg.metadata_files import file_state, in_checkout
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.metadata.common import _SEE, _replace

if TYPE_CHECKING:
    from shiplint.pkg.metadata_types import Readme
    from shiplint.project import Project
    from shiplint.source import SourceFile


# --- SL739 -------------------------------------------------------------------------------------


def _content_type_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with a Description-Content-Type value, and the error packaging's
    metadata validation gives for it (the one twine 6.1+ and PyPI report), or None when
    they accept it. packaging lists the valid values in set order, which changes from one
    process to the next; the quoted error lists them sorted."""
    from packaging.metadata import Metadata

    raw = {"metadata_version": "2.1", "name": "x", "version": "0"}
    try:
        Metadata.from_raw({**raw, "description_content_type": value})  # type: ignore[typeddict-item]
    except Exception as group:  # an ExceptionGroup of InvalidMetadata
        errors = getattr(group, "exceptions", [group])
        error = re.sub(
            r"\[([^\]]*)\]",
            lambda m: "[" + ", ".join(sorted(m.group(1).split(", "))) + "]",
            str(errors[0]) if errors else str(group),
        )
        allowed = ", ".join(facts().get("readme-content-types", ()))
        main = value.split(";", 1)[0].strip().lower()
        if main not in facts().get("readme-content-types", ()):
            return f"the content type must be one of {allowed}", error
        return "a parameter PyPI does not accept", error
    return None


def _extension(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


@register
class ReadmeContentType(Rule):
    """The long description has no (or a wrong) content type, or its file is missing/empty.

    PyPI renders the description in the format `Description-Content-Type` names. Without
    one it assumes reStructuredText, and refuses Markdown that is not valid reST:
    `400 The description failed to render in the default format of reStructuredText. See
    https://pypi.org/help/#description-content-type for more information.` This rule
    reports:

    * setup.cfg `long_description = file: README.md`, or setup.py
      `long_description=open("README.md").read()` (or `Path(...).read_text()`), without
      `long_description_content_type = text/markdown` (setuptools does not guess it; checked
      up to 84.2). A warning: whether the upload fails depends on the file, since Markdown
      that happens to be valid reStructuredText (headings, inline code, fenced code blocks
      often are) is accepted and shown unformatted;
    * a content type PyPI does not know, such as `text/x-markdown`, or a charset other than
      UTF-8 or a Markdown variant other than `GFM`/`CommonMark`: only `text/markdown`,
      `text/x-rst` and `text/plain` are valid. PyPI validates the field with
      `packaging.metadata` (since pypi/warehouse#15631, 2024-03-19; checked at warehouse
      6b62157, 2026-08-21) and refuses the upload with `400 'description-content-type' must
      be one of ['text/markdown', 'text/plain', 'text/x-rst'], not 'text/x-markdown'. See
      https://packaging.python.org/specifications/core-metadata for more information.` (the
      list in set order); twine 6.1 and later run the same validation
      and stop before uploading (`InvalidDistribution: Invalid distribution metadata: …`).
      Older PyPI answered `'text/x-markdown' is an invalid value for
      Description-Content-Type`;
    * pyproject `readme = "README"` whose extension is not `.md`, `.rst` or `.txt` and no
      `content-type` (backends stop: `Unable to determine the content-type based on the
      extension of readme file: README`);
    * a readme file that does not exist in the checkout (the build fails), or that is
      empty (PyPI shows no description; a Markdown file of blank lines is refused with
      `The description failed to render for 'text/markdown'`).

    Fix: declare the content type (`long_description_content_type = text/markdown`,
    `readme = {file = "README", content-type = "text/plain"}`), and run
    `twine check --strict dist/*` in the build job.
    """

    code = "SL739"
    name = "readme-content-type"
    severity = Severity.ERROR
    summary = "Long description without a valid content type, or its file is missing/empty"
    catalogue = ("P-9",)
    example_file = "setup.cfg"
    before = "[metadata]\nname = stardust\nversion = 2.1.0\nlong_description = file: README.md\n"
    after = (
        "[metadata]\n"
        "name = stardust\n"
        "version = 2.1.0\n"
        "long_description = file: README.md\n"
        "long_description_content_type = text/markdown\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for declared in project_metadata(project).declared:
            readme = declared.readme
            if readme is None:
                continue
            # a missing or empty file is reported first: at the same place, a content-type
            # finding would hide it
            broken = list(self._files(project, declared.source, readme))
            yield from broken
            bad = {(f.line, f.column) for f in broken}
            for finding in self._content_type(readme):
                if (finding.line, finding.column) not in bad:
                    yield finding

    def _content_type(self, readme: Readme) -> Iterator[Finding]:
        ctype = readme.content_type
        if ctype is not None:
            found = _content_type_problem(ctype.value)
            if found is not None:
                problem, error = found
                fix = None
                if ctype.value.split(";", 1)[0].strip().lower() == "text/x-markdown":
                    fixed = re.sub(r"(?i)text/x-markdown", "text/markdown", ctype.value)
                    fix = _replace(ctype, fixed, "use `text/markdown`")
                yield self.at(
                    ctype.loc,
                    f"`{ctype.value}` is not a valid description content type ({problem}): "
                    f"PyPI refuses the upload (`400 {error.rstrip('.')}. {_SEE}`), and twine 6.1 "
                    "or later stops before it with the same error",
                    "Use `text/markdown` (Markdown), `text/x-rst` (reStructuredText) or "
                    "`text/plain`.",
                    fix=fix,
                )
            return
        if readme.form == "pyproject-string" or (readme.form == "pyproject-table" and readme.files):
            known = facts().get("readme-extensions", {})
            for text in readme.files:
                ext = _extension(text.value)
                if ext in known:
                    continue
                yield self.at(
                    text.loc,
                    f"the readme `{text.value}` has "
                    + (f"the unknown extension `{ext}`" if ext else "no extension")
                    + " and no content type: build backends stop with `Unable to determine "
                    f"the content-type based on the extension of readme file: {text.value}`",
                    f'Write `readme = {{file = "{text.value}", content-type = "text/markdown"}}` '
                    "(or `text/x-rst`, `text/plain`), or rename the file to `.md`/`.rst`.",
                )
            return
        if readme.form not in ("setup-cfg", "setup-py") or readme.content_type_unknown:
            return
        markdown = [t for t in readme.files if _extension(t.value) in (".md", ".markdown")]
        if not markdown:
            return
        text = markdown[0]
        key = "long_description_content_type"
        fix = None
        if readme.insert_at is not None:
            if readme.form == "setup-cfg":
                fix = Fix(
                    f"add `{key} = text/markdown`",
                    (
                        Edit(
                            readme.insert_at,
                            readme.insert_at,
                            f"\n{readme.indent}{key} = text/markdown",
                        ),
                    ),
                )
            else:
                fix = Fix(
                    f'add `{key}="text/markdown"`',
                    (Edit(readme.insert_at, readme.insert_at, f', {key}="text/markdown"'),),
                    safe=False,
                )
        setting = (
            f"`{key} = text/markdown`" if readme.form == "setup-cfg" else f'`{key}="text/markdown"`'
        )
        yield self.at(
            text.loc,
            f"the long description is read from the Markdown file `{text.value}` without "
            f"`{key}`: PyPI takes it for reStructuredText, shows it unformatted, and refuses "
            "it when it is not valid reStructuredText (`400 The description failed to render "
            "in the default format of reStructuredText. See "
            "https://pypi.org/help/#description-content-type for more information.`)",
            f"Add {setting}. (Whether this Markdown also parses as reStructuredText decides "
            "whether the upload fails: `twine check --strict dist/*` tells.)",
            severity=Severity.WARNING,
            fix=fix,
        )

    def _files(self, project: Project, src: SourceFile, readme: Readme) -> Iterator[Finding]:
        markdown = readme.content_type is not None and readme.content_type.value.lower().startswith(
            "text/markdown"
        )
        for text in readme.files:
            state = file_state(project, src, text.value)
            if state == "missing" and in_checkout(project):
                severity = Severity.WARNING if readme.form == "setup-cfg" else Severity.ERROR
                if readme.form == "setup-cfg":
                    consequence = "setuptools silently skips it and uploads no description"
                elif readme.form == "setup-py":
                    consequence = "the build fails with `FileNotFoundError`"
                else:
                    consequence = f"the build fails (`Readme file does not exist: {text.value}`)"
                yield self.at(
                    text.loc,
                    f"the readme file `{text.value}` does not exist: {consequence}",
                    "Point the setting at the real readme file (paths are relative to the folder "
                    f"of {src.rel}).",
                    severity=severity,
                )
            elif state in ("empty", "blank"):
                is_md = markdown or (
                    readme.form.startswith("pyproject") and _extension(text.value) == ".md"
                )
                refused = state == "blank" and is_md
                yield self.at(
                    text.loc,
                    f"the readme file `{text.value}` is empty"
                    + (
                        ": PyPI refuses the upload with `The description failed to render "
                        "for 'text/markdown'`"
                        if refused
                        else ": the project page on PyPI will have no description"
                    ),
                    "Write the readme (what the project is, how to install and use it).",
                    severity=Severity.ERROR if refused else Severity.WARNING,
                )
