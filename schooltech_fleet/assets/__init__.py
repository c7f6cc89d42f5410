"""Assets: what is really there (audit), lifecycle and refresh planning, licence compliance, exports."""
