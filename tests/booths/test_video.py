"""One list of video hosts for booths and live sessions: a link that plays on one plays on the
other (a youtube-nocookie link used to be refused on a booth and accepted on a session)."""

# The vendor builders are pytest fixtures imported from test_vendor_views: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from booths.video import VIDEO_HOSTS, validate_video_url, video_embed_url
from events import services as event_services
from tests.booths.test_vendor_views import (  # noqa: F401 - fixtures
    _fresh_cache,
    login,
    make_vendor,
    make_vendor_booth,
    url,
)

NOCOOKIE = "https://www.youtube-nocookie.com/watch?v=dQw4w9WgXcQ"
EMBED = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def test_every_host_of_the_list_can_be_embedded():
    samples = {
        "youtu.be": "https://youtu.be/dQw4w9WgXcQ",
        "player.vimeo.com": "https://player.vimeo.com/video/76979871",
    }
    for host in VIDEO_HOSTS:
        link = samples.get(host) or (
            f"https://{host}/76979871" if "vimeo" in host else f"https://{host}/watch?v=dQw4w9WgXcQ"
        )
        assert video_embed_url(link), link
        validate_video_url(link)


def test_a_youtube_nocookie_link_is_accepted_on_a_booth(
    client, make_vendor, make_vendor_booth, make_expo
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"))
    login(client, vendor.members.get())
    response = client.post(
        url("booth_edit", vendor.slug, booth.expo.slug),
        {"tagline_en": "Changed", "is_active": "on", "video_url": NOCOOKIE},
    )
    assert response.status_code == 302, response.context["form"].errors
    booth.refresh_from_db()
    assert booth.video_url == NOCOOKIE
    page = client.get(reverse("booths:booth", args=[booth.expo.slug, booth.slug]))
    assert f'src="{EMBED}"' in page.content.decode()


def test_a_youtube_nocookie_link_is_accepted_on_a_session(
    make_vendor, make_vendor_booth, make_expo
):
    vendor = make_vendor()
    booth = make_vendor_booth(vendor, make_expo("open"))
    start = max(booth.expo.opens_at, timezone.now()) + timedelta(hours=1)
    session = event_services.session_create(
        booth=booth,
        by=vendor.members.get(),
        title_en="Batik demo",
        title_id="Demo batik",
        description_en="",
        description_id="",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        stream_url=NOCOOKIE,
        replay_url="",
    )
    assert event_services.stream_kind(session.stream_url) == "embed"
    assert video_embed_url(session.stream_url) == EMBED


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("https://evil.example/watch?v=dQw4w9WgXcQ", "video_host"),
        ("https://www.youtube-nocookie.com.evil.example/embed/dQw4w9WgXcQ", "video_host"),
        ("https://www.youtube-nocookie.com/@somechannel", "invalid_video"),
    ],
)
def test_other_links_are_refused_on_a_booth(link, code):
    with pytest.raises(ValidationError) as caught:
        validate_video_url(link)
    assert caught.value.code == code
