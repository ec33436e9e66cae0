"""Operations surface: `/healthz` for the load balancer and `/metrics` for Prometheus.

Neither is behind the admin login (a monitor has no account) and neither tells anything personal:
counts, a latency histogram and version numbers only, never a question, a pseudonym or an error text.
"""
