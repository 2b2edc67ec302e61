"""Rules about the catalogued third-party publishers (``[publishers.*]`` of the facts):
SL211 (a release of the action that no longer uploads, given the token it once used) and
SL212 (maturin's deprecated ``upload``/``publish`` commands)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.gha import refs as gha_refs
from shiplint.model import Loc
from shiplint.model.publishers import publisher_label, publishers_of
from shiplint.parse.yamlnodes import trailing_comment
from shiplint.pkg.upload_commands import program_name
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.project import Project


@register
class PublisherNoLongerUploads(Rule):
    """A publishing action at a release that no longer uploads is given the token it used
    to upload with.

    python-semantic-release's action uploaded to PyPI with twine up to v7 (`pypi_token`,
    `repository_username`/`repository_password`); v8.0.0 dropped uploading ("GitHub Action
    no longer publishes artefacts to PyPI or GitHub Releases") along with those inputs.
    A workflow that moves to v8 or later, or follows `@master`, keeps passing the token:
    GitHub only warns about an unexpected input, the step succeeds, and the release never
    reaches PyPI.

    An error when nothing else in the workflow uploads; information when another upload
    does (the input is then only stale). shiplint reads the release from the ref (the
    facts' tags and commit SHAs) and the first release that no longer uploads from the
    facts (`uploads-until`).

    Fix: publish in a step of your own after the release step, with trusted publishing:
    `pypa/gh-action-pypi-publish` (python-semantic-release documents this pattern), and
    drop the token input.

    Sources: python-semantic-release/python-semantic-release@v8.0.0
    `docs/migrating_from_v7.rst` and `action.yml` (no `pypi_token` input);
    @v7.34.6 `action.yml` and `semantic_release/repository.py` (v7 uploads with twine).
    """

    code = "SL211"
    name = "publisher-no-longer-uploads"
    severity = Severity.ERROR
    summary = "A release of a publishing action that no longer uploads is given an upload token"
    catalogue = ("C-4",)
    before = (
        "jobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: python-semantic-release/python-semantic-release@v9.21.0\n"
        "        with:\n          github_token: ${{ secrets.GITHUB_TOKEN }}\n"
        "          pypi_token: ${{ secrets.PYPI_TOKEN }}\n"
    )
    after = (
        "jobs:\n  release:\n    runs-on: ubuntu-latest\n    permissions:\n"
        "      contents: write\n      id-token: write\n    steps:\n"
        "      - uses: python-semantic-release/python-semantic-release@v9.21.0\n"
        "        id: release\n        with:\n          github_token: ${{ secrets.GITHUB_TOKEN }}\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        if: steps.release.outputs.released == 'true'\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for step, src in project.model.action_steps():
            uses = step.uses
            assert uses is not None
            for pub in publishers_of(uses.value):
                until = pub.uploads_until
                spec = gha_refs.publisher(pub.name)
                if until is None or spec is None or step.with_ is None:
                    continue
                release = gha_refs.resolve(step.ref, trailing_comment(src, uses), spec)
                if release.version is None or release.version < until:
                    continue
                inputs = [*pub.token_inputs, *pub.username_inputs]
                key = next((step.with_.key(n) for n in inputs if step.with_.key(n)), None)
                if key is None:
                    continue
                others = [
                    u
                    for u in project.model.uploads
                    if u.source is src and u.context.workflow is step.job.workflow
                ]
                severity = Severity.INFO if others else Severity.ERROR
                label = uses.value.split("@", 1)[0].strip()
                yield self.at(
                    Loc(src, key.start, key.end),
                    f"`{label}` v{release.version} no longer uploads: `{key.value}` is ignored",
                    f"Uploading ended with v{until} of this action; the step succeeds and "
                    + (
                        "another step of this workflow uploads, so the input is only stale: "
                        "drop it."
                        if others
                        else "nothing in this workflow uploads the release. Add a publishing "
                        "step after it (pypa/gh-action-pypi-publish with trusted publishing) "
                        "and drop the token input."
                    ),
                    severity=severity,
                )


@register
class MaturinUploadDeprecated(Rule):
    """`maturin upload`/`maturin publish` (or maturin-action's `command: upload`) uploads
    with commands maturin has deprecated.

    maturin 1.11 (1.11.1, the first release kept on PyPI) deprecated both commands
    (PyO3/maturin#2875): every run prints `Warning: The maturin upload and publish
    commands are deprecated and will be removed in the future` (a GitHub annotation in
    Actions); their removal is planned for maturin 2.0 (PyO3/maturin#2889). They also send
    no PEP 740 attestations (PyO3/maturin#2334 chose dropping the command over adding
    them). `PyO3/maturin-action` installs the newest maturin `[build-system] requires`
    allows when `maturin-version` is not set, so a `command: upload` step breaks on the
    day 2.0 is released. Nothing fails today, hence information.

    Fix: upload the built wheels with `pypa/gh-action-pypi-publish` (trusted publishing,
    attestations) or `uv publish` (what `maturin generate-ci` writes since 1.11).

    Sources: PyO3/maturin@v1.11.0 `src/upload.rs` and Changelog ("Deprecate 'upload' and
    'publish' CLI commands"); PyO3/maturin#2334, #2889; PyO3/maturin-action@v1.51.0
    `action.yml` and `src/index.ts` (`maturin <command> <args>`; version from
    `build-system.requires` when `maturin-version` is unset).
    """

    code = "SL212"
    name = "maturin-upload-deprecated"
    severity = Severity.INFO
    summary = "maturin's `upload`/`publish` commands are deprecated and send no attestations"
    catalogue = ("C-5",)
    before = (
        "      - uses: PyO3/maturin-action@v1\n        env:\n"
        "          MATURIN_PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}\n"
        "        with:\n          command: upload\n          args: --skip-existing dist/*\n"
    )
    after = (
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n          packages-dir: dist/\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for upload in project.model.uploads:
            if not _maturin_upload(upload):
                continue
            what = (
                f"`{publisher_label(upload)}` with `command: upload`"
                if upload.publisher is not None
                else "`maturin upload`"
            )
            yield self.at(
                upload.loc,
                f"{what} uses maturin's deprecated upload command",
                "maturin 1.11 and later warn on every upload that the command will be removed "
                "(planned for maturin 2.0), and it sends no attestations. Upload the wheels "
                "with pypa/gh-action-pypi-publish (trusted publishing) or `uv publish`.",
            )


def _maturin_upload(upload: Upload) -> bool:
    pub = upload.publisher
    if pub is not None:
        return "deprecated-commands-since" in pub.raw
    if upload.tool != "maturin" or upload.command is None:
        return False
    return any(program_name(a.text) == "maturin" for a in upload.command.args)
