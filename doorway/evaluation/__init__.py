"""The evaluation: read-only analysis over the records (outcomes, process and fidelity,
costs, theory of change and contribution story, reports, research export), plus the
evaluation's own inputs (partner survey, interview excerpts, theory of change)."""
