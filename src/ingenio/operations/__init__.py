"""What really happened: actuals, KPIs and plan comparisons. Pure: no IO, no DB."""
