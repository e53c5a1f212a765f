"""Item response models as pure numpy (`irt`: 2PL/3PL/GRM, information, EAP) and responses
drawn from them (`simulation`). Scoring (runs, calibration, item fit) and the adaptive engine
both build on them, so they sit below both (docs/architecture.md, "Layers")."""
