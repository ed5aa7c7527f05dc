"""Outreach in the pre-phase: contacts with women not yet enrolled, their summary, and
linking them to her record once she consents."""
