"""The SQLite schema and its migrations.

The schema version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes a
database from version ``i`` to ``i + 1``; :mod:`shnor_desktop.models.db` runs
the pending ones in one exclusive transaction.  A migration is a list of
steps: SQL text, or a Python callable for data that SQL cannot compute (such
as the Cyrillic case folding of names for search).

School years are stored as the calendar year in which they begin: ``2022``
is the school year 2022/23.  Shares are stored in percent, unrounded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from shnor_desktop.models.text import fold

MigrationStep = str | Callable[[sqlite3.Connection], None]

# Group codes of a school in a year (DESIGN.md §2).  Kept here because the
# CHECK constraints below and the domain enum must agree.
GROUP_CODES = ("shnor", "risk", "prevention", "leader", "none")
PROCEDURES = ("ВПР", "ОГЭ", "ЕГЭ", "ГВЭ", "РПР")

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE district (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    region          TEXT NOT NULL DEFAULT '',
    office          TEXT NOT NULL DEFAULT '',
    centre          TEXT NOT NULL DEFAULT '',
    head_of_office  TEXT NOT NULL DEFAULT '',
    coordinator     TEXT NOT NULL DEFAULT '',
    population      INTEGER CHECK (population >= 0),
    notes           TEXT NOT NULL DEFAULT ''
);

CREATE TABLE district_year (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id     INTEGER NOT NULL REFERENCES district(id),
    year            INTEGER NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    pupils_total    INTEGER CHECK (pupils_total >= 0),
    pupils_grade1   INTEGER CHECK (pupils_grade1 >= 0),
    pupils_grade9   INTEGER CHECK (pupils_grade9 >= 0),
    pupils_grade11  INTEGER CHECK (pupils_grade11 >= 0),
    pupils_bused    INTEGER CHECK (pupils_bused >= 0),
    buses           INTEGER CHECK (buses >= 0),
    source          TEXT NOT NULL DEFAULT 'manual',
    UNIQUE (district_id, year)
);

CREATE TABLE programme (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id   INTEGER NOT NULL REFERENCES district(id),
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    kind          TEXT NOT NULL DEFAULT 'programme',
    start_year    INTEGER NOT NULL,
    end_year      INTEGER NOT NULL,
    order_number  TEXT NOT NULL DEFAULT '',
    order_date    TEXT,
    approved_by   TEXT NOT NULL DEFAULT '',
    CHECK (end_year >= start_year)
);

CREATE TABLE school (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL UNIQUE CHECK (length(trim(code)) > 0),
    full_name      TEXT NOT NULL CHECK (length(trim(full_name)) > 0),
    short_name     TEXT NOT NULL CHECK (length(trim(short_name)) > 0),
    kind           TEXT NOT NULL DEFAULT 'СОШ',
    parent_id      INTEGER REFERENCES school(id),
    locality       TEXT NOT NULL DEFAULT '',
    distance_km    REAL CHECK (distance_km >= 0),
    director       TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    has_kindergarten INTEGER NOT NULL DEFAULT 0 CHECK (has_kindergarten IN (0, 1)),
    notes          TEXT NOT NULL DEFAULT '',
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX school_parent ON school(parent_id);

CREATE TABLE person (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name     TEXT NOT NULL CHECK (length(trim(full_name)) > 0),
    position      TEXT NOT NULL DEFAULT '',
    organisation  TEXT NOT NULL DEFAULT '',
    school_id     INTEGER REFERENCES school(id),
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE person_role (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id     INTEGER NOT NULL REFERENCES person(id),
    role          TEXT NOT NULL CHECK (role IN ('coordinator', 'tutor', 'curator',
                      'head_rmo', 'head_office', 'working_group', 'director', 'other')),
    programme_id  INTEGER REFERENCES programme(id),
    title         TEXT NOT NULL DEFAULT '',
    since         TEXT,
    until         TEXT
);
CREATE INDEX person_role_person ON person_role(person_id);

CREATE TABLE school_profile (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id                 INTEGER NOT NULL REFERENCES school(id),
    year                      INTEGER NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    pupils_total              INTEGER CHECK (pupils_total >= 0),
    pupils_1_4                INTEGER CHECK (pupils_1_4 >= 0),
    pupils_5_9                INTEGER CHECK (pupils_5_9 >= 0),
    pupils_10_11              INTEGER CHECK (pupils_10_11 >= 0),
    pupils_bused              INTEGER CHECK (pupils_bused >= 0),
    teachers                  INTEGER CHECK (teachers >= 0),
    vacancies                 INTEGER CHECK (vacancies >= 0),
    pct_teachers_65plus       REAL CHECK (pct_teachers_65plus BETWEEN 0 AND 100),
    pct_teachers_two_rates    REAL CHECK (pct_teachers_two_rates BETWEEN 0 AND 100),
    pct_incomplete_families   REAL CHECK (pct_incomplete_families BETWEEN 0 AND 100),
    pct_low_income            REAL CHECK (pct_low_income BETWEEN 0 AND 100),
    pct_other_language        REAL CHECK (pct_other_language BETWEEN 0 AND 100),
    sek_index                 REAL CHECK (sek_index BETWEEN 0 AND 100),
    pct_ovz                   REAL CHECK (pct_ovz BETWEEN 0 AND 100),
    internet_mbps             REAL CHECK (internet_mbps >= 0),
    needs_capital_repair      INTEGER CHECK (needs_capital_repair IN (0, 1)),
    infrastructure_note       TEXT NOT NULL DEFAULT '',
    tochka_rosta              INTEGER CHECK (tochka_rosta IN (0, 1)),
    tsos                      INTEGER CHECK (tsos IN (0, 1)),
    project_500               INTEGER CHECK (project_500 IN (0, 1)),
    group_code                TEXT NOT NULL DEFAULT 'none'
                                  CHECK (group_code IN ('shnor', 'risk', 'prevention',
                                                        'leader', 'none')),
    group_reason              TEXT NOT NULL DEFAULT '',
    curator_id                INTEGER REFERENCES person(id),
    mentor_school_id          INTEGER REFERENCES school(id),
    notes                     TEXT NOT NULL DEFAULT '',
    source                    TEXT NOT NULL DEFAULT 'manual',
    UNIQUE (school_id, year)
);
CREATE INDEX school_profile_year ON school_profile(year, group_code);

CREATE TABLE assessment (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id      INTEGER NOT NULL REFERENCES school(id),
    year           INTEGER NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    procedure      TEXT NOT NULL CHECK (procedure IN ('ВПР', 'ОГЭ', 'ЕГЭ', 'ГВЭ', 'РПР')),
    subject        TEXT NOT NULL CHECK (length(trim(subject)) > 0),
    grade          INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 11),
    pupils_due     INTEGER CHECK (pupils_due >= 0),
    participants   INTEGER NOT NULL CHECK (participants >= 0),
    n2             INTEGER NOT NULL DEFAULT 0 CHECK (n2 >= 0),
    n3             INTEGER NOT NULL DEFAULT 0 CHECK (n3 >= 0),
    n4             INTEGER NOT NULL DEFAULT 0 CHECK (n4 >= 0),
    n5             INTEGER NOT NULL DEFAULT 0 CHECK (n5 >= 0),
    mean_score     REAL CHECK (mean_score >= 0),
    below_minimum  INTEGER CHECK (below_minimum >= 0),
    vpr_lowered    INTEGER CHECK (vpr_lowered >= 0),
    vpr_confirmed  INTEGER CHECK (vpr_confirmed >= 0),
    vpr_raised     INTEGER CHECK (vpr_raised >= 0),
    source         TEXT NOT NULL DEFAULT 'manual',
    UNIQUE (school_id, year, procedure, subject, grade)
);
CREATE INDEX assessment_year ON assessment(year, procedure, subject, grade);

CREATE TABLE indicator (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id   INTEGER NOT NULL REFERENCES programme(id),
    parent_id      INTEGER REFERENCES indicator(id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    unit           TEXT NOT NULL DEFAULT '%',
    direction      TEXT NOT NULL DEFAULT 'higher' CHECK (direction IN ('higher', 'lower')),
    baseline       REAL,
    baseline_year  INTEGER,
    formula        TEXT NOT NULL DEFAULT '',
    source_note    TEXT NOT NULL DEFAULT '',
    frequency      TEXT NOT NULL DEFAULT '',
    UNIQUE (programme_id, code)
);

CREATE TABLE indicator_value (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id  INTEGER NOT NULL REFERENCES indicator(id),
    year          INTEGER NOT NULL,
    school_id     INTEGER REFERENCES school(id),
    plan          REAL,
    actual        REAL,
    source        TEXT NOT NULL DEFAULT 'manual'
);
CREATE UNIQUE INDEX indicator_value_key
    ON indicator_value(indicator_id, year, ifnull(school_id, 0));

CREATE TABLE roadmap_section (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id  INTEGER NOT NULL REFERENCES programme(id),
    number        TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    position      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE roadmap_activity (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    section_id       INTEGER NOT NULL REFERENCES roadmap_section(id),
    number           TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL CHECK (length(trim(title)) > 0),
    responsible      TEXT NOT NULL DEFAULT '',
    deadline_text    TEXT NOT NULL DEFAULT '',
    expected_result  TEXT NOT NULL DEFAULT '',
    planned_value    TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'planned'
                         CHECK (status IN ('planned', 'in_progress', 'done',
                                           'partly', 'not_done', 'cancelled')),
    evidence         TEXT NOT NULL DEFAULT '',
    position         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX roadmap_activity_section ON roadmap_activity(section_id, position);

CREATE TABLE roadmap_interval (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL REFERENCES roadmap_activity(id),
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX roadmap_interval_activity ON roadmap_interval(activity_id);

CREATE TABLE tutor_visit (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_date        TEXT NOT NULL,
    tutor_id          INTEGER REFERENCES person(id),
    school_id         INTEGER REFERENCES school(id),
    form              TEXT NOT NULL CHECK (form IN ('выезд', 'посещение урока',
                          'консультация', 'семинар', 'онлайн')),
    topic             TEXT NOT NULL DEFAULT '',
    participants      INTEGER CHECK (participants >= 0),
    findings          TEXT NOT NULL DEFAULT '',
    recommendations   TEXT NOT NULL DEFAULT '',
    due_date          TEXT,
    follow_up_status  TEXT NOT NULL DEFAULT 'open'
                          CHECK (follow_up_status IN ('open', 'in_progress', 'done',
                                                      'overdue', 'not_required')),
    follow_up_note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tutor_visit_date ON tutor_visit(visit_date);
CREATE INDEX tutor_visit_school ON tutor_visit(school_id);

CREATE TABLE event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_date  TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'семинар',
    topic       TEXT NOT NULL CHECK (length(trim(topic)) > 0),
    audience    TEXT NOT NULL DEFAULT '',
    coverage    INTEGER CHECK (coverage >= 0),
    organiser   TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE risk_factor (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    since_year  INTEGER,
    until_year  INTEGER
);

CREATE TABLE school_risk (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id       INTEGER NOT NULL REFERENCES school(id),
    year            INTEGER NOT NULL,
    risk_factor_id  INTEGER NOT NULL REFERENCES risk_factor(id),
    level           TEXT NOT NULL DEFAULT 'средний'
                        CHECK (level IN ('низкий', 'средний', 'высокий')),
    measures        TEXT NOT NULL DEFAULT '',
    UNIQUE (school_id, year, risk_factor_id)
);

CREATE TABLE meeting (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id  INTEGER REFERENCES programme(id),
    number        TEXT NOT NULL DEFAULT '',
    meeting_date  TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    chair_id      INTEGER REFERENCES person(id),
    place         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meeting_attendee (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  INTEGER NOT NULL REFERENCES meeting(id),
    person_id   INTEGER NOT NULL REFERENCES person(id),
    role_text   TEXT NOT NULL DEFAULT '',
    UNIQUE (meeting_id, person_id)
);

CREATE TABLE meeting_item (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id     INTEGER NOT NULL REFERENCES meeting(id),
    position       INTEGER NOT NULL DEFAULT 0,
    title          TEXT NOT NULL DEFAULT '',
    heard          TEXT NOT NULL DEFAULT '',
    decided        TEXT NOT NULL DEFAULT '',
    vote_for       INTEGER CHECK (vote_for >= 0),
    vote_against   INTEGER CHECK (vote_against >= 0),
    vote_abstain   INTEGER CHECK (vote_abstain >= 0),
    vote_note      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE change_set (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   TEXT NOT NULL,
    actor        TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('edit', 'import', 'demo', 'undo', 'redo',
                                               'revert', 'migration')),
    label        TEXT NOT NULL DEFAULT '',
    reverts_id   INTEGER REFERENCES change_set(id),
    reverted_by  INTEGER REFERENCES change_set(id)
);

CREATE TABLE change (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    set_id      INTEGER NOT NULL REFERENCES change_set(id),
    seq         INTEGER NOT NULL,
    table_name  TEXT NOT NULL,
    row_id      INTEGER NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    old_values  TEXT,
    new_values  TEXT,
    UNIQUE (set_id, seq)
);
CREATE INDEX change_row ON change(table_name, row_id);
"""

