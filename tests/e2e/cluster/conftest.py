"""The many-machine test's cluster: two restaurants with a key each on the test's database, and
the node launcher (serve and worker processes, stopped at teardown by `spawn_seatflow`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.cluster.clients import Restaurant
from e2e.cluster.nodes import Cluster
from e2e.jobs.kit import SAMPLE
from support.processes import Spawn
from support.stack import seed_restaurant


@pytest.fixture
async def restaurants(db_url: str) -> list[Restaurant]:
    return [Restaurant(*await seed_restaurant(db_url, SAMPLE, slug)) for slug in ("north", "south")]


@pytest.fixture
def cluster(spawn_seatflow: Spawn, db_url: str, tmp_path: Path) -> Cluster:
    return Cluster(spawn_seatflow, db_url, tmp_path)
