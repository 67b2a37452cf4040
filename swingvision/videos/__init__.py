"""Uploads, video storage, playback, the JSON API and retention."""
