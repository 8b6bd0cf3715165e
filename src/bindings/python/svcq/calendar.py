"""Time zones and business calendars (svcq/calendar.h), datetime in and out."""

import ctypes
import datetime as _dt
from ctypes import byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

from . import _lib
from ._lib import HANDLE, P, proto

CalendarOptions = _lib.mirror('svcq_calendar_options', 1, [
    ('version', c_uint32), ('flags', c_uint32), ('reserved', c_uint64 * 4)])

_tz_default_dir = proto('svcq_tz_default_dir', c_char_p)
_tz_load = proto('svcq_tz_load', c_int, P(HANDLE), HANDLE, c_char_p, c_char_p)
_tz_from_tzif = proto('svcq_tz_from_tzif', c_int, P(HANDLE), HANDLE, c_void_p, c_size_t, c_char_p)
_tz_from_posix = proto('svcq_tz_from_posix', c_int, P(HANDLE), HANDLE, c_char_p)
_tz_fixed = proto('svcq_tz_fixed', c_int, P(HANDLE), HANDLE, c_int32)
_tz_free = proto('svcq_tz_free', None, HANDLE)
_tz_name = proto('svcq_tz_name', c_char_p, HANDLE)
_tz_lookup = proto('svcq_tz_lookup', c_int, P(c_int32), P(c_int32), P(c_char_p), HANDLE, c_int64)
_tz_local_to_utc = proto('svcq_tz_local_to_utc', c_int, P(c_int64), HANDLE, c_int32, c_int32, c_int32, c_int32)
_tz_utc_to_local = proto('svcq_tz_utc_to_local', c_int, P(c_int32), P(c_int32), P(c_int32), P(c_int32),
                         HANDLE, c_int64)
_tz_format = proto('svcq_tz_format', c_int, c_char_p, c_size_t, P(c_size_t), HANDLE, c_int64, c_uint32)

_options_init = proto('svcq_calendar_options_init', c_int, P(CalendarOptions), c_uint32)
_new = proto('svcq_calendar_new', c_int, P(HANDLE), HANDLE, HANDLE, P(CalendarOptions))
_new_24x7 = proto('svcq_calendar_new_24x7', c_int, P(HANDLE), HANDLE)
_copy = proto('svcq_calendar_copy', c_int, P(HANDLE), HANDLE, HANDLE)
_free = proto('svcq_calendar_free', None, HANDLE)
_set_options = proto('svcq_calendar_set_options', c_int, HANDLE, P(CalendarOptions))
_get_options = proto('svcq_calendar_get_options', c_int, P(CalendarOptions), HANDLE)
_set_weekday = proto('svcq_calendar_set_weekday', c_int, HANDLE, c_int32, P(c_int32), c_size_t)
_set_date_hours = proto('svcq_calendar_set_date_hours', c_int, HANDLE, c_int32, c_int32, c_int32,
                        P(c_int32), c_size_t)
_set_closed = proto('svcq_calendar_set_closed', c_int, HANDLE, c_int32, c_int32, c_int32)
_set_date_like = proto('svcq_calendar_set_date_like', c_int, HANDLE, c_int32, c_int32, c_int32, c_int32)
_clear_date = proto('svcq_calendar_clear_date', c_int, HANDLE, c_int32, c_int32, c_int32)
_cal_tz = proto('svcq_calendar_tz', HANDLE, HANDLE)
_get_weekday = proto('svcq_calendar_get_weekday', c_int, P(P(c_int32)), P(c_size_t), HANDLE, c_int32)
_date_count = proto('svcq_calendar_date_count', c_size_t, HANDLE)
_date_at = proto('svcq_calendar_date_at', c_int, P(c_int32), P(c_int32), P(c_int32), P(c_int32), P(c_int32),
                 P(P(c_int32)), P(c_size_t), HANDLE, c_size_t)
