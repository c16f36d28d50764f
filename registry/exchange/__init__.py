"""Data exchange: imports of officers' spreadsheets, the change feed's consumers, monthly batches."""
