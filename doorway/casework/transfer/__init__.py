"""Phase 3's end: the transfer-of-care meeting and the closing note at graduation."""
