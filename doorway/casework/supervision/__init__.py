"""Team supervision and caseload review: sessions, and the decisions taken about each
woman reviewed."""
