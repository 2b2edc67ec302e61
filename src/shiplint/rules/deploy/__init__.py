"""SL801-SL817: the deploy-account record — who owns each upload credential, its state,
and whether it still agrees with the workflows (catalogue 0.1, 0.2, E-2..E-5, P-1, S-1).

Importing the package registers every rule of the family; one module per concern:

- :mod:`.record_contents`: what the record says — SL801 undocumented-deploy-account, SL802
  incomplete-deploy-record, SL803 organization-deploy-token, SL804 deploy-token-scope,
  SL815 deploy-bus-factor, SL816 malformed-deploy-record
- :mod:`.dates`: SL805 deploy-token-expired, SL806 deploy-token-expires-soon,
  SL807 email-verification-stale, SL808 deploy-date-in-future
- :mod:`.agreement`: record and workflows disagree — SL809 deploy-secret-mismatch,
  SL810 deploy-auth-mismatch, SL811 deploy-workflow-mismatch, SL812
  deploy-environment-mismatch, SL813 environment-url-project-mismatch, SL814
  stale-deploy-record, SL818 deploy-channel-mismatch
- :mod:`.release_docs`: SL817 release-docs-out-of-date
- :mod:`.common`: the base classes and helpers they share
"""

from shiplint.rules.deploy import agreement, dates, record_contents, release_docs

__all__ = ["agreement", "dates", "record_contents", "release_docs"]
