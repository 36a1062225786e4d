"""Work on top of the domain: demo data, backups, workbooks and reports. No Qt."""
