"""A minimal webhook receiver for benchmarks: answers 200 at once and remembers when
each delivery arrived. ``GET /receipts`` returns ``{delivery_id: unix_time}``.

Run as its own process so that it does not share an event loop with what it measures.
"""

import sys
import time

from aiohttp import web

receipts: dict[str, float] = {}


async def receive(request: web.Request) -> web.Response:
    await request.read()
    receipts.setdefault(request.headers["x-webhook-delivery"], time.time())
    return web.Response(text='{"received":true}', content_type="application/json")


async def list_receipts(_request: web.Request) -> web.Response:
    return web.json_response(receipts)


async def forget(_request: web.Request) -> web.Response:
    receipts.clear()
    return web.Response(status=204)


def main() -> None:
    app = web.Application()
    app.router.add_post("/webhooks", receive)
    app.router.add_get("/receipts", list_receipts)
    app.router.add_delete("/receipts", forget)
    web.run_app(
        app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None
    )


if __name__ == "__main__":
    main()
