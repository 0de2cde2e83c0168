"""The rules of procedure (SPEC.md) as pure functions: no I/O, no clock, no database, no Telegram.

Modules: deadlines (R-D1–R-D4, R-S7, R-K1, R-K2), quorum (R-Q1, R-Q2, R-Q4), voting (R-Q3, R-M2),
elections (R-E1, R-E2, R-K2), constitution (R-K1), composition (R-C1, R-C2), substitutes (R-S1,
R-S2, R-S4, R-S5), agenda (R-M3, R-M4), permissions (R-P3–R-P6); errors holds the exceptions, all
ProcedureError (a ValueError).
"""
