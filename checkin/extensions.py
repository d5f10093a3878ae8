"""Flask extensions, created unbound and attached in :func:`checkin.create_app`."""

from __future__ import annotations

import json

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login = LoginManager()
babel = Babel()
compress = Compress()


def _party_key() -> str:
    from .limits import party_key  # who asks: account, link, device… (see checkin.limits)

    return party_key()


limiter = Limiter(key_func=_party_key)
#: A delegate's endpoints (``/i/<token>/…``) count per invitation: the party key.
invitation_key = _party_key


class SocketJSON:
    """The JSON module of Socket.IO packets.

    python-socketio encodes a broadcast once and sends the same text to every recipient;
    this keeps Vietnamese as UTF-8 instead of ``\\uXXXX`` escapes (a 3.9 KB dialogue
    message was 5.8 KB escaped).
    """

    @staticmethod
    def dumps(obj, **kwargs) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(obj, **kwargs)

    loads = staticmethod(json.loads)


socketio = SocketIO(json=SocketJSON)
