"""The job queue's schema (procrastinate): jobs, workers, periodic defers, events and functions.

It goes in through our migrations so that one `seatflow db migrate` gives a database that takes
bookings *and* their jobs, in one transaction. The SQL is procrastinate's own `schema.sql` of the
installed version (a fresh database always matches the code that will use it); when an upgrade of
procrastinate ships a schema migration, add a revision that applies that file from
`procrastinate/sql/migrations/` to databases created before it.
"""

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0003"
down_revision = "0002"

# procrastinate's fetch checks, for each candidate job, that no job with the same lock runs or
# waits ahead of it. Its (id, lock) index cannot answer "jobs with this lock", so when the planner
# misjudges the queue (statistics older than a burst of jobs) every fetch scans the whole index
# once per candidate: ~50 ms per fetch at 1,600 waiting jobs, against ~1 ms with this index.
LOCK_INDEX = r"""
CREATE INDEX seatflow_procrastinate_jobs_lock ON procrastinate_jobs (lock)
    WHERE status IN ('todo', 'doing');
"""

DROP = r"""
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE p.proname LIKE 'procrastinate\_%' AND n.nspname = current_schema()
    LOOP
        EXECUTE 'DROP FUNCTION ' || fn::text || ' CASCADE';
    END LOOP;
END;
$$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status CASCADE;
"""


def _execute_verbatim(sql: str) -> None:
    """Run SQL as written, in the migration's transaction: through the driver connection, so
    neither SQLAlchemy (`:name`) nor psycopg (`%`) reads placeholders into it."""
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    driver.execute(sql)


def upgrade() -> None:
    _execute_verbatim(SchemaManager.get_schema())
    _execute_verbatim(LOCK_INDEX)


def downgrade() -> None:
    _execute_verbatim(DROP)