# Version 2: search without SQLite's ASCII-only case folding (stored folded
# names), per-field provenance of generated figures, and import batches.
_V2 = """
ALTER TABLE school ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE school_profile ADD COLUMN generated_fields TEXT NOT NULL DEFAULT '';
CREATE INDEX school_name_fold ON school(name_fold);

CREATE TABLE import_batch (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    change_set_id  INTEGER REFERENCES change_set(id),
    status         TEXT NOT NULL CHECK (status IN ('applied', 'rolled_back', 'rejected')),
    summary        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_batch_sha ON import_batch(sha256);
"""


# Version 3: the write path for bulk work.  A change set keeps its row count and
# touched tables (stored at commit, never recounted on reading the log); an
# insert is recorded without a copy of the row, and a run of consecutive ids
# inserted together is one change (``row_id`` .. ``last_row_id``).
_V3 = """
ALTER TABLE change_set ADD COLUMN row_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_set ADD COLUMN tables TEXT NOT NULL DEFAULT '';
ALTER TABLE change ADD COLUMN last_row_id INTEGER;
CREATE INDEX change_range ON change(table_name, last_row_id) WHERE last_row_id IS NOT NULL;
UPDATE change_set SET
    row_count = (SELECT count(*) FROM change c WHERE c.set_id = change_set.id),
    tables = ifnull((SELECT group_concat(DISTINCT c.table_name) FROM change c
                     WHERE c.set_id = change_set.id), '');
"""


