"""Objections (异议): the public's challenge to a list entry or a published disclosure (PRODUCT §6).

``common`` holds what objections and repair applications share (receipt numbers, access codes,
files, the handling steps and four-eyes decisions, deadlines); the repairs package builds on it.
"""
