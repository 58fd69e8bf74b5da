"""HTML views of insights: the dashboard and the reading history."""
