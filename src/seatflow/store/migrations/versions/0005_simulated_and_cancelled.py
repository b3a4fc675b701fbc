"""Simulation marks and the `cancelled` assignment state.

- `simulated` on restaurants, bookings and observability_events: rows written by `seatflow
  simulate` / `seatflow demo` in a database the user pointed them at. The rollout gate and the
  runbook's queries leave simulated events out; a simulation refuses a restaurant or bookings it
  did not create.
- `cancelled` joins the assignment states: a cancellation is its own terminal state, never a
  `failed`. Bookings already cancelled (status `cancelled`, state `failed`) are relabelled; their
  history rows stay as they were written.
"""

from alembic import op

revision = "0005"
down_revision = "0004"

SCHEMA = r"""
ALTER TABLE restaurants ADD COLUMN simulated boolean NOT NULL DEFAULT false;
ALTER TABLE bookings ADD COLUMN simulated boolean NOT NULL DEFAULT false;
ALTER TABLE observability_events ADD COLUMN simulated boolean NOT NULL DEFAULT false;

ALTER TABLE bookings DROP CONSTRAINT bookings_assignment_state_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_assignment_state_check CHECK (assignment_state IN
    ('created', 'capacity_verified', 'assignment_pending', 'assignment_in_progress', 'assigned',
     'confirmed', 'manual_review', 'failed', 'cancelled'));
UPDATE bookings SET assignment_state = 'cancelled'
WHERE status = 'cancelled' AND assignment_state = 'failed';
"""

DOWNGRADE = r"""
UPDATE bookings SET assignment_state = 'failed' WHERE assignment_state = 'cancelled';
ALTER TABLE bookings DROP CONSTRAINT bookings_assignment_state_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_assignment_state_check CHECK (assignment_state IN
    ('created', 'capacity_verified', 'assignment_pending', 'assignment_in_progress', 'assigned',
     'confirmed', 'manual_review', 'failed'));
ALTER TABLE observability_events DROP COLUMN simulated;
ALTER TABLE bookings DROP COLUMN simulated;
ALTER TABLE restaurants DROP COLUMN simulated;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute(DOWNGRADE)
