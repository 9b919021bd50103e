"""The reference central endpoint: enrols devices, ingests signed events, serves feeds.

Stateless processes over one database (SQLite on one machine, PostgreSQL for a
department or a province): every guarantee — idempotency, one event per chain
position, single use of an enrolment code — is a database constraint or a
database lock, never a lock inside a process, so several servers can share a
database behind a load balancer.
"""

__version__ = "0.1.0"