_range = proto('svcq_calendar_range', None, P(c_int64), P(c_int64))
_add = proto('svcq_calendar_add', c_int, P(c_int64), HANDLE, c_int64, c_int64)
_add_days = proto('svcq_calendar_add_days', c_int, P(c_int64), HANDLE, c_int64, c_int32)
_diff = proto('svcq_calendar_diff', c_int, P(c_int64), HANDLE, c_int64, c_int64)
_is_open = proto('svcq_calendar_is_open', c_int, P(c_int32), HANDLE, c_int64)
_next_open = proto('svcq_calendar_next_open', c_int, P(c_int64), HANDLE, c_int64)
_next_close = proto('svcq_calendar_next_close', c_int, P(c_int64), HANDLE, c_int64)
_format = proto('svcq_calendar_format', c_int, c_char_p, c_size_t, P(c_size_t), HANDLE, c_int64, c_uint32)
_export_json = proto('svcq_calendar_export_json', c_int, HANDLE, c_void_p, c_uint32)
_import_json = proto('svcq_calendar_import_json', c_int, P(HANDLE), HANDLE, c_char_p, c_size_t, c_char_p, HANDLE)
_save = proto('svcq_calendar_save', c_int, HANDLE, c_char_p)
_load = proto('svcq_calendar_load', c_int, P(HANDLE), HANDLE, c_char_p, c_char_p, HANDLE)
_delete = proto('svcq_calendar_delete', c_int, HANDLE)
_id = proto('svcq_calendar_id', c_char_p, HANDLE)
_revision = proto('svcq_calendar_revision', c_uint64, HANDLE)

Weekday = _lib.enum_from_constants('Weekday', 'SVCQ_', ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY',
                                                        'FRIDAY', 'SATURDAY', 'SUNDAY'])
DateKind = _lib.enum_from_constants('DateKind', 'SVCQ_DATE_', ['CLOSED', 'HOURS', 'LIKE'])
TimeFormat = _lib.enum_from_constants('TimeFormat', 'SVCQ_TIME_FORMAT_',
                                      ['DEFAULT', 'NO_SECONDS', 'WEEKDAY', 'UTC_Z', 'SPACE', 'ABBREVIATION'])


def default_zoneinfo_dir():
    return _tz_default_dir().decode()


def supported_range():
    """(first, last) instants calendars accept, aware datetimes (svcq_calendar_range)."""
    lo, hi = c_int64(), c_int64()
    _range(byref(lo), byref(hi))
    return _lib.from_time(lo.value), _lib.EPOCH + _dt.timedelta(seconds=hi.value - 1)


def _flags(flags):
    if isinstance(flags, (list, tuple, set)):
        v = 0
        for f in flags:
            v |= _lib.enum_value(TimeFormat, f)
        return v
    return int(flags)


def _ymd(d, what='date'):
    if isinstance(d, _dt.datetime) or not isinstance(d, _dt.date):
        raise TypeError('%s must be a datetime.date, not %s' % (what, type(d).__name__))
    return d.year, d.month, d.day


