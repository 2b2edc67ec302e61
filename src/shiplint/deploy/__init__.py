"""The deploy-account record: who owns each upload credential, and how it is checked.

``schema`` lists the record's keys, ``record`` reads the tables with positions,
``match`` pairs them with the uploads of the release model, ``skeleton`` writes the
tables a repository is missing (``shiplint init``) and ``section`` renders them as
Markdown (``shiplint docs``).
"""
