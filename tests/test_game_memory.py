"""Caches derived from training state stay bounded however long the game runs (kiosks run weeks)."""

from __future__ import annotations

from test_game_helpers import frames, start_in_workshop


def test_workshop_grid_cache_stays_small_over_a_long_run(tmp_path):
    app, client, clock = start_in_workshop(tmp_path)
    scene = app.stack.top
    seen_steps = set()
    for _ in range(40):
        client.advance(25)  # one new progress grid each time
        frames(app, clock, 3)
        seen_steps.add(app.snapshot.grids[-1].step)
    assert len(seen_steps) > 10, "many progress grids went by"
    assert len(scene.grids._items) <= 4
