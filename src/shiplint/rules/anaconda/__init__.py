"""Rules for Anaconda.org uploads: the ``anaconda`` CLI and upload-nightly-action.

Catalogue E-6 (flag order, broken client release), E-7 (client releases pip cannot find),
E-8 (upload-nightly-action versions), E-9 (``--skip`` for nightlies) and S-11 (unpinned
upload action).

Importing the package registers every rule of the family; one module per concern:

- :mod:`.upload_flags`: SL601 anaconda-token-after-upload, SL606 anaconda-skip-existing
- :mod:`.client_version`: SL602 anaconda-client-broken-version
- :mod:`.client_on_pypi`: SL603 anaconda-client-not-on-pypi
- :mod:`.nightly_action`: SL604 upload-nightly-version, SL605 upload-nightly-unpinned
- :mod:`.common`: the helpers they share (``anaconda upload`` words and where they are
  written, workflow steps, pip install arguments, conda environment files)
"""

from shiplint.rules.anaconda import client_on_pypi, client_version, nightly_action, upload_flags

__all__ = ["client_on_pypi", "client_version", "nightly_action", "upload_flags"]
