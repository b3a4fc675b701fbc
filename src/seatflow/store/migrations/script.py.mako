"""${message}"""

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}

from alembic import op


def upgrade() -> None:
    op.execute("""
    """)
