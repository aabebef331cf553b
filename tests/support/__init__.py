"""What the tests share and are not tests themselves: CLI assertions, fixture writers (TACRED, FS-TACRED, ICL,
result files), loopback LLM servers, external answerers run as processes, where the shared datasets are."""