# Version 4: results, indicators and settings.  Settings (thresholds, the rules
# that suggest a school's group) are rows written through the change log, so a
# change of a threshold is undone and shown in the history like any other.  An
# indicator may be computed from the data (``computed`` names the computation;
# empty means its values are typed).  The index serves the pivot and the charts
# (one procedure, subject and grade over years).
_V4 = """
CREATE TABLE setting (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    key    TEXT NOT NULL UNIQUE CHECK (length(trim(key)) > 0),
    value  TEXT NOT NULL
);
ALTER TABLE indicator ADD COLUMN computed TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator_value ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX indicator_parent ON indicator(parent_id);
CREATE INDEX assessment_series ON assessment(procedure, subject, grade, year);
"""


# Version 5: the roadmap.  Sections form a tree (a document's table, its blocks);
# an activity keeps the kind of its deadline as read by ``models/deadlines.py``,
# its progress (0–100 %), whether its intervals were set by hand (a manual
# setting wins over the parser), a link to the meeting that heard it, and its
# folded text for search.  An interval says where it came from («parsed» or
# «manual»); the intervals as first approved are kept beside the current ones
# as the baseline (``baseline = 1``).  ``roadmap_concern`` names the schools
# or groups of schools an activity concerns: one of the two per row.
# «Просрочено» is derived from the dates and the status, never stored.  Rows
# written before (no screen wrote any) get their folded text; their deadline
# keeps the kind «unknown» and their intervals until the deadline is next edited.
_V5 = """
ALTER TABLE programme ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE roadmap_section ADD COLUMN parent_id INTEGER REFERENCES roadmap_section(id);
ALTER TABLE roadmap_activity ADD COLUMN deadline_kind TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE roadmap_activity ADD COLUMN progress REAL CHECK (progress BETWEEN 0 AND 100);
ALTER TABLE roadmap_activity ADD COLUMN intervals_manual INTEGER NOT NULL DEFAULT 0
    CHECK (intervals_manual IN (0, 1));
ALTER TABLE roadmap_activity ADD COLUMN meeting_id INTEGER REFERENCES meeting(id);
ALTER TABLE roadmap_activity ADD COLUMN search_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE roadmap_interval ADD COLUMN source TEXT NOT NULL DEFAULT 'parsed'
    CHECK (source IN ('parsed', 'manual'));
ALTER TABLE roadmap_interval ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0
    CHECK (baseline IN (0, 1));

CREATE TABLE roadmap_concern (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL REFERENCES roadmap_activity(id),
    school_id    INTEGER REFERENCES school(id),
    group_code   TEXT CHECK (group_code IN ('shnor', 'risk', 'prevention', 'leader', 'none')),
    CHECK ((school_id IS NULL) <> (group_code IS NULL))
);
CREATE UNIQUE INDEX roadmap_concern_key
    ON roadmap_concern(activity_id, ifnull(school_id, 0), ifnull(group_code, ''));
CREATE INDEX roadmap_concern_school ON roadmap_concern(school_id) WHERE school_id IS NOT NULL;
CREATE INDEX roadmap_concern_group ON roadmap_concern(group_code) WHERE group_code IS NOT NULL;

CREATE INDEX roadmap_section_programme ON roadmap_section(programme_id, parent_id, position);
CREATE INDEX roadmap_section_parent ON roadmap_section(parent_id);
CREATE INDEX roadmap_activity_status ON roadmap_activity(status);
CREATE INDEX roadmap_activity_meeting ON roadmap_activity(meeting_id) WHERE meeting_id IS NOT NULL;
DROP INDEX roadmap_interval_activity;
CREATE INDEX roadmap_interval_activity ON roadmap_interval(activity_id, baseline, end_date);
CREATE INDEX roadmap_interval_due ON roadmap_interval(baseline, end_date);
"""


