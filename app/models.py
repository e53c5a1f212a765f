"""Every domain's tables, imported so the metadata (Alembic, tests) sees them all."""

from app.accounts import models as accounts_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.bank import models as bank_models  # noqa: F401
from app.db import Base
from app.delivery import models as delivery_models  # noqa: F401
from app.exams import models as exams_models  # noqa: F401
from app.privacy import models as privacy_models  # noqa: F401
from app.proctoring import models as proctoring_models  # noqa: F401
from app.readiness import models as readiness_models  # noqa: F401
from app.scoring import models as scoring_models  # noqa: F401
from app.sync import models as sync_models  # noqa: F401
from app.talentbox import models as talentbox_models  # noqa: F401
from app.throttle import models as throttle_models  # noqa: F401

metadata = Base.metadata
