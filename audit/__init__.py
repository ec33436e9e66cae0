"""The audit trail: what staff did (logins, accounts, FAQ and synonym edits, judgements,
downloads), by whom, from where. Never a resident's personal data, never a password."""
