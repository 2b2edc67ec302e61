"""Rules about trusted publishing (OIDC) to PyPI (catalogue T-1, T-2, T-4, T-5, T-6, T-8, T-9,
S-7, T-10).

Importing the package registers every rule of the family:

* ``uploads``: which uploads publish by trusted publishing, and to which index (shared
  with other rule families);
* ``id_token``: SL301 (no `id-token: write` in the publishing job);
* ``pull_request``: SL302 (publishing reachable from pull requests);
* ``reusable_workflow``: SL303 (trusted publishing inside a reusable workflow);
* ``action_release``: SL304 (a pypa/gh-action-pypi-publish release older than v1.8.0);
* ``token_uploads``: SL305 (a `password:` that disables trusted publishing), SL306 (a
  long-lived token where trusted publishing would work);
* ``environment``: SL307 (a publishing job without a GitHub `environment:`);
* ``gitlab``: SL308 (a GitLab id token in a variable twine/uv do not read), SL309 (a
  GitLab id token with an audience PyPI rejects), SL311 (a GitLab id token given to a tool
  that exchanges only GitHub's);
* ``publisher_index``: SL310 (trusted publishing to TestPyPI with an action whose trusted
  publishing reaches PyPI only).
"""

from __future__ import annotations

from shiplint.rules.trusted_publishing import (
    action_release,
    environment,
    gitlab,
    id_token,
    publisher_index,
    pull_request,
    reusable_workflow,
    token_uploads,
    uploads,
)

__all__ = [
    "action_release",
    "environment",
    "gitlab",
    "id_token",
    "publisher_index",
    "pull_request",
    "reusable_workflow",
    "token_uploads",
    "uploads",
]
