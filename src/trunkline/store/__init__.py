"""The call store: SQLAlchemy Core tables, Alembic migrations and the queries every dialect shares."""
