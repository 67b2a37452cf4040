"""SwingVision Coach: a coach analytics dashboard for golf swings."""
