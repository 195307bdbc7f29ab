"""What both live fetchers share about retrying HTTP: reading ``Retry-After`` and redacting secrets.

Why: OpenRouter and the Hub both answer 429 with ``Retry-After`` (seconds or an HTTP date,
RFC 9110 §10.2.3), and both fetchers must keep a key out of any message they raise or log.
"""

from __future__ import annotations

import datetime as dt
import email.utils


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def redact(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` blanked out (secrets shorter than 4 characters are not searched)."""
    return text.replace(secret, "<redacted>") if secret and len(secret) >= 4 else text
