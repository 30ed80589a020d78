"""The ASGI entry point for uvicorn workers: ``uvicorn --factory web.asgi:app_from_env``."""

from campaign.settings import load_settings
from web.app import create_app


def app_from_env():
    return create_app(load_settings())
