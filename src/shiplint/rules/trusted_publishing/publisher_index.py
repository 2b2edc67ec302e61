"""SL310: a catalogued publisher whose trusted publishing reaches only PyPI, told to publish
by trusted publishing to another index (TestPyPI) (T-10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.gha.scenarios import trigger_reach
from shiplint.model.publishers import publisher_label
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.trusted_publishing.uploads import oidc_uploads, upload_index

if TYPE_CHECKING:
    from shiplint.project import Project


@register
class TrustedPublishingIndexUnsupported(Rule):
    """A publishing action whose trusted publishing is fixed to PyPI uploads by trusted
    publishing to TestPyPI (or another index).

    Trusted publishing exchanges the job's OIDC token for an upload token at the index the
    files go to, with that index's audience (`testpypi` for test.pypi.org, read from
    `{index}/_/oidc/audience`). Some publishing actions hard-code PyPI's side of the
    exchange:

    - `casperdcl/deploy-pypi` (v2.4.0 and later, when `password` is empty) requests the
      GitHub token with `audience=pypi`, whatever `url` says; test.pypi.org refuses a token
      minted for another audience, the action then passes `null` as the password and twine
      fails (`action.yml` of v2.4.1).
    - jupyter_releaser's `finalize-release` (1.2.0 and later) mints at the fixed
      `https://pypi.org/_/oidc/github/mint-token` with audience `pypi` whenever the job may
      request an OIDC token, and then ignores `PYPI_TOKEN`: the pypi.org token it gets is
      sent to `TWINE_REPOSITORY_URL`, which refuses it (`jupyter_releaser/python.py`,
      `get_pypi_token`).

    shiplint reads which indexes an action's trusted publishing reaches from its facts
    (`trusted-publishing-indexes`). The upload certainly fails: an error when a trigger
    reaches it, lower when an `if:` shiplint cannot evaluate decides.

    Fix: publish to TestPyPI with a token (deploy-pypi: `password: ${{
    secrets.TEST_PYPI_API_TOKEN }}`), or use `pypa/gh-action-pypi-publish` with
    `repository-url: https://test.pypi.org/legacy/`, whose trusted publishing asks the
    index for its audience. For jupyter_releaser, publish to TestPyPI from a job without
    `id-token: write`.

    Sources: casperdcl/deploy-pypi@v2.4.1 `action.yml` (`&audience=pypi`, mint at
    `$INPUT_REGISTRY_DOMAIN/_/oidc/mint-token`); jupyter-server/jupyter_releaser@v2
    `jupyter_releaser/python.py` (`PYPI_GH_API_TOKEN_URL`, `get_pypi_token`); pypi/warehouse
    `warehouse/oidc/views.py` (the audience an index expects).
    """

    code = "SL310"
    name = "trusted-publishing-index-unsupported"
    severity = Severity.ERROR
    summary = "Trusted publishing to TestPyPI with an action whose trusted publishing is PyPI-only"
    catalogue = ("T-10",)
    before = (
        "jobs:\n  testpypi:\n    runs-on: ubuntu-latest\n    permissions:\n"
        "      id-token: write\n    steps:\n"
        "      - uses: casperdcl/deploy-pypi@v2.4.1\n"
        "        with:\n          url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "jobs:\n  testpypi:\n    runs-on: ubuntu-latest\n    permissions:\n"
        "      id-token: write\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n          repository-url: https://test.pypi.org/legacy/\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, job in oidc_uploads(project):
            pub = upload.publisher
            if pub is None or not pub.trusted_publishing_indexes or job.workflow is None:
                continue
            index = upload_index(upload)
            if index in pub.trusted_publishing_indexes:
                continue
            got = trigger_reach(
                project, job.workflow, job, upload.context.step, condition=upload.condition
            )
            severity = got.severity(
                Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
            )
            if severity is None:
                continue
            label = publisher_label(upload)
            reaches = " and ".join(f"`{i}`" for i in pub.trusted_publishing_indexes)
            where = upload.target.loc if upload.target and upload.target.loc else upload.loc
            yield self.at(
                where,
                f"`{label}` publishes to `{index}` by trusted publishing, which it can do only "
                f"for {reaches}",
                f"Its trusted publishing asks GitHub for a token with PyPI's audience and "
                f"exchanges it at PyPI, whatever the target; `{index}` refuses that token and "
                f"the upload fails. Upload to `{index}` with a token of its own, or with "
                f"pypa/gh-action-pypi-publish (`repository-url:`), whose trusted publishing "
                f"asks the index for its audience." + got.doubt(),
                severity=severity,
            )
