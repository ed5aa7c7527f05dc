"""The CTI rhythm: what is due for whom, computed in the background."""
