"""Synthetic deployments for benchmarks and load tests: `doorway synth`.

Several agencies, their programs, staff and a national-sized population of invented
participants with the records the pages would have written for them, reproducible
from a seed. See `doorway.synth.run` for the rules it keeps and the one it refuses to
break: it never writes into a database that holds records it did not make.
"""
