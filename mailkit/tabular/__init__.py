"""CSV / Excel import and export of the inventory."""
