"""Storage: SQLAlchemy models, engines, migrations. SQLite by default, PostgreSQL in production."""
