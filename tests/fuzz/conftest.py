"""The fuzz tests' fixtures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import Organisation, User
from tests.fuzz.harness import Visit, visit


@pytest.fixture
def found(
    app: Flask,
    client: FlaskClient,
    endpoint: str,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> Visit:
    """The parametrised ``endpoint``'s form, opened by a role allowed to use it."""
    return visit(app, client, endpoint, make_user, make_org)
