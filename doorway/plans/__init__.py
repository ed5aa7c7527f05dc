"""Phase plans, the service plan agreed with her, goals, steps and reviews."""
