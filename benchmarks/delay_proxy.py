"""A TCP relay that delays every chunk by a fixed time each way: a network round trip's worth of
latency between seatflow and PostgreSQL on a machine where both are on localhost (this kernel
has no `netem`). What a round trip costs the API is then measured, not assumed.

    .venv/bin/python benchmarks/delay_proxy.py --listen 15432 --to 127.0.0.1:5432 --delay-ms 0.5
    DATABASE_URL=postgresql://postgres@127.0.0.1:15432/test .venv/bin/python \\
        benchmarks/api_latency.py

Each direction keeps its order: a chunk is written `delay` after it was read, never earlier
than the chunk before it.
"""

from __future__ import annotations

import argparse
import asyncio
import time


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy reader → writer, each chunk held until `delay` after it arrived."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def send() -> None:
        while True:
            due, chunk = await queue.get()
            if not chunk:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(send())
    try:
        while chunk := await reader.read(65536):
            queue.put_nowait((time.monotonic() + delay, chunk))
    finally:
        queue.put_nowait((0.0, b""))
        await sender


async def _serve(listen: int, host: str, port: int, delay: float) -> None:
    async def relay(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(host, port)
        await asyncio.gather(
            _pump(client_r, server_w, delay),
            _pump(server_r, client_w, delay),
            return_exceptions=True,
        )

    server = await asyncio.start_server(relay, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, default=15432)
    parser.add_argument("--to", default="127.0.0.1:5432", help="host:port of PostgreSQL")
    parser.add_argument("--delay-ms", type=float, default=0.5, help="added each way")
    args = parser.parse_args()
    host, _, port = args.to.rpartition(":")
    asyncio.run(_serve(args.listen, host, int(port), args.delay_ms / 1000))


if __name__ == "__main__":
    main()
