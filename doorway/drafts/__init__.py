"""Drafts: what a worker has typed into a long form, saved on the server as she types,
encrypted like the note itself, so that an idle sign-out never loses her words."""
