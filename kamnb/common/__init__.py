"""Helpers every step shares: how tables of workbook text are shown, how spreadsheets are written."""
