"""What kiosk mode draws over the game: attract mode, "Are you still there?", the recovery
message and the operator's PIN pad. They are painted on top of whatever scene is showing, after
it, so the game's own scenes can come and go underneath without knowing about them."""
