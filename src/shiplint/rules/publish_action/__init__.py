"""Rules about pypa/gh-action-pypi-publish: refs, inputs, runners, attestations (B-1..B-6).

Importing the package registers every rule of the family:

* ``steps``: the action's publish steps, their ref and release, their inputs, and a fix
  that sets an input (shared with other rule families);
* ``refs``: SL201 (the sunset `master` branch), SL202 (a ref that does not exist), SL208
  (a pin to an annotated tag's object SHA);
* ``inputs``: SL203 (deprecated snake_case inputs);
* ``runners``: SL204 (the action on a macOS or Windows runner);
* ``attestations``: whether a step makes attestations; SL205 (two attesting steps in one
  job), SL206 (attestations from a reusable workflow).
"""

from __future__ import annotations

from shiplint.rules.publish_action import attestations, inputs, refs, runners, steps

__all__ = ["attestations", "inputs", "refs", "runners", "steps"]