# Version 6: the team's work, the exchange with schools and the reports.
# Each block belongs to one area; an area that needs more adds to its block.
_V6 = """
-- people and the tutor journal: the mentor school's agreement (№, date) by
-- school year beside the curator; a reference list of deficits that grows as
-- tutors name new ones; the deficits found on a visit; whether a row was
-- generated (the demo marks what no document gave); folded text for search.
ALTER TABLE school_profile ADD COLUMN mentor_agreement_no TEXT NOT NULL DEFAULT '';
ALTER TABLE school_profile ADD COLUMN mentor_agreement_date TEXT;
ALTER TABLE person ADD COLUMN notes TEXT NOT NULL DEFAULT '';
CREATE TABLE deficit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    name_fold  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE tutor_visit_deficit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_id    INTEGER NOT NULL REFERENCES tutor_visit(id),
    deficit_id  INTEGER NOT NULL REFERENCES deficit(id),
    UNIQUE (visit_id, deficit_id)
);
CREATE INDEX tutor_visit_deficit_deficit ON tutor_visit_deficit(deficit_id);
ALTER TABLE tutor_visit ADD COLUMN generated INTEGER NOT NULL DEFAULT 0
    CHECK (generated IN (0, 1));
ALTER TABLE tutor_visit ADD COLUMN search_fold TEXT NOT NULL DEFAULT '';
CREATE INDEX tutor_visit_school_date ON tutor_visit(school_id, visit_date);
CREATE INDEX tutor_visit_tutor_date ON tutor_visit(tutor_id, visit_date);
CREATE INDEX tutor_visit_follow_up ON tutor_visit(follow_up_status, due_date);

-- events: the date may be unknown (seed 000 lists an event «(дата, охват – 56
-- чел.)»), where a row came from, notes and folded text for search.  SQLite
-- cannot drop a NOT NULL, so the table is rebuilt (no table refers to it);
-- rows written before get their folded text (the same as ``event_fold``).
CREATE TABLE event_v6 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_date   TEXT,
    kind         TEXT NOT NULL DEFAULT 'семинар',
    topic        TEXT NOT NULL CHECK (length(trim(topic)) > 0),
    audience     TEXT NOT NULL DEFAULT '',
    coverage     INTEGER CHECK (coverage >= 0),
    organiser    TEXT NOT NULL DEFAULT '',
    place        TEXT NOT NULL DEFAULT '',
    generated    INTEGER NOT NULL DEFAULT 0 CHECK (generated IN (0, 1)),
    notes        TEXT NOT NULL DEFAULT '',
    search_fold  TEXT NOT NULL DEFAULT ''
);
INSERT INTO event_v6 (id, event_date, kind, topic, audience, coverage, organiser, place,
                      search_fold)
    SELECT id, event_date, kind, topic, audience, coverage, organiser, place,
           fold(kind || ' | ' || topic || ' | ' || audience || ' | ' || organiser
                || ' | ' || place || ' | ')
    FROM event;
DROP TABLE event;
ALTER TABLE event_v6 RENAME TO event;
CREATE INDEX event_date ON event(event_date);

-- risk profiles: the order of the factors in a list, and the anti-risk
-- measures of a school's factor in a year, each linked to a roadmap activity
-- where one exists.
ALTER TABLE risk_factor ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risk_factor ADD COLUMN description TEXT NOT NULL DEFAULT '';
CREATE TABLE risk_measure (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    school_risk_id  INTEGER NOT NULL REFERENCES school_risk(id),
    position        INTEGER NOT NULL DEFAULT 0,
    text            TEXT NOT NULL CHECK (length(trim(text)) > 0),
    activity_id     INTEGER REFERENCES roadmap_activity(id)
);
CREATE INDEX risk_measure_risk ON risk_measure(school_risk_id, position);
CREATE INDEX risk_measure_activity ON risk_measure(activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX school_risk_year ON school_risk(year, risk_factor_id);
-- a factor's short name for the matrix's column heads; whether a school's
-- factor was generated (the demo marks the levels no document gave) and what
-- it rests on; measures written as text in version 1 become rows.
ALTER TABLE risk_factor ADD COLUMN short_name TEXT NOT NULL DEFAULT '';
ALTER TABLE school_risk ADD COLUMN generated INTEGER NOT NULL DEFAULT 0
    CHECK (generated IN (0, 1));
ALTER TABLE school_risk ADD COLUMN note TEXT NOT NULL DEFAULT '';
INSERT INTO risk_measure (school_risk_id, position, text)
    SELECT id, 0, trim(measures) FROM school_risk WHERE length(trim(measures)) > 0;
UPDATE school_risk SET measures = '' WHERE measures <> '';

-- meetings: the secretary; an item's decision as written (responsible and
-- deadline) and a unanimous vote; the protocol item an activity came from.
ALTER TABLE meeting ADD COLUMN secretary_id INTEGER REFERENCES person(id);
ALTER TABLE meeting_item ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_item ADD COLUMN deadline_text TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_item ADD COLUMN unanimous INTEGER NOT NULL DEFAULT 0
    CHECK (unanimous IN (0, 1));
ALTER TABLE roadmap_activity ADD COLUMN meeting_item_id INTEGER REFERENCES meeting_item(id);
CREATE INDEX meeting_item_meeting ON meeting_item(meeting_id, position);
-- The protocol names the chair and the secretary with their posts as written
-- («Председатель: муниципальный координатор – …»), and those present in its
-- order, each under the capacity they attend in («Тьютор-консультант:») with
-- the post as written then («директор МУ РЦ»): a person's post may change
-- later, the protocol's words do not.
ALTER TABLE meeting ADD COLUMN chair_post TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting ADD COLUMN secretary_post TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_attendee ADD COLUMN post TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_attendee ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE INDEX meeting_attendee_meeting ON meeting_attendee(meeting_id, position);
CREATE INDEX meeting_date ON meeting(meeting_date);
CREATE INDEX roadmap_activity_meeting_item ON roadmap_activity(meeting_item_id)
    WHERE meeting_item_id IS NOT NULL;

-- exchange: the school and school year a workbook spoke for, and the version
-- of the template it was filled in.
ALTER TABLE import_batch ADD COLUMN school_id INTEGER REFERENCES school(id);
ALTER TABLE import_batch ADD COLUMN year INTEGER;
ALTER TABLE import_batch ADD COLUMN template_version TEXT NOT NULL DEFAULT '';
CREATE INDEX import_batch_school ON import_batch(school_id, year);
-- A school's own word on the roadmap activities that concern it, by school
-- year (an activity concerns many schools: each reports its part).
CREATE TABLE activity_report (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL REFERENCES roadmap_activity(id),
    school_id    INTEGER NOT NULL REFERENCES school(id),
    year         INTEGER NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    status       TEXT NOT NULL DEFAULT 'planned'
                     CHECK (status IN ('planned', 'in_progress', 'done',
                                       'partly', 'not_done', 'cancelled')),
    progress     REAL CHECK (progress BETWEEN 0 AND 100),
    evidence     TEXT NOT NULL DEFAULT '',
    UNIQUE (activity_id, school_id, year)
);
CREATE INDEX activity_report_school ON activity_report(school_id, year);

-- reports: texts the coordinator writes for a report (the conclusions of the
-- annual report), kept by kind, school year and key.
CREATE TABLE report_text (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind   TEXT NOT NULL CHECK (length(trim(kind)) > 0),
    year   INTEGER,
    key    TEXT NOT NULL CHECK (length(trim(key)) > 0),
    body   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX report_text_key ON report_text(kind, ifnull(year, 0), key);
"""

