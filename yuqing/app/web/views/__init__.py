"""Route modules, one per area: auth, incidents, dashboard, analysis, admin."""
