"""The background worker that heals itself: `doorway db_worker` reconnects after a
database outage, holds a lease on the task it runs, and sweeps up the tasks whose
worker died (see `leases`)."""
