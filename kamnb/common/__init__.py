"""Helpers every step shares: how tables of workbook text are shown (escaped), human column headers, how spreadsheets are written."""
