"""Moderation: what ambassadors and admins do to posts, threads and people, and its public log."""
