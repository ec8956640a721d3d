"""The bell: notifications in the header of every page, per person, live over the tab's one
socket.

============  ==================================================================================
module        what
============  ==================================================================================
``texts``     what a notification says, in the reader's language (from its kind and params)
``services``  ring (make or bring up to date), read one, read all, settle; frames after commit
``selectors`` the unread count (one query), the latest, a person's list, the ``bell`` frame
``sources``   what rings it and whose: orders, transfers, applications (through
              ``expo.signals.happened``), inquiries and session reminders, banners
``views``     the notifications page (``/notifications/``), read one, read all
============  ==================================================================================

The room kind ``user:<id>`` and the ``bell_read`` frame are :mod:`events.handlers.bell`'s; the
header's count is the ``{% unread_notifications %}`` tag (:mod:`events.templatetags.bell`), the
bell's template ``events/_bell.html`` fills the base's ``header_actions`` place and
``frontend/js/bell.js`` keeps it live. The protocol is in ``docs/realtime.md``.
"""
