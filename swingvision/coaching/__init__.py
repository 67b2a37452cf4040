"""Coach tools on the replay: drawings, notes, drills, exports."""
