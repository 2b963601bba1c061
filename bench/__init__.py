"""The bench (`make bench`): speed, size and capacity figures, printed as one table."""
