"""Reports: pandas DataFrames of the audit store, exported to files and plotted."""
