"""The log's tables, as forward migrations numbered by `PRAGMA user_version`.

Step N (1-based) moves a database from version N-1 to N. Steps are appended, never edited, so a
database written by any older release can be brought forward. Each step is a list of single
statements rather than a script because `executescript` would commit the open transaction.
"""

from __future__ import annotations

import aiosqlite

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE queries (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            guild_id INTEGER,
            channel_id INTEGER,
            user_id INTEGER,
            user_name TEXT,
            source TEXT NOT NULL,
            question TEXT NOT NULL,
            answered INTEGER NOT NULL,
            top_article TEXT,
            top_section TEXT,
            top_paragraph INTEGER,
            top_score REAL,
            n_passages INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL,
            app_version TEXT NOT NULL
        )""",
        "CREATE INDEX queries_time ON queries(time)",
        "CREATE INDEX queries_user ON queries(user_id)",
        "CREATE INDEX queries_answered ON queries(answered, time)",
        # No foreign key to queries: a vote may arrive before its query row is written.
        """CREATE TABLE feedback (
            query_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            time TEXT NOT NULL,
            PRIMARY KEY (query_id, user_id)
        )""",
        "CREATE INDEX feedback_user ON feedback(user_id)",
        "CREATE INDEX feedback_time ON feedback(time)",
        """CREATE TABLE moderator_actions (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            moderator_id INTEGER,
            moderator_name TEXT,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX moderator_actions_time ON moderator_actions(time)",
        # Trigram tokens match any substring of 3+ characters, which is what Japanese text
        # without spaces needs; external content keeps a single copy of each question.
        """CREATE VIRTUAL TABLE queries_fts USING fts5(
            question, content='queries', content_rowid='id', tokenize='trigram'
        )""",
        """CREATE TRIGGER queries_fts_insert AFTER INSERT ON queries BEGIN
            INSERT INTO queries_fts(rowid, question) VALUES (new.id, new.question);
        END""",
        """CREATE TRIGGER queries_fts_delete AFTER DELETE ON queries BEGIN
            INSERT INTO queries_fts(queries_fts, rowid, question)
            VALUES ('delete', old.id, old.question);
        END""",
        """CREATE TRIGGER queries_fts_update AFTER UPDATE OF question ON queries BEGIN
            INSERT INTO queries_fts(queries_fts, rowid, question)
            VALUES ('delete', old.id, old.question);
            INSERT INTO queries_fts(rowid, question) VALUES (new.id, new.question);
        END""",
    ),
    # 2: how a question was handled (passage, metadata, refused, crosslingual, no_metadata...),
    # so that an English question shown candidates is told apart from a plain refusal.
    ("ALTER TABLE queries ADD COLUMN kind TEXT",),
    # 3: the server a moderator acted in (NULL: the shell), and an index for per-server reports.
    (
        "ALTER TABLE moderator_actions ADD COLUMN guild_id INTEGER",
        "CREATE INDEX queries_guild ON queries(guild_id, time)",
    ),
    # 4: reports group by question text; with this covering index SQLite streams the groups
    # in order instead of sorting every row's text (`/logs stats` over a million rows: 0.9 s
    # instead of 2 s; answered and guild_id let the server-scoped and refused reports use it).
    ("CREATE INDEX queries_question ON queries(question, time, answered, guild_id)",),
    # 5: the feedback loop. The quote a member was shown (to review a 👎 against it), why a
    # vote was down (a reason code and free text), and where the voted message is.
    (
        "ALTER TABLE queries ADD COLUMN top_quote TEXT",
        "ALTER TABLE feedback ADD COLUMN reason TEXT",
        "ALTER TABLE feedback ADD COLUMN detail TEXT",
        "ALTER TABLE feedback ADD COLUMN message_url TEXT",
        "CREATE INDEX feedback_vote ON feedback(vote, time)",
    ),
    # 6: a follow-up (a reply to an answer) points at the row of the question it continued.
    ("ALTER TABLE queries ADD COLUMN continues INTEGER",),
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(RuntimeError):
    """The database was written by a newer release; writing to it could damage it."""


async def user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply the missing steps in one transaction and return the version now in force.

    An up-to-date database is only read, so a reader never needs the write lock. The version is
    read again under the lock because another process may have migrated in the meantime.
    """
    version = await user_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"log database is at version {version}, this release knows {SCHEMA_VERSION}"
        )
    if version == SCHEMA_VERSION:
        return version
    await conn.execute("BEGIN IMMEDIATE")
    try:
        version = await user_version(conn)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1]:
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {number}")
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
