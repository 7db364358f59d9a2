"""What every step shares: how numbers look (formatting), the one HTML-table helper with escaping on
(tables), formula-safe spreadsheets (spreadsheet), results remembered by workbook content (memo),
ranking helpers (ranking), and the characters no text may hold (characters)."""
