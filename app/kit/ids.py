"""Globally unique, time-ordered ids: results from many exam sites are merged centrally."""

import uuid

from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    return uuid7()
