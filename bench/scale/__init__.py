"""PostgreSQL at 10 M posts: bulk load, dashboard queries, evaluate, purge, size (issue 15)."""
