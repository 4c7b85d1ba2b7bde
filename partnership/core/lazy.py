"""Lazily translated messages that are safe to print in a page.

flask_babel's ``LazyString`` has an ``__html__`` that hands back its text as it is, so
Jinja, WTForms and ``markupsafe.escape`` all take it for markup. A lazy message holding a
value someone typed (a venue's name in a choice label, a reference or a file's name in an
error) would be printed unescaped. The portal's ``_l`` is :func:`lazy_gettext` below: the
message itself comes from the catalogue and is trusted, as Jinja's own ``_()`` trusts it,
and every value put into it is escaped. ``flask_babel.lazy_gettext`` is banned by the lint
configuration so it cannot come back by habit.
"""

from __future__ import annotations

from typing import Any

from flask_babel.speaklater import LazyString  # noqa: TID251 (wrapped here, once)
from markupsafe import Markup

from partnership.core.catalogue import gettext


class LazyText(LazyString):  # type: ignore[misc]
    """A message translated when it is used, in the language of that moment.

    ``str()`` gives the plain text; in a page (``__html__``) the message is markup and
    each of its values is escaped.
    """

    def __html__(self) -> Markup:
        (message,) = self._args
        translated = Markup(gettext(message))  # noqa: S704 (the catalogue's own text)
        return translated % self._kwargs if self._kwargs else translated


def lazy_gettext(string: str, **variables: Any) -> LazyText:
    """``string`` translated when it is shown, with ``variables`` put in (escaped in pages)."""
    return LazyText(gettext, string, **variables)
