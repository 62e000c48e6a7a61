"""Flags: residents point moderators at a post; moderators resolve them from their queue."""
