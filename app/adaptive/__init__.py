"""The adaptive engine (issue 21), plain functions with no database, split as catsim does:

- `pool`: the section's items as arrays (parameters, themes) and their Fisher information;
- `rules`: a section's adaptive settings (lengths, stopping SE, content shares, exposure
  control) and whether a pool can meet them;
- `estimation`: θ and SE after each answer, by scoring's EAP (`app.psychometrics.irt.eap_exact`);
- `selection`: the next item, by maximum information with content balancing and exposure
  control (randomesque top-k or Sympson–Hetter);
- `stopping`: when the section ends;
- `engine`: a taker's state, one step at a time, and the replay that reproduces a sequence
  from its seed and answers;
- `exposure`: Sympson–Hetter parameters by simulation, and exposure rates.

Every random choice comes from `app.kit.seeded` keyed by (seed, step), so the same seed and
answers give the same items on any machine. Formulas: docs/scoring.md.
"""
