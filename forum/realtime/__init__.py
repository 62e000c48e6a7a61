"""Real time: streams of numbered events, catch-up, sockets, and sending after the commit.

- ``events``: every event name and the shape of its data (the one registry);
- ``streams``: ``publish()`` for services; numbering and logging as the transaction commits;
- ``dispatch``: sending after the commit (the only module that emits), failures logged;
- ``catchup``: who may read a stream, and what a client missed since a seq;
- ``access``: sockets that lose a right leave their streams (or close) on commit;
- ``connections``: this worker's sockets, and presence;
- ``message_queue``, ``presence``: several workers sharing events, revocations and presence
  through Redis (SOCKETIO_MESSAGE_QUEUE);
- ``sockets``: connect, join, leave;
- ``fastpath``: the eventlet broadcast fast path (imported only by run.py, under eventlet).
"""
