"""The exchange of workbooks with the schools: templates out, imports in (issue 10).

- :mod:`.templates` writes a school's workbook to fill (``write_template``,
  ``write_templates``);
- :mod:`.reader` reads a workbook or CSV file safely (hostile files are
  refused fast, in bounded memory, before any value is read);
- :mod:`.importer` previews an import (``plan_import``), commits it file by
  file (``commit_import``), lists the history and rolls a batch back.

Nothing here imports Qt or prints; the GUI and the command line word the
typed errors of :mod:`.errors` through ``services/messages.py``.  The
modules are imported where needed (openpyxl and calamine load lazily).
"""

from __future__ import annotations
