"""Use cases: domain rules + database + ports. One module per area."""
