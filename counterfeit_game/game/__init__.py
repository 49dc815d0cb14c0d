"""The pygame game: a counterfeiter's workshop against the police desk. Never imports TensorFlow."""
