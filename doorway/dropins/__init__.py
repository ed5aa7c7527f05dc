"""Drop-in sessions and groups, and who attended."""
