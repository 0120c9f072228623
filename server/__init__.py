"""Apuri: the coordinator for a municipal digital-support network."""
