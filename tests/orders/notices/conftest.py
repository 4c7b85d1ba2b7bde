"""The notice tests' partnership, as a fixture."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from partnership.auth.models import Organisation, User
from partnership.venues.models import Venue
from tests.orders.notices.factories import World, build_world

MakeUser = Callable[..., User]


@pytest.fixture
def world(
    app: Flask,
    make_org: Callable[..., Organisation],
    make_user: MakeUser,
    make_venue: Callable[..., Venue],
) -> World:
    return build_world(app, make_org, make_user, make_venue)
