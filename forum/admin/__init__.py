"""The admin area: the area tree, expert units, people's roles, suspensions, and its audit log."""
