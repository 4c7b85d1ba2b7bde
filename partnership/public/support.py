"""The support services the public pages list: help first, whether or not anyone reports.

The list is JSON: the built-in national services (``support_services.json`` beside this file),
or a deployment's own list (``SUPPORT_SERVICES_FILE``), usually local services first. Each entry
needs every text in English and Welsh; an entry missing one stops the portal starting, with a
:class:`ConfigError` naming the entry, so a Welsh reader never meets a half-English list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnership.config import ConfigError

BUILT_IN = Path(__file__).with_name("support_services.json")
# Keys every entry must have (each a non-empty string); a "_cy" key is its Welsh text.
REQUIRED = (
    "name",
    "name_cy",
    "description",
    "description_cy",
    "phone",
    "hours",
    "hours_cy",
    "website",
)
EXTENSION_KEY = "support_services"


@dataclass(frozen=True)
class SupportService:
    name: str
    name_cy: str
    description: str
    description_cy: str
    phone: str
    hours: str
    hours_cy: str
    website: str
    website_cy: str

    @property
    def tel(self) -> str:
        """The number for a ``tel:`` link: its digits (and a leading +) only."""
        return re.sub(r"[^\d+]", "", self.phone)

    def text(self, locale: str) -> dict[str, str]:
        """The entry in ``locale`` (``cy`` or English)."""
        welsh = locale == "cy"
        return {
            "name": self.name_cy if welsh else self.name,
            "description": self.description_cy if welsh else self.description,
            "hours": self.hours_cy if welsh else self.hours,
            "website": (self.website_cy or self.website) if welsh else self.website,
            "phone": self.phone,
            "tel": self.tel,
        }


def _entry(number: int, raw: Any, source: str) -> SupportService:
    label = raw.get("name") if isinstance(raw, dict) else None
    where = f"{source}: entry {number}" + (f" ({label})" if isinstance(label, str) else "")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be an object with the keys {', '.join(REQUIRED)}.")
    missing = [k for k in REQUIRED if not isinstance(raw.get(k), str) or not raw[k].strip()]
    if missing:
        raise ConfigError(
            f"{where} has no {', '.join(missing)}: give every text in English and Welsh."
        )
    if not re.search(r"\d{3}", raw["phone"]):
        raise ConfigError(f"{where} has no phone number in its phone: {raw['phone']!r}.")
    for key in ("website", "website_cy"):
        value = raw.get(key) or ""
        if value and not value.startswith("https://"):
            raise ConfigError(f"{where}: {key} must start with https://, not {value!r}.")
    website_cy = raw.get("website_cy") or ""
    if not isinstance(website_cy, str):
        raise ConfigError(f"{where}: website_cy must be text.")
    return SupportService(
        **{k: raw[k].strip() for k in REQUIRED},
        website_cy=website_cy.strip(),
    )


def load_services(config: Mapping[str, Any]) -> list[SupportService]:
    """The configured list, checked; :class:`ConfigError` (naming the file and the entry)
    if it cannot be read or an entry is incomplete."""
    path = Path(config.get("SUPPORT_SERVICES_FILE") or BUILT_IN)
    source = f"SUPPORT_SERVICES_FILE {path}" if config.get("SUPPORT_SERVICES_FILE") else str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{source} cannot be read: {error.strerror}.") from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{source} is not valid JSON (line {error.lineno}, column {error.colno})."
        ) from None
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source} must be a JSON list of at least one support service.")
    return [_entry(n, entry, source) for n, entry in enumerate(raw, start=1)]
