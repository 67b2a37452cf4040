"""Progress pages: each metric over time for a player."""
