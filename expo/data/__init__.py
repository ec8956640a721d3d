"""Reference and demo data: regions and sectors (CSV) and the demo expo's catalogue."""
