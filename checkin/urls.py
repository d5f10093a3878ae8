"""Where we may send a browser: only to a path on this site.

:func:`safe_next` is the one check behind every ``?next=`` (sign-in, language switch).
Browsers forgive a lot in a ``Location`` header: they drop tabs, CR and LF anywhere,
read ``\\`` as ``/``, take ``https:evil`` as an absolute address and ``//evil`` as another
host. So the rule is narrow on purpose: a single leading ``/``, then printable ASCII
without a backslash, and the same after percent-decoding (twice-encoded tricks too).
Other characters (a Vietnamese path) are percent-encoded rather than refused.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

#: A site path: "/" and then not a second "/" or "\"; printable ASCII only, no "\".
_SITE_PATH = re.compile(r"/(?![/\\])[\x21-\x5b\x5d-\x7e]*\Z")
_ASCII = "".join(chr(c) for c in range(128))


def _is_site_path(url: str) -> bool:
    if not _SITE_PATH.match(url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def safe_next(url: object, fallback: str = "/") -> str:
    """``url`` if it is a path on this site, else ``fallback``.

    >>> safe_next("/events/1?tab=gates")
    '/events/1?tab=gates'
    >>> safe_next("/%09/evil.example")
    '/'
    """
    if not isinstance(url, str) or not url or len(url) > 2048:
        return fallback
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        return fallback  # controls, spaces, invisible marks: nothing a real path needs
    candidate = quote(url, safe=_ASCII)  # only letters outside ASCII get encoded
    if not _is_site_path(candidate):
        return fallback
    # The path decides the host a browser goes to; the query (a search for "Nguyễn Văn",
    # encoded) cannot, so only the path must stay safe once decoded.
    probe = re.split(r"[?#]", candidate, maxsplit=1)[0]
    for _ in range(4):  # %2F%2F, %252F…: every decoded form must be safe too
        if not _is_site_path(probe):
            return fallback
        decoded = quote(unquote(probe), safe=_ASCII)
        if decoded == probe:
            return candidate
        probe = decoded
    return fallback