ACTIVITY_FOLD_SOURCES = (
    "number",
    "title",
    "responsible",
    "deadline_text",
    "expected_result",
    "planned_value",
    "evidence",
)
"""The columns of an activity that search looks in (folded into ``search_fold``)."""


def activity_fold(*parts: str) -> str:
    """Return the text that roadmap search matches against (the parts, folded)."""
    return fold(" | ".join(parts))  # a separator that no search phrase spans


def _backfill_activity_fold(conn: sqlite3.Connection) -> None:
    """Fill the folded search text of activities written before version 5."""
    columns = ", ".join(ACTIVITY_FOLD_SOURCES)
    for row in conn.execute(f"SELECT id, {columns} FROM roadmap_activity").fetchall():
        conn.execute(
            "UPDATE roadmap_activity SET search_fold = ? WHERE id = ?",
            (activity_fold(*(str(v or "") for v in tuple(row)[1:])), row[0]),
        )


def _backfill_folded_names(conn: sqlite3.Connection) -> None:
    """Fill the folded search columns of rows written by version 1."""
    rows = conn.execute("SELECT id, full_name, short_name, locality FROM school").fetchall()
    for row in rows:
        conn.execute(
            "UPDATE school SET name_fold = ? WHERE id = ?",
            (school_fold(row[1], row[2], row[3]), row[0]),
        )
    for pid, name in conn.execute("SELECT id, full_name FROM person").fetchall():
        conn.execute("UPDATE person SET name_fold = ? WHERE id = ?", (fold(name), pid))


