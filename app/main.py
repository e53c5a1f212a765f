"""The FastAPI application factory."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import service as delivery_service
from app.delivery.api import error_response
from app.delivery.api import router as taker_api
from app.delivery.errors import DeliveryError
from app.delivery.routes import page_refusal
from app.delivery.routes import router as taker_pages
from app.kit import clock
from app.web.csrf import CsrfRejected
from app.web.locale import LocaleMiddleware
from app.web.routes import router as web_router
from app.web.security import SecurityHeaders
from app.web.templating import STATIC_DIR

logger = logging.getLogger(__name__)


def sweep_once(factory: sessionmaker[Session]) -> int:
    """Submit attempts whose time ran out, even when no browser is open."""
    with transaction(factory) as db_session:
        return delivery_service.submit_expired(db_session)


async def _sweeper(factory: sessionmaker[Session], every: float) -> None:
    while True:
        try:
            submitted = await run_in_threadpool(sweep_once, factory)
            if submitted:
                logger.info("sweeper submitted %d expired attempts", submitted)
        except Exception:  # keep sweeping; one bad round must not stop auto-submission
            logger.exception("sweeper round failed")
        await asyncio.sleep(every)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.clock_offset_file:
        logger.warning("TEST CLOCK: time is shifted by %s", settings.clock_offset_file)
        clock.install_clock(clock.OffsetFileClock(settings.clock_offset_file))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, echo=settings.database_echo)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        sweeper = asyncio.create_task(_sweeper(app.state.sessionmaker, settings.sweeper_seconds))
        yield
        sweeper.cancel()
        with suppress(asyncio.CancelledError):
            await sweeper
        engine.dispose()

    app = FastAPI(title="ProASN CAT", version="0.1.0", lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LocaleMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(DeliveryError)
    async def delivery_error(request: Request, exc: DeliveryError) -> Response:
        if request.url.path.startswith("/api/"):
            return error_response(exc)
        return page_refusal(request, exc)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        message = "Formulir kedaluwarsa atau tidak sah; muat ulang halaman dan coba lagi."
        return JSONResponse({"code": "csrf_rejected", "message": message}, status_code=403)

    app.include_router(taker_api)
    app.include_router(taker_pages)
    app.include_router(web_router)
    return app
