"""Spreadsheet imports: reading hostile files, checking rows, saving through actions."""
