"""Subjects: the organisations, persons and vehicles that records are about."""
