"""Videos from YouTube and Vimeo: the one list of hosts, the player URL a page embeds, and the
check a booth's video link must pass.

Booths and live sessions (``events``) both embed through :func:`video_embed_url`, so a link that
plays on one plays on the other.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
YOUTUBE_SHORT_HOSTS = frozenset({"youtu.be"})
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
VIDEO_HOSTS = YOUTUBE_HOSTS | YOUTUBE_SHORT_HOSTS | VIMEO_HOSTS

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{3,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")
# Path prefixes of YouTube pages that name one video: /embed/<id>, /shorts/<id>, /live/<id>, /v/<id>.
_YOUTUBE_VIDEO_PATHS = frozenset({"embed", "shorts", "live", "v"})


def _youtube_id(host: str, parts: list[str], query: str) -> str:
    if host in YOUTUBE_SHORT_HOSTS:
        return parts[0] if parts else ""
    if parts[:1] == ["watch"]:
        return (parse_qs(query).get("v") or [""])[0]
    if len(parts) >= 2 and parts[0] in _YOUTUBE_VIDEO_PATHS:
        return parts[1]
    return ""


def _vimeo_embed(host: str, parts: list[str], query: str) -> str:
    if host == "player.vimeo.com":
        parts = parts[1:] if parts[:1] == ["video"] else []
    # vimeo.com/123, vimeo.com/123/abcdef (unlisted), vimeo.com/channels/x/123
    numeric = [i for i, p in enumerate(parts) if _VIMEO_ID.match(p)]
    if not numeric:
        return ""
    video_id = parts[numeric[0]]
    query_hash = (parse_qs(query).get("h") or [""])[0]
    following = parts[numeric[0] + 1] if len(parts) > numeric[0] + 1 else ""
    private_hash = following if _VIMEO_HASH.match(following) else query_hash
    embed = f"https://player.vimeo.com/video/{video_id}"
    if private_hash and _VIMEO_HASH.match(private_hash):
        embed += f"?h={private_hash}"
    return embed


def video_embed_url(url: str | None) -> str:
    """The player URL of a YouTube or Vimeo video page, or ``""`` for anything else."""
    if not url:
        return ""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return ""
    if parsed.scheme not in {"http", "https"}:
        return ""
    host = (parsed.hostname or "").lower()
    parts = [p for p in parsed.path.split("/") if p]
    if host in VIMEO_HOSTS:
        return _vimeo_embed(host, parts, parsed.query)
    if host not in YOUTUBE_HOSTS | YOUTUBE_SHORT_HOSTS:
        return ""
    video_id = _youtube_id(host, parts, parsed.query)
    if not _YOUTUBE_ID.match(video_id):
        return ""
    return f"https://www.youtube-nocookie.com/embed/{video_id}"


def validate_video_url(url: str | None) -> None:
    """A booth's video: empty, or the page of one YouTube or Vimeo video (one that
    :func:`video_embed_url` can play). Raises a ValidationError with a message for the vendor."""
    url = (url or "").strip()
    if not url:
        return
    try:
        host = (urlparse(url).hostname or "").lower()
    except ValueError:
        host = ""
    if host not in VIDEO_HOSTS:
        raise ValidationError(
            _("Only YouTube and Vimeo videos can be embedded."), code="video_host"
        )
    if not video_embed_url(url):
        raise ValidationError(
            _(
                "This link is not a single video. Open the video on YouTube or Vimeo "
                "and copy the address from there."
            ),
            code="invalid_video",
        )
