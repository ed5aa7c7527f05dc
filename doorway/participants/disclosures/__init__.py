"""Her disclosure log on her record: a section of her page, the whole log's page, and
the API's list (`doorway.disclosures` keeps the log; this reads it through the access
rule)."""
