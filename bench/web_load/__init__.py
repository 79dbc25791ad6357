"""Web workers behind a round-robin balancer under 50 officers (issue 15)."""
