"""Membership over time (R-S6), one module per branch: leaving, stepping up, naming, a mayor's
change of party; `common` holds what they share."""
