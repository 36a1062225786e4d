"""The exchange of workbooks with the schools in the window (issue 10).

- :mod:`.actions` — the menu entries «Файл → Экспорт в Excel…», «Обмен →
  Шаблоны для школ…» and «Обмен → Импорт…», and files dropped on the window;
- :mod:`.templates_dialog` — the templates of a school year into a folder;
- :mod:`.preview` — the import preview: per file and school what would
  change, the validation report, the choice of what to commit, the commit;
- :mod:`.history_panel` — «История импорта»: the batches and their rollback;
- :mod:`.models` — the item models of those windows.

The work itself is the services' (``services/export.py``,
``services/exchange``); it runs here in the background with progress and
«Отмена» (``ui/runner.py``), so the window stays responsive.
"""

from __future__ import annotations
