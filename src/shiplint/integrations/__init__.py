"""The edge: integrations with the tools shiplint plugs into (the tox 4 plugin, its guard and
credential check; the repo-review plugin; the JSON Schema of [tool.shiplint] and its
validate-pyproject plugin). The pre-commit hook is .pre-commit-hooks.yaml at the repository
root."""
