"""Importing a CRM export: a mapping file (mapping), reading and cleaning (read), building the workbook's
sheets (build), what it produces (result), writing it with an import report (report)."""
