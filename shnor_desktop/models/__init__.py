"""Domain and storage: records, the SQLite schema, repositories and the change log.

Nothing here imports Qt; the UI adapts these classes with thin item models.
"""
