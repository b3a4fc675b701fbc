"""Broken tables behind the HTTP routes: block a table over a window, list and remove blocks.

A block hands the bookings not yet seated on the table then back to the pipeline in its own
transaction (`pipeline.table_blocks`): each is assigned elsewhere, or sent to review with the
reason. Seated guests are never moved.
"""

from __future__ import annotations

from uuid import UUID

from seatflow.api.auth import Scope
from seatflow.api.errors import ApiError
from seatflow.api.schemas import BlockedOut, BlockIn, BlockOut, BlocksOut
from seatflow.api.state import ApiState
from seatflow.api.validation import invalid
from seatflow.pipeline.event_types import FloorEventType
from seatflow.pipeline.floor_events import floor_event
from seatflow.pipeline.table_blocks import block_table
from seatflow.store.blocks import Block, live_blocks, remove_block

__all__ = ["add_block", "list_blocks", "lift_block"]


async def add_block(state: ApiState, scope: Scope, table: str, body: BlockIn) -> BlockedOut:
    """Take the table out of use over [from, until); say whom that displaced."""
    _check_table(scope, table)
    now = state.clock.now()
    if body.until <= body.start:
        raise invalid("until", "must be after from")
    if body.until <= now:
        raise invalid("until", "is in the past")
    async with state.pool.connection() as conn, conn.transaction():
        blocked = await block_table(
            conn,
            scope.floor,
            table,
            start=body.start,
            until=body.until,
            now=now,
            queue=state.queue,
            actor=scope.principal.actor,
            reason=body.reason,
        )
    state.announce(blocked.transitions)
    state.services.sink.emit(
        floor_event(
            FloorEventType.TABLE_BLOCKED,
            at=now,
            restaurant_id=scope.floor.restaurant_id,
            block_id=blocked.block.id,
            table=table,
            start=body.start,
            until=body.until,
            displaced=list(blocked.displaced),
        )
    )
    return BlockedOut(block=block_out(blocked.block), displaced=list(blocked.displaced))


async def lift_block(state: ApiState, scope: Scope, table: str, block_id: UUID) -> BlockOut:
    """The table is back: its live block `block_id` stops counting (404 if none)."""
    _check_table(scope, table)
    now = state.clock.now()
    async with state.pool.connection() as conn, conn.transaction():
        blocks = await live_blocks(conn, scope.floor.restaurant_id)
        block = next((b for b in blocks if b.id == block_id and b.table == table), None)
        if block is None or not await remove_block(
            conn, scope.floor.restaurant_id, block_id, now=now
        ):
            raise ApiError(404, "not_found", f"no live block {block_id}", field="block_id")
    state.services.sink.emit(
        floor_event(
            FloorEventType.TABLE_UNBLOCKED,
            at=now,
            restaurant_id=scope.floor.restaurant_id,
            block_id=block_id,
            table=table,
        )
    )
    return block_out(block)


async def list_blocks(state: ApiState, scope: Scope) -> BlocksOut:
    async with state.pool.connection() as conn:
        blocks = await live_blocks(conn, scope.floor.restaurant_id)
    return BlocksOut(restaurant=scope.slug, blocks=[block_out(b) for b in blocks])


def block_out(block: Block) -> BlockOut:
    return BlockOut(
        id=block.id,
        table=block.table,
        start=block.start,
        until=block.until,
        reason=block.reason,
        created_at=block.created_at,
    )


def _check_table(scope: Scope, table: str) -> None:
    if table not in scope.floor.plan.table_keys:
        raise ApiError(404, "not_found", f"no table {table!r}", field="table")
