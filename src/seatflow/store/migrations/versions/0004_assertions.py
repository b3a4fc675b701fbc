"""`seatflow_assert`: a check inside a statement that aborts the transaction when it fails.

Statements sent together in one round trip (psycopg's pipeline mode) cannot look at each other's
results; a failed check must therefore stop everything after it on the server. Each check names
its own SQLSTATE (class `SF`), which the store turns back into a domain error.
"""

from alembic import op

revision = "0004"
down_revision = "0003"

SCHEMA = r"""
CREATE FUNCTION seatflow_assert(ok boolean, code text, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
    END IF;
    RETURN true;
END
$$;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute("DROP FUNCTION seatflow_assert(boolean, text, text)")
