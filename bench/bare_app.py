"""The baseline for ``bench_votes.py``: one POST route answering ``ok``, served by uvicorn the same
way as the site (one worker, same flags)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def ok(request: Request) -> PlainTextResponse:
    await request.body()
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/", ok, methods=["POST"])])
