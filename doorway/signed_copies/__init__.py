"""A signed copy of a consent: the scan of the form she signed, attached to the consent
it records, encrypted at rest and checked for viruses with ClamAV when it is installed."""
