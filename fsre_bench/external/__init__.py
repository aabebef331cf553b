"""Systems that do not live in Python: the episodes handed to them as text, and their predictions scored.

``export`` writes the episode files the runner runs on plus a self-contained text file per file
(gold labels kept apart); ``score`` validates a predictions file against its episode file and
assembles a normal result through the runner's own assembly (provenance ``external``).
"""
