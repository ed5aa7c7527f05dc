"""Spreadsheet exports: the rows of a page she may see, as CSV or XLSX, audited."""