class Tz(_lib.Handle):
    """A time zone read by the library (TZif, POSIX TZ or a fixed offset)."""
    _free_fn = staticmethod(_tz_free)

    @classmethod
    def _make(cls, ctx, fn, *args):
        out = HANDLE()
        _lib.call(ctx, fn, byref(out), ctx._p, *args)
        return cls(ctx, out.value)

    @classmethod
    def load(cls, ctx, name, zoneinfo_dir=None):
        """An IANA zone ('Asia/Shanghai') from the zoneinfo directory (default /usr/share/zoneinfo)."""
        return cls._make(ctx, _tz_load, _lib.enc(name), _lib.enc(zoneinfo_dir))

    @classmethod
    def from_zoneinfo(cls, ctx, zone, zoneinfo_dir=None):
        """The zone of a zoneinfo.ZoneInfo (by its key)."""
        key = getattr(zone, 'key', None)
        if not key:
            raise TypeError('from_zoneinfo wants a zoneinfo.ZoneInfo with a key, not %r' % (zone,))
        return cls.load(ctx, key, zoneinfo_dir)

    @classmethod
    def from_tzif(cls, ctx, data, name=None):
        data = bytes(data)
        return cls._make(ctx, _tz_from_tzif, data, len(data), _lib.enc(name))

    @classmethod
    def from_posix(cls, ctx, spec):
        return cls._make(ctx, _tz_from_posix, _lib.enc(spec))

    @classmethod
    def fixed(cls, ctx, offset):
        """A fixed UTC offset (timedelta or seconds)."""
        return cls._make(ctx, _tz_fixed, _lib.to_seconds(offset, 'offset'))

    @property
    def name(self):
        return _lib.dec(_tz_name(self._p))

    @property
    def tzinfo(self):
        """A Python tzinfo for this zone: zoneinfo.ZoneInfo(name) when the system
        knows the name, else None (times then come out in UTC)."""
        try:
            import zoneinfo
            return zoneinfo.ZoneInfo(self.name)
        except Exception:   # noqa: B902 -- no tzdata, or a POSIX/fixed name
            return None

    def lookup(self, when):
        """(utc offset as timedelta, is_dst, abbreviation) at an instant."""
        off, dst, abbr = c_int32(), c_int32(), c_char_p()
        _lib.call(self._ctx, _tz_lookup, byref(off), byref(dst), byref(abbr), self._p, _lib.to_time(when))
        return _dt.timedelta(seconds=off.value), bool(dst.value), _lib.dec(abbr.value)

    def to_utc(self, local):
        """A local wall time (a *naive* datetime: year, month, day, hour, minute,
        second in this zone) -> the aware UTC instant, as svcq_tz_local_to_utc."""
        if not isinstance(local, _dt.datetime) or local.tzinfo is not None:
            raise TypeError('to_utc wants a naive datetime of local wall time')
        out = c_int64()
        sod = local.hour * 3600 + local.minute * 60 + local.second
        _lib.call(self._ctx, _tz_local_to_utc, byref(out), self._p, local.year, local.month, local.day, sod)
        return _lib.from_time(out.value)

    def to_local(self, when):
        """An instant -> the naive local wall time in this zone."""
        y, m, d, s = c_int32(), c_int32(), c_int32(), c_int32()
        _lib.call(self._ctx, _tz_utc_to_local, byref(y), byref(m), byref(d), byref(s), self._p,
                  _lib.to_time(when))
        return _dt.datetime(y.value, m.value, d.value) + _dt.timedelta(seconds=s.value)

    def format(self, when, flags=0):
        """ISO 8601 with the offset ('2026-01-09T16:30:00+08:00'); flags: TimeFormat members."""
        return _lib.text_call(self._ctx, _tz_format, self._p, _lib.to_time(when), _flags(flags))


def _intervals(pairs, what):
    """[(start, end)] of datetime.time, timedelta or int seconds -> int32 array."""
    flat = []
    for pair in pairs:
        start, end = pair
        s = _sod(start, what)
        e = _sod(end, what)
        if isinstance(end, _dt.time) and e <= s:
            e += 86400                   # 22:00-06:00 crosses midnight
        flat += [s, e]
    arr = (c_int32 * max(len(flat), 1))(*flat)
    return arr, len(flat) // 2


def _sod(v, what):
    if isinstance(v, _dt.time):
        if v.tzinfo is not None:
            raise TypeError('%s: opening hours are local wall times, give naive datetime.time' % what)
        return v.hour * 3600 + v.minute * 60 + v.second
    return _lib.to_seconds(v, what)


def _pairs(ptr, count):
    return [(_dt.timedelta(seconds=ptr[2 * i]), _dt.timedelta(seconds=ptr[2 * i + 1])) for i in range(count)]