def school_fold(full_name: str, short_name: str, locality: str) -> str:
    """Return the text that school search matches against."""
    return fold(" ".join((full_name, short_name, locality)))


def person_fold(full_name: str) -> str:
    """Return the text that people search matches against."""
    return fold(full_name)


VISIT_FOLD_SOURCES = (
    "form",
    "topic",
    "findings",
    "recommendations",
    "follow_up_note",
)
"""The columns of a tutor journal entry that search looks in (folded into ``search_fold``).

The tutor's and the school's names and the deficits are matched through their
own folded columns (a renamed school is found by its new name at once).
"""


def visit_fold(*parts: str) -> str:
    """Return the text that journal search matches against (the parts, folded)."""
    return fold(" | ".join(parts))


def deficit_fold(name: str) -> str:
    """Return the folded name of a deficit (one deficit per name, whatever its case)."""
    return fold(name)


EVENT_FOLD_SOURCES = ("kind", "topic", "audience", "organiser", "place", "notes")
"""The columns of an event that search looks in (folded into ``search_fold``)."""


def event_fold(*parts: str) -> str:
    """Return the text that event search matches against (the parts, folded)."""
    return fold(" | ".join(parts))  # a separator that no search phrase spans


# Columns the write path keeps in step with others: table -> (column, sources, function).
DERIVED: dict[str, tuple[str, tuple[str, ...], Callable[..., str]]] = {
    "school": ("name_fold", ("full_name", "short_name", "locality"), school_fold),
    "person": ("name_fold", ("full_name",), person_fold),
    "roadmap_activity": ("search_fold", ACTIVITY_FOLD_SOURCES, activity_fold),
    "tutor_visit": ("search_fold", VISIT_FOLD_SOURCES, visit_fold),
    "deficit": ("name_fold", ("name",), deficit_fold),
    "event": ("search_fold", EVENT_FOLD_SOURCES, event_fold),
}

MIGRATIONS: Sequence[Sequence[MigrationStep]] = (
    (_V1,),
    (_V2, _backfill_folded_names),
    (_V3,),
    (_V4,),
    (_V5, _backfill_activity_fold),
    (_V6,),
)

SCHEMA_VERSION = len(MIGRATIONS)
