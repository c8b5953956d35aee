"""Ingenio."""
