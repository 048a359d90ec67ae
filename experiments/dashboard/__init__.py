"""``ccsim dashboard``: a local web page (Solara) where trainers replay calls and planners
try what-ifs.

The three views are built on plain modules that know nothing of the page, so that each
can be tested and timed without a browser: :mod:`.replay` (one call under two
strategies on the same draws), :mod:`.comparison` (``ccsim compare`` in the background,
with progress and cancel) and :mod:`.floor` (a small center, a day at a time). The page
itself is :mod:`.app` (its live charts drawn by :mod:`.svg`), served by :mod:`.server`;
only these two import Solara.
"""
