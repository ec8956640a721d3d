"""The live side's frame handlers and room kinds, one module per feature (as venueless's
``live/modules``). Importing this package registers them on the one consumer
(:mod:`events.consumer`) and the room registry (:mod:`events.rooms`); ``EventsConfig.ready`` does.

Frame types are plain words on the wire (the browser client speaks them); each module's docstring
lists the ones it answers and sends:

=================  ====================================  ============================================
module             client → server                       room kinds
=================  ====================================  ============================================
``rooms``          ``join``, ``resume``, ``leave``       (every kind)
``chat``           ``message``, ``delete``, ``mute``,    ``booth``
                   ``report``
``sessions``       —                                     ``session`` (chat + ``pinned`` frames)
``inquiries``      ``read``                              ``inquiry``, ``inbox``
``bell``           ``bell_read``                         ``user`` (a person's own: ``bell`` frames)
``call``           ``call.join``, ``call.signal``,       ``meeting`` (a meeting's chat and its video
                   ``call.state``, ``call.leave``        call's signalling)
=================  ====================================  ============================================

``ping`` is the consumer's own. The protocol is described in ``docs/realtime.md``.
"""

from events.handlers import bell, call, chat, inquiries, rooms, sessions

__all__ = ["bell", "call", "chat", "inquiries", "rooms", "sessions"]
