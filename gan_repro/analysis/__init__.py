"""Studies that combine data, models and metrics; notebooks call these and display the results."""