class Calendar(_lib.Handle):
    """A business calendar: weekly hours, holidays, working-day swaps, a zone.

    ``Calendar(ctx, tz)`` starts closed every day; `tz` is a svcq.Tz, a
    zoneinfo.ZoneInfo or an IANA name. Instants go in and out as aware
    datetimes (in the calendar's zone when Python knows it), business
    durations as timedelta.
    """
    _free_fn = staticmethod(_free)

    def __init__(self, ctx, tz, next_opening=False, _ptr=None, _owned=True):
        if _ptr is None:
            own = None
            if not isinstance(tz, Tz):
                own = Tz.load(ctx, tz) if isinstance(tz, str) else Tz.from_zoneinfo(ctx, tz)
                tz = own
            try:
                opts = self._options(ctx, next_opening)
                out = HANDLE()
                _lib.call(ctx, _new, byref(out), ctx._p, tz._p, byref(opts))
                _ptr = out.value
            finally:
                if own is not None:
                    own.close()
        super().__init__(ctx, _ptr, owned=_owned)
        self._tzinfo = None

    @staticmethod
    def _options(ctx, next_opening):
        opts = CalendarOptions()
        _lib.call(ctx, _options_init, byref(opts), CalendarOptions.VERSION)
        if next_opening:
            opts.flags |= _lib.K('SVCQ_CALENDAR_RT_NEXT_OPENING')
        return opts

    @classmethod
    def always_open(cls, ctx):
        """The built-in 7x24 calendar, in UTC."""
        out = HANDLE()
        _lib.call(ctx, _new_24x7, byref(out), ctx._p)
        return cls(ctx, None, _ptr=out.value)

    def copy(self, ctx=None):
        """A copy in `ctx` (default: this calendar's context)."""
        ctx = ctx or self._ctx
        out = HANDLE()
        _lib.call(ctx, _copy, byref(out), ctx._p, self._p)
        return Calendar(ctx, None, _ptr=out.value)

    # -- zone
    @property
    def tz_name(self):
        return _lib.dec(_tz_name(_cal_tz(self._p)))

    @property
    def tzinfo(self):
        if self._tzinfo is None:
            try:
                import zoneinfo
                self._tzinfo = zoneinfo.ZoneInfo(self.tz_name)
            except Exception:   # noqa: B902
                self._tzinfo = _lib.UTC
        return self._tzinfo

    def _out(self, t):
        return _lib.from_time(t, self.tzinfo)

    # -- hours and exceptions
    def set_next_opening(self, on=True):
        """SVCQ_CALENDAR_RT_NEXT_OPENING: a deadline at a closing moves to the next opening."""
        _lib.call(self._ctx, _set_options, self._p, byref(self._options(self._ctx, on)))

    @property
    def next_opening(self):
        opts = CalendarOptions()
        _lib.call(self._ctx, _get_options, byref(opts), self._p)
        return bool(opts.flags & _lib.K('SVCQ_CALENDAR_RT_NEXT_OPENING'))

    def set_weekday(self, weekday, intervals):
        """Opening hours of a weekday: [(time(9), time(12)), (time(13), time(18))]; [] closes it."""
        arr, n = _intervals(intervals, 'weekday hours')
        _lib.call(self._ctx, _set_weekday, self._p, _lib.enum_value(Weekday, weekday), arr, n)

    def set_weekdays(self, weekdays, intervals):
        for w in weekdays:
            self.set_weekday(w, intervals)

    def weekday(self, weekday):
        """The hours of a weekday: [(timedelta start, timedelta end)] after local midnight."""
        ptr, n = P(c_int32)(), c_size_t()
        _lib.call(self._ctx, _get_weekday, byref(ptr), byref(n), self._p, _lib.enum_value(Weekday, weekday))
        return _pairs(ptr, n.value)

    def set_date_hours(self, date, intervals):
        arr, n = _intervals(intervals, 'date hours')
        _lib.call(self._ctx, _set_date_hours, self._p, *_ymd(date), arr, n)

    def set_closed(self, date):
        """A holiday: closed all day."""
        _lib.call(self._ctx, _set_closed, self._p, *_ymd(date))

    def set_date_like(self, date, weekday):
        """A swapped working day: `date` works with `weekday`'s hours (调休)."""
        _lib.call(self._ctx, _set_date_like, self._p, *_ymd(date), _lib.enum_value(Weekday, weekday))

    def clear_date(self, date):
        _lib.call(self._ctx, _clear_date, self._p, *_ymd(date))

    def dates(self):
        """Every dated exception: [(date, DateKind, Weekday or None, [(start, end)])], by date."""
        out = []
        y, m, d, k, w = (c_int32() for _ in range(5))
        ptr, n = P(c_int32)(), c_size_t()
        for i in range(_date_count(self._p)):
            _lib.call(self._ctx, _date_at, byref(y), byref(m), byref(d), byref(k), byref(w), byref(ptr),
                      byref(n), self._p, i)
            kind = _lib.enum_out(DateKind, k.value)
            out.append((_dt.date(y.value, m.value, d.value), kind,
                        _lib.enum_out(Weekday, w.value) if kind == DateKind.LIKE else None,
                        _pairs(ptr, n.value)))
        return out

    # -- business time
    def add(self, start, duration):
        """The deadline `duration` (timedelta) of business time after `start`."""
        out = c_int64()
        _lib.call(self._ctx, _add, byref(out), self._p, _lib.to_time(start, 'start'),
                  _lib.to_seconds(duration))
        return self._out(out.value)

    def add_days(self, start, days):
        """`days` business days after `start`, at the same wall-clock time."""
        out = c_int64()
        _lib.call(self._ctx, _add_days, byref(out), self._p, _lib.to_time(start, 'start'), days)
        return self._out(out.value)

    def diff(self, a, b):
        """Business time between two instants, a timedelta (negative when b < a)."""
        out = c_int64()
        _lib.call(self._ctx, _diff, byref(out), self._p, _lib.to_time(a, 'a'), _lib.to_time(b, 'b'))
        return _dt.timedelta(seconds=out.value)

    def is_open(self, when):
        out = c_int32()
        _lib.call(self._ctx, _is_open, byref(out), self._p, _lib.to_time(when))
        return bool(out.value)

    def next_open(self, when):
        out = c_int64()
        _lib.call(self._ctx, _next_open, byref(out), self._p, _lib.to_time(when))
        return self._out(out.value)

    def next_close(self, when):
        out = c_int64()
        _lib.call(self._ctx, _next_close, byref(out), self._p, _lib.to_time(when))
        return self._out(out.value)

    def format(self, when, flags=0):
        """An instant in the calendar's zone, ISO 8601 with the offset (svcq_calendar_format)."""
        return _lib.text_call(self._ctx, _format, self._p, _lib.to_time(when), _flags(flags))

    # -- JSON and the store
    def export_json(self, pretty=False, sink=None):
        flags = _lib.K('SVCQ_CALENDAR_JSON_PRETTY') if pretty else 0
        return _lib.export(self._ctx, _export_json, self._p, flags, sink=sink, writer_pos=1)

    @classmethod
    def import_json(cls, ctx, text, zoneinfo_dir=None, zone=None):
        data = _lib.enc(text)
        out = HANDLE()
        _lib.call(ctx, _import_json, byref(out), ctx._p, data, len(data), _lib.enc(zoneinfo_dir),
                  zone._p if zone is not None else None)
        return cls(ctx, None, _ptr=out.value)

    def save(self, id=None):
        """Publishes the calendar under record `id` (default: the id it was
        loaded or saved under), compare-and-swap on its revision."""
        _lib.call(self._ctx, _save, self._p, _lib.enc(id if id is not None else self.id))

    @classmethod
    def load(cls, ctx, id, zoneinfo_dir=None, zone=None):
        out = HANDLE()
        _lib.call(ctx, _load, byref(out), ctx._p, _lib.enc(id), _lib.enc(zoneinfo_dir),
                  zone._p if zone is not None else None)
        return cls(ctx, None, _ptr=out.value)

    def delete(self):
        _lib.call(self._ctx, _delete, self._p)

    @property
    def id(self):
        return _lib.dec(_id(self._p))

    @property
    def revision(self):
        return _revision(self._p)
