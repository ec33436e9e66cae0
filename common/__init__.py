"""Small helpers below every domain package (faq, analytics, audit, handoff, notices, bot):
CSV as Excel reads and writes it, Japan time, LINE's text length. No Flask, no LINE SDK here."""
