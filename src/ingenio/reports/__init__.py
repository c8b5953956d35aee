"""Reports: plans, enterprise KPIs and scenario runs rendered as HTML pages and workbooks."""
