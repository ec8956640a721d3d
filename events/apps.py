from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Live events and chat")

    def ready(self) -> None:
        # Registers the live side's frame handlers on the one websocket consumer, and its room
        # kinds (booth, session, inquiry, inbox, user) on the room registry.
        from events import handlers  # noqa: F401

        # The live sessions beside a booth's page.
        from expo import places

        places.register("booth_aside", "events/_booth_live.html")
        # A vendor's inbox and live sessions among the workspace's tabs; a buyer's questions to
        # makers in the user menu.
        places.register("vendor_tabs", "events/vendor/_nav.html", order=25)
        places.register("user_menu", "events/_user_menu.html")
        # The bell in the header, after the cart; and what rings it from the apps below and
        # beside (payments never imports the live side, nor the live side payments).
        places.register("header_actions", "events/_bell.html", order=20)
        # Business matching: "Book a meeting" beside a booth, the buyer's meetings in the menu, the
        # vendor's "Meetings" tab and the organisers' "Business matching" tab.
        places.register("booth_aside", "events/matching/_booth_meet.html", order=110)
        places.register("user_menu", "events/matching/_user_menu.html", order=110)
        places.register("vendor_tabs", "events/matching/vendor/_nav.html", order=42)
        places.register("organiser_tabs", "events/matching/_organiser_tab.html", order=45)
        # Where a request for quotation came from (a private question, a meeting), checked for
        # the quotation pages, and their "Request a quotation" links in these pages.
        from booths import hooks
        from events import quote_sources

        hooks.register_quote_source("inquiry", quote_sources.inquiry_is_theirs)
        hooks.register_quote_source("meeting", quote_sources.meeting_is_theirs)
        # The organisers' stored matchmaking suggestions hear of the buyers', booths', products'
        # and vendors' changes.
        from events.matching import suggestion_signals

        suggestion_signals.connect()
        from events.bell import sources
        from expo.signals import happened

        happened.connect(sources.on_happened, dispatch_uid="events.bell")
        # Live sessions' chatters are visitors of the session's booth (the conversion): for the
        # visit rollups' rebuild; and an account deleted leaves its sessions' chatters.
        from django.db.models.signals import post_delete

        from booths.services.visit_rollups import register_reach_source
        from events import chat_counting
        from events.chat_counts import SessionChatter

        register_reach_source("events.chatters", chat_counting.chatters_reached)
        post_delete.connect(
            chat_counting.chatter_deleted,
            sender=SessionChatter,
            dispatch_uid="events.chat_counting.chatter_deleted",
        )
