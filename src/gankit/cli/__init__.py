"""gankit.cli."""
