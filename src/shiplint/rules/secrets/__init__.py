"""Rules about CI secrets: missing credentials, reusable-workflow plumbing, contexts where
``secrets`` is not available, blanket inheritance, fork pull requests and interpolation into
shell scripts (catalogue S-1, S-3, S-4, S-5, S-6, S-10).

Importing the package registers every rule of the family; one module per concern:

- :mod:`.upload_credential`: SL401 upload-without-credential
- :mod:`.reusable_workflows`: SL402 undeclared-workflow-secret, SL403 undeclared-secret-passed,
  SL405 secrets-inherit
- :mod:`.secrets_in_if`: SL404 secrets-in-if
- :mod:`.fork_pr`: SL406 upload-on-fork-pr (and :func:`~.fork_pr.shell_guarded`)
- :mod:`.secret_in_run`: SL407 secret-in-run
- :mod:`.shared_token`: SL408 token-shared-across-projects
- :mod:`.env_flow`: whether nothing gives an upload command its credential variables (SL401)
- :mod:`.common`: what they share: ``secrets`` references in expressions, declared secrets
"""

from shiplint.rules.secrets import (
    fork_pr,
    reusable_workflows,
    secret_in_run,
    secrets_in_if,
    shared_token,
    upload_credential,
)

__all__ = [
    "fork_pr",
    "reusable_workflows",
    "secret_in_run",
    "secrets_in_if",
    "shared_token",
    "upload_credential",
]
