#!/bin/bash
# Upload wheels to the staging area on anaconda.org.
ANACONDA_ORG="multibuild-wheels-staging"
TOKEN="$STARDUST_STAGING_UPLOAD_TOKEN"

pip install anaconda-client
if [[ -n "${TOKEN}" ]]; then
    anaconda upload -t ${TOKEN} --skip -u ${ANACONDA_ORG} wheelhouse/*.whl
fi
