"""What the optional talent box adds to core pages and duties, wired where the app is
assembled: `create_app()`, the CLI and the test set-up call `install()`. The core modules
define the hooks (scoring's self-view: the official's released box; privacy's holders: the
talent box's personal data) and never import the talent box (tests/test_layers.py)."""

from app.exams import adaptive_pools
from app.privacy import holders
from app.scoring import parameter_sets, selfview
from app.talentbox import personal_data
from app.talentbox import selfview as talentbox_selfview


def install() -> None:
    """Register the talent box's parts (idempotent)."""
    selfview.register_box_lookup(talentbox_selfview.released_box)
    # Core parts above exams that exams reads: an adaptive pool's calibrated parameters.
    adaptive_pools.register_parameter_lookup(parameter_sets.adaptive_parameters)
    holders.register(personal_data.HOLDER)
