"""Flask extensions, created unbound and bound to the app in :func:`partnership.create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from partnership.core.privacy import hashed_address

# Deterministic constraint names: SQLite batch migrations can only drop or
# alter a constraint that has a name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# A page reads its records, writes its audit event, commits and then renders: objects are
# not expired by the commit, so rendering never reloads them row by row (the records shown
# are the ones read in the request's transaction, which is what the audit event says).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Only the views that opt in are limited (login, two-factor, public forms). Counters are kept
# per hashed address, never the address itself (see partnership.core.privacy).
limiter = Limiter(key_func=hashed_address, default_limits=[])
