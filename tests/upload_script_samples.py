"""Upload scripts from real projects, shared by the tests of the upload-script rules
(SL911-SL913)."""

# numpy tools/wheels/upload_wheels.sh (2023), sourced by a workflow step
NUMPY_SCRIPT = """
    set_upload_vars() {
        echo "IS_PUSH is $IS_PUSH"
        if [[ "$IS_PUSH" == "true" ]]; then
            echo push and tag event
            export ANACONDA_ORG="multibuild-wheels-staging"
            export TOKEN="$NUMPY_STAGING_UPLOAD_TOKEN"
            export ANACONDA_UPLOAD="true"
        elif [[ "$IS_SCHEDULE_DISPATCH" == "true" ]]; then
            echo scheduled or dispatched event
            export ANACONDA_ORG="scientific-python-nightly-wheels"
            export TOKEN="$NUMPY_NIGHTLY_UPLOAD_TOKEN"
            export ANACONDA_UPLOAD="true"
        else
            echo non-dispatch event
            export ANACONDA_UPLOAD="false"
        fi
    }
    upload_wheels() {
        echo ${PWD}
        if [[ ${ANACONDA_UPLOAD} == true ]]; then
            if [[ -z ${TOKEN} ]]; then
                echo no token set, not uploading
            else
                # if: ... then ... fi in a comment must not confuse the reader
                if compgen -G "./dist/*.gz"; then
                    echo "Found sdist"
                    anaconda -q -t ${TOKEN} upload --force -u ${ANACONDA_ORG} ./dist/*.gz
                elif compgen -G "./wheelhouse/*.whl"; then
                    echo "Found wheel"
                    anaconda -q -t ${TOKEN} upload --force -u ${ANACONDA_ORG} ./wheelhouse/*.whl
                else
                    echo "Files do not exist"
                    return 1
                fi
                echo "PyPI-style index: https://pypi.anaconda.org/$ANACONDA_ORG/simple"
            fi
        fi
    }
"""

NUMPY_WORKFLOW = """
    on:
      schedule:
        - cron: "42 2 * * SUN,WED"
      push:
        tags: ["v*"]
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - name: Upload wheels
            env:
              NUMPY_STAGING_UPLOAD_TOKEN: ${{ secrets.NUMPY_STAGING_UPLOAD_TOKEN }}
              NUMPY_NIGHTLY_UPLOAD_TOKEN: ${{ secrets.NUMPY_NIGHTLY_UPLOAD_TOKEN }}
            run: |
              source tools/wheels/upload_wheels.sh
              set_upload_vars
              upload_wheels
"""

# in the shape of scikit-learn build_tools/github/upload_anaconda.sh (staging vs nightly org)
SKLEARN_SCRIPT = """
    #!/bin/bash
    set -e
    if [ "$GITHUB_EVENT_NAME" == "schedule" ]; then
        ANACONDA_ORG="scientific-python-nightly-wheels"
        ANACONDA_TOKEN="$SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN"
    else
        ANACONDA_ORG="scikit-learn-wheels-staging"
        ANACONDA_TOKEN="$SCIKIT_LEARN_STAGING_UPLOAD_TOKEN"
    fi
    if [ "$ANACONDA_TOKEN" == "" ]; then
        echo "No upload token, skipping."
        exit 0
    fi
    anaconda -t $ANACONDA_TOKEN upload --force -u $ANACONDA_ORG dist/artifact/*
"""
