"""Finalist profiles: photo, bio, integrity story, publication; and the hall of fame."""
