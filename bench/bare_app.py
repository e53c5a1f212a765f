"""The baseline of bench/overhead.py: FastAPI with nothing of ours but the ping route, served
by the same uvicorn with the same options as `proasn serve`."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/bench/ping")
async def ping() -> PlainTextResponse:
    return PlainTextResponse("pong")
