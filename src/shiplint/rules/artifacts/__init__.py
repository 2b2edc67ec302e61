"""Artifacts between jobs: actions/upload-artifact and download-artifact (A-1..A-5).

Importing the package registers every rule of the family:

* ``action_versions``: SL701 (retired majors), SL702 (upload and download on majors that
  cannot see each other's artifacts);
* ``name_collision``: SL703 (two uploads of one run with the same name);
* ``downloads``: SL704 (artifacts nested in sub-folders of the publish directory), SL705
  (a `workflow_run` workflow that looks in its own run).

The rules share one view of a repository's artifact steps, memoised on the project:

* ``model/artifacts.py``: every artifact step with the release it runs, and *runs* (one
  per top-level workflow, with local reusable workflows and composite actions expanded);
* ``gha/matrix.py`` / ``gha/context.py``: each job's matrix legs, and artifact names
  evaluated once per leg (whatever cannot be evaluated counts as unknown, which never
  produces a collision);
* ``gha/instance.py``: the ``if:`` of each step per leg and per call of a reusable workflow
  (``matrix``, ``runner.os``, the inputs each caller passes);
* ``rules/artifact_files.py``: whether an upload certainly creates its artifact;
* ``rules/artifact_names.py``: name collisions in a run, how certain each is, and which
  uploads a download reads;
* ``rules/artifact_upgrade.py``: when SL701 can safely move a run to v4;
* ``rules/publish_dirs.py``: the directory each publish step reads (SL704).
"""

from __future__ import annotations

from shiplint.rules.artifacts import action_versions, downloads, name_collision

__all__ = ["action_versions", "downloads", "name_collision"]
