"""GitHub Actions semantics shared by the model and the rules: expressions, contexts, matrices,
runner labels, trigger scenarios, action refs and cron schedules."""
