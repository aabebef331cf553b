"""Reports regenerated from result files only: the leaderboard, ablation tables and plots."""
