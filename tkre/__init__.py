"""TKRE (Guo et al., IJCAI 2025): LLM knowledge + two-stage MSLM -> SCL pre-training for FSRE."""
