"""Admin for the live side: reported messages first (the organisers' moderation queue)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from events import services
from events.models import (
    ChatMessage,
    Inquiry,
    LiveSession,
    Meeting,
    MeetingParticipant,
    MessageReport,
    Mute,
    SessionPin,
    SessionReminder,
)


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "excerpt", "room", "author", "reporter", "reason", "is_deleted")
    list_filter = ("created_at",)
    list_select_related = ("message", "reporter")
    readonly_fields = ("message", "reporter", "reason", "created_at")
    actions = ["delete_messages"]

    @admin.display(description=_("message"))
    def excerpt(self, report: MessageReport) -> str:
        return Truncator(report.message.body).chars(80)

    @admin.display(description=_("room"))
    def room(self, report: MessageReport) -> str:
        return report.message.room

    @admin.display(description=_("author"))
    def author(self, report: MessageReport) -> str:
        return report.message.author_name

    @admin.display(description=_("deleted"), boolean=True)
    def is_deleted(self, report: MessageReport) -> bool:
        return report.message.is_deleted

    @admin.action(description=_("Delete the reported messages on every screen"))
    def delete_messages(self, request: HttpRequest, queryset: QuerySet[MessageReport]) -> None:
        done = 0
        for report in queryset.select_related("message"):
            try:
                services.message_delete(message=report.message, by=request.user)
            except PermissionDenied:
                continue
            done += 1
        self.message_user(request, _("%(n)d messages deleted.") % {"n": done}, messages.SUCCESS)


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "room", "author_name", "author_role", "excerpt", "deleted_at")
    list_filter = ("room_kind", "author_role", "sent_at")
    search_fields = ("body", "author_name")
    readonly_fields = [f.name for f in ChatMessage._meta.fields]

    @admin.display(description=_("message"))
    def excerpt(self, message: ChatMessage) -> str:
        return Truncator(message.body).chars(80)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Rows stay (reports, the audit trail, the live sessions' counts): a moderator hides a
        # message with the reports' action, which goes through events.services.message_delete.
        return False


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ("user", "room_kind", "room_id", "until", "by")
    list_select_related = ("user", "by")


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("booth", "buyer", "created_at", "last_message_at")
    list_select_related = ("booth", "booth__vendor", "buyer")
    raw_id_fields = ("booth", "buyer")


class SessionPinInline(admin.TabularInline):
    model = SessionPin
    extra = 0
    raw_id_fields = ("product",)


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = ("title_en", "booth", "starts_at", "ends_at")
    list_select_related = ("booth", "booth__vendor")
    raw_id_fields = ("booth", "created_by")
    inlines = [SessionPinInline]


@admin.register(SessionReminder)
class SessionReminderAdmin(admin.ModelAdmin):
    list_display = ("session", "user", "created_at", "sent_at")
    list_select_related = ("session", "user")
    raw_id_fields = ("session", "user")


# --- Business matching: to look at, not to change (every step goes through its service, which keeps
# the participant rows, the notifications and the audit log right). ---------------------------------


class MeetingParticipantInline(admin.TabularInline):
    model = MeetingParticipant
    fk_name = "meeting"
    extra = 0
    can_delete = False
    fields = ("user", "side", "invited_by", "is_active")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("id", "starts_at", "vendor", "buyer", "status", "expo")
    list_filter = ("status", "expo")
    list_select_related = ("vendor", "buyer", "expo")
    search_fields = ("vendor__name", "buyer__email", "buyer__name")
    date_hierarchy = "starts_at"
    inlines = [MeetingParticipantInline]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Meeting._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
