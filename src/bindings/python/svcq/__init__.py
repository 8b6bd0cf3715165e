"""libsvcq for Python: service-quality engine (SLA clocks on business
calendars, tiers, root-cause analyses, scorecards, incidents, metrics) over
ctypes.

Standard library only. The shared library is found through the SVCQ_LIBRARY
environment variable, then ctypes.util.find_library('svcq'). One Python
module per C module: svcq.context, svcq.store, svcq.calendar, svcq.sla,
svcq.tier, svcq.analysis, svcq.scorecard, svcq.incident, svcq.metrics,
svcq.blueprint; the
names below are re-exported.
docs/python.md is the guide.
"""

from ._lib import CONSTANTS, K as constant, LIBRARY_PATH, table_size
from .errors import (AbortedError, BusyError, ConflictError, CorruptError, ExistsError,
                     InvalidArgumentError, LimitError, NotFoundError, OutOfMemoryError, ParseError,
                     RangeError, StateError, StoreError, SvcqError, SvcqIOError, VersionError)
from .context import Context, LogLevel, version, version_number
from .store import Durability, FileStore, Store, Term, TermType, limits as store_limits
from .calendar import (Calendar, DateKind, TimeFormat, Tz, Weekday, default_zoneinfo_dir,
                       supported_range)
from .sla import (ChangeMode, Clock, Event, Notice, NoticeKind, Policy, Replay, Scheduler, State,
                  Status, TargetSpec, TierLevel, Unit, default_calendar)
from . import analysis, blueprint, incident, metrics, scorecard, tier
from .tier import (Assigner, Assignment, Client, TierDistribution, TierProfiles, TierResult,
                   TierScheme)
from .analysis import Analysis
from .scorecard import Period, Ranking, Template as ScorecardTemplate
from .incident import Incident
from .metrics import Fact, Metrics
from .blueprint import Blueprint, Overlay as BlueprintOverlay

__version__ = '0.2.0'
