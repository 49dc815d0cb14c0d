"""Scenes (title, workshop, guess round, results, filmstrip) and overlays (help)."""
