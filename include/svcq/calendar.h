/**
 * @file svcq/calendar.h
 * @brief Time zones (TZif) and business calendars: exact business time.
 *
 * A **time zone** (svcq_tz) maps instants to local wall-clock time. It comes
 * from TZif data (RFC 8536, versions 1 to 4, including the POSIX-TZ footer
 * rule for instants after the last transition of the table): by IANA name
 * from a zoneinfo directory, from bytes the host supplies, from a POSIX TZ
 * string, or as a fixed UTC offset. The library never reads the TZ
 * environment variable, never calls setenv(), tzset() or localtime(), and
 * keeps no process-global state: a zone is an immutable value.
 *
 * A **calendar** (svcq_calendar) is a zone plus weekly opening intervals
 * (several per weekday; an interval may cross midnight) plus dated
 * exceptions (closed all day, special hours on a date, a working day that
 * takes the hours of another weekday — China's adjusted working weekends).
 *
 * ### Local times, DST gaps and overlaps
 * Opening intervals are written in local wall-clock time as seconds from
 * local midnight. A local time T on a date maps to the **earliest instant at
 * which the wall clock shows T or a later time** of that date. Therefore:
 * - in a spring-forward gap (02:00 → 03:00), a time that does not exist
 *   (02:30) maps to the instant of the change (03:00 new time): an interval
 *   09:00–02:30 ends at the change, an interval 02:10–02:50 that lies wholly
 *   in the gap is empty, an interval 02:30–05:00 opens at 03:00;
 * - in a fall-back overlap (02:00 → 01:00), a repeated time maps to its
 *   first occurrence, and the calendar behaves as if the wall clock stood
 *   still at the last second before the change until it shows that time
 *   again: the repeated hour is open exactly when the second just before the
 *   change was open. A 24-hour or overnight shift therefore counts the
 *   25 real hours of that night, an interval 00:00–01:30 closes at the first
 *   01:30, and an interval 01:30–03:00 runs from the first 01:30 to 03:00 of
 *   the new time.
 * Every interval is thus one contiguous span of real time, and business
 * seconds are real elapsed seconds (a 23- or 25-hour day counts what it has).
 *
 * ### Exceptions and midnight
 * An interval belongs to the date on which it starts. An exception on a date
 * replaces the intervals that start on that date; the tail of an overnight
 * interval that started the day before still applies. Where that tail and
 * the date's own hours overlap, the calendar is open when either says so.
 *
 * ### JSON
 * svcq_calendar_export_json() and svcq_calendar_import_json() write and read
 * a calendar as a JSON document with the schema "svcq.calendar/1": the zone
 * (by name, POSIX string or fixed offset), the options, the weekly hours
 * ("09:00"-style local times) and the dated exceptions. docs/format.md
 * (section "calendar") describes it field by field.
 *
 * ### In the store
 * svcq_calendar_save() writes a calendar as the record (kind "calendar",
 * an id of the host's choosing) of the context's store, in that JSON
 * document; svcq_calendar_load() reads it back. The handle remembers the id
 * and the revision it last read or wrote, so a save overwrites only the
 * version it knows (compare-and-swap): two application servers editing the
 * same calendar get SVCQ_ECONFLICT instead of losing an edit. Changes made
 * with the setters stay in memory until the next save.
 *
 * ### Supported range
 * Calendar operations accept and return instants from 1900-01-01T00:00:00Z
 * (-2208988800) up to but excluding 10000-01-01T00:00:00Z (253402300800);
 * see svcq_calendar_range(). An instant outside it, or a result that would
 * fall outside it, gives SVCQ_ERANGE — never a wrong time.
 *
 * ### Threads, contexts and memory
 * One context per thread; zones and calendars belong to the context they
 * were made on, which must outlive them. A zone is immutable after
 * creation; a failing call on it writes its context's message. A calendar
 * is used by one thread at a time, like every handle of the library: its
 * operations fill an internal cache of business intervals lazily (about
 * 8 KB per year queried for a five-day week), so even svcq_calendar_diff()
 * takes a non-const calendar; functions taking a const calendar only read
 * it. To use a calendar in another thread, copy it into that thread's
 * context with svcq_calendar_copy(). Functions given a zone or calendar of
 * another context (svcq_calendar_new(), svcq_calendar_import_json(),
 * svcq_calendar_load(), svcq_calendar_copy()) copy it into their own.
 *
 * ### Business days and readable times
 * svcq_calendar_add_days() adds business days at the same wall-clock time;
 * svcq_tz_format() and svcq_calendar_format() write an instant as ISO 8601
 * with its offset. Every failing calendar call writes a message naming the
 * calendar (its record id, or its zone while unsaved) and the cause.
 */
#ifndef SVCQ_CALENDAR_H
#define SVCQ_CALENDAR_H

#include "common.h"
#include "context.h"
#include "store.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque time zone. Immutable once made. */
typedef struct svcq_tz svcq_tz;

/** Opaque business calendar. */
typedef struct svcq_calendar svcq_calendar;

/** The zoneinfo directory svcq_tz_load() reads when given NULL. */
#define SVCQ_TZ_DEFAULT_DIR "/usr/share/zoneinfo"

/**
 * @brief The zoneinfo directory svcq_tz_load() reads when given NULL.
 * @return the static string SVCQ_TZ_DEFAULT_DIR. Never NULL.
 * @since 0.1
 */
SVCQ_API const char *svcq_tz_default_dir(void);

/**
 * @brief Loads a time zone by IANA name from a zoneinfo directory.
 *
 * Reads `<zoneinfo_dir>/<name>` and parses it as TZif (see
 * svcq_tz_from_tzif()). Nothing global is consulted: not TZ, not TZDIR.
 *
 * @param out          receives the zone, owned by the caller and released
 *                     with svcq_tz_free(); set to NULL on failure.
 * @param ctx          the context whose allocator is used and on which errors
 *                     are reported.
 * @param name         an IANA name such as "Asia/Shanghai": 1 to 255 bytes
 *                     of ASCII letters, digits, '_', '-', '+' and '.' in
 *                     '/'-separated components, none of them "." or "..",
 *                     not starting with '/'. Copied.
 * @param zoneinfo_dir the directory, or NULL for SVCQ_TZ_DEFAULT_DIR.
 *                     Read during the call only.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p out, @p ctx or @p name, or a
 *         malformed name; SVCQ_ENOTFOUND when no zone file of that name
 *         exists (an unknown zone); SVCQ_EIO when the file cannot be read;
 *         SVCQ_ELIMIT for a file over 1 MiB; SVCQ_ECORRUPT, SVCQ_EVERSION as
 *         svcq_tz_from_tzif(); SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_load(svcq_tz **out, svcq_ctx *ctx, const char *name,
                                         const char *zoneinfo_dir);

/**
 * @brief Makes a time zone from TZif bytes supplied by the host.
 *
 * Accepts RFC 8536 data of versions 1 to 4 (and later versions with the
 * version-2 layout). For version 2 and later the 64-bit data and the footer
 * are used; the footer's POSIX TZ string gives local time after the last
 * transition of the table, and before the first transition local time type 0
 * applies. Leap-second records are validated and the transition times of
 * such ("right/") data are converted to svcq_time, which ignores leap
 * seconds. The data is checked completely: counts and sizes, strictly
 * increasing transition times, type indices, UT offsets within
 * [-89999, 93599], NUL-terminated designations, indicator values, the
 * leap-second table, the footer syntax, and that the footer agrees with the
 * last transition.
 *
 * @param out  receives the zone (caller-owned, svcq_tz_free()); NULL on
 *             failure.
 * @param ctx  the context.
 * @param data the TZif bytes; read during the call only (nothing is kept).
 * @param size the number of bytes.
 * @param name the name svcq_tz_name() reports (e.g. "Asia/Shanghai"), or
 *             NULL for ""; UTF-8, copied.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p out or @p ctx, NULL @p data with
 *         a non-zero @p size, or a @p name that is not UTF-8; SVCQ_ECORRUPT
 *         for data that is not valid TZif (truncated, damaged, inconsistent;
 *         the context message says what and where); SVCQ_EVERSION for a
 *         version byte that is neither 0 nor '2' or later; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_from_tzif(svcq_tz **out, svcq_ctx *ctx, const void *data,
                                              size_t size, const char *name);

/**
 * @brief Makes a time zone from a POSIX TZ string such as "CST-8" or
 *        "EST5EDT,M3.2.0,M11.1.0".
 *
 * The syntax is that of a TZif footer (RFC 8536 section 3.3): POSIX with
 * rule times from -167 to 167 hours. A zone with daylight saving time must
 * give its start and end rules. The string is also the zone's name.
 *
 * @param out  receives the zone (caller-owned, svcq_tz_free()); NULL on
 *             failure.
 * @param ctx  the context.
 * @param spec the TZ string, NUL-terminated; read during the call.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_EPARSE for a string
 *         that is not a valid TZ string (the context message says where);
 *         SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_from_posix(svcq_tz **out, svcq_ctx *ctx, const char *spec);

/**
 * @brief Makes a zone with a fixed offset from UTC and no daylight saving.
 *
 * Its name is "UTC" for offset 0 and otherwise "UTC+hh:mm" or "UTC-hh:mm"
 * (with ":ss" when the offset has seconds).
 *
 * @param out            receives the zone (caller-owned, svcq_tz_free());
 *                       NULL on failure.
 * @param ctx            the context.
 * @param offset_seconds seconds east of UTC, in [-86399, 86399].
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or an offset out of range;
 *         SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_fixed(svcq_tz **out, svcq_ctx *ctx, int32_t offset_seconds);

/**
 * @brief Frees a zone. Calendars made from it keep their own copy.
 * @param tz the zone; NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_tz_free(svcq_tz *tz);

/**
 * @brief The zone's name: the IANA name it was loaded by, the name given to
 *        svcq_tz_from_tzif(), the POSIX string, or the fixed-offset name.
 * @param tz the zone; NULL gives "".
 * @return NUL-terminated UTF-8 owned by the zone, valid until it is freed.
 * @since 0.1
 */
SVCQ_API const char *svcq_tz_name(const svcq_tz *tz);

/**
 * @brief Local time type in effect at an instant.
 *
 * Works for every svcq_time: before the first transition of the data local
 * time type 0 applies, after the last one the footer rule (which repeats
 * every 400 years) or, without a rule, the last type.
 *
 * @param utc_offset   receives seconds east of UTC; may be NULL.
 * @param is_dst       receives 1 during daylight saving time, else 0; may
 *                     be NULL.
 * @param abbreviation receives the abbreviation ("CST", "CEST", "+0545"),
 *                     NUL-terminated, owned by the zone and valid until it is
 *                     freed; may be NULL.
 * @param tz           the zone.
 * @param t            the instant.
 * @return SVCQ_OK; SVCQ_EINVAL if @p tz is NULL.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_lookup(int32_t *utc_offset, int32_t *is_dst,
                                           const char **abbreviation, const svcq_tz *tz,
                                           svcq_time t);

/**
 * @brief Converts a local date and time of day to an instant.
 *
 * The result is the earliest instant at which the zone's wall clock shows
 * that date and time or a later one (see "Local times, DST gaps and
 * overlaps" above): a time skipped by a gap gives the instant of the change,
 * a repeated time gives its first occurrence.
 *
 * @param out           receives the instant.
 * @param tz            the zone.
 * @param year          1 to 9999.
 * @param month         1 to 12.
 * @param day           1 to the length of the month.
 * @param second_of_day seconds after local midnight, 0 to 86399.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers or an impossible date or
 *         time.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_local_to_utc(svcq_time *out, const svcq_tz *tz,
                                                 int32_t year, int32_t month, int32_t day,
                                                 int32_t second_of_day);

/**
 * @brief Converts an instant to local date and time of day.
 * @param year          receives the year; may be NULL.
 * @param month         receives the month, 1 to 12; may be NULL.
 * @param day           receives the day of the month; may be NULL.
 * @param second_of_day receives seconds after local midnight; may be NULL.
 * @param tz            the zone.
 * @param t             an instant in the years 1 to 9999 (UTC).
 * @return SVCQ_OK; SVCQ_EINVAL if @p tz is NULL; SVCQ_ERANGE for an instant
 *         whose local date is outside the years 1 to 9999.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_utc_to_local(int32_t *year, int32_t *month, int32_t *day,
                                                 int32_t *second_of_day, const svcq_tz *tz,
                                                 svcq_time t);

/**
 * Flags of svcq_tz_format() and svcq_calendar_format(); combine with `|`.
 * The default (0) writes ISO 8601 / RFC 3339 with the zone's UTC offset:
 * "2026-01-09T16:30:00+08:00".
 */
typedef enum svcq_time_format_flag {
    SVCQ_TIME_FORMAT_DEFAULT = 0,         /**< "2026-01-09T16:30:00+08:00" */
    SVCQ_TIME_FORMAT_NO_SECONDS = 0x1,    /**< "2026-01-09T16:30+08:00" */
    SVCQ_TIME_FORMAT_WEEKDAY = 0x2,       /**< "Fri 2026-01-09T16:30:00+08:00" (English, 3 letters) */
    SVCQ_TIME_FORMAT_UTC_Z = 0x4,         /**< "Z" instead of "+00:00" when the offset is zero */
    SVCQ_TIME_FORMAT_SPACE = 0x8,         /**< a space instead of "T" between date and time */
    SVCQ_TIME_FORMAT_ABBREVIATION = 0x10  /**< the zone's abbreviation after a space: "... CST" */
} svcq_time_format_flag;

/**
 * @brief Writes an instant as a person reads it: the local date and time in
 *        a zone, in ISO 8601 with the UTC offset in effect at that instant.
 *
 * Like snprintf, it writes into the caller's buffer and reports the length
 * the whole text needs, so a binding can ask first (NULL, 0) and call again.
 * The text is ASCII except for the abbreviation (SVCQ_TIME_FORMAT_ABBREVIATION),
 * which is what the zone data says. The offset is "+hh:mm" or "-hh:mm"
 * ("-03:30" in St. John's, "+12:45" on the Chatham Islands), with ":ss" when
 * it has seconds (local mean time in data before 1900 or so). The local
 * time is the zone's wall clock: in a fall-back overlap the same reading
 * appears twice, told apart by the offset. 40 bytes always suffice without
 * SVCQ_TIME_FORMAT_ABBREVIATION.
 *
 * @param buf    receives the text, NUL-terminated, when @p size > 0; when
 *               it is too small, as much as fits (still NUL-terminated).
 *               May be NULL when @p size is 0.
 * @param size   the size of @p buf in bytes.
 * @param needed receives the length of the whole text without the NUL
 *               (also when it did not fit); may be NULL.
 * @param tz     the zone.
 * @param t      the instant; its local date must be in the years 1 to 9999.
 * @param flags  SVCQ_TIME_FORMAT_* values or-ed together.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p tz (no message: there is no
 *         context), a NULL @p buf with a non-zero @p size or unknown flags;
 *         SVCQ_ERANGE for an instant whose local date is outside the years
 *         1 to 9999; SVCQ_ELIMIT when the text does not fit in @p size bytes
 *         (@p needed says how many it takes, plus one for the NUL). Messages
 *         go to the zone's context and name the zone.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_tz_format(char *buf, size_t size, size_t *needed,
                                           const svcq_tz *tz, svcq_time t, uint32_t flags);

/** ISO 8601 weekday numbers used by the calendar functions. */
typedef enum svcq_weekday {
    SVCQ_MONDAY = 1,
    SVCQ_TUESDAY = 2,
    SVCQ_WEDNESDAY = 3,
    SVCQ_THURSDAY = 4,
    SVCQ_FRIDAY = 5,
    SVCQ_SATURDAY = 6,
    SVCQ_SUNDAY = 7
} svcq_weekday;

/** Kinds of dated exceptions, as svcq_calendar_date_at() reports them. */
typedef enum svcq_date_kind {
    SVCQ_DATE_CLOSED = 1, /**< closed all day (a holiday) */
    SVCQ_DATE_HOURS = 2,  /**< its own opening intervals (special hours) */
    SVCQ_DATE_LIKE = 3    /**< the opening intervals of another weekday */
} svcq_date_kind;

/** Most opening intervals one weekday or one date may have. */
#define SVCQ_CALENDAR_MAX_INTERVALS 64
/** Most dated exceptions one calendar may have. */
#define SVCQ_CALENDAR_MAX_DATES 100000

/**
 * Flag for svcq_calendar_options.flags: Request Tracker's convention for
 * svcq_calendar_add(). RT (Business::Hours) returns the instant of the
 * first business second *after* the requested ones, so a deadline that ends
 * exactly at closing moves to the next opening, and a zero duration started
 * outside opening hours gives the next opening. With the flag, the result is
 * svcq_calendar_next_open() of the default result.
 */
#define SVCQ_CALENDAR_RT_NEXT_OPENING 0x1u

/** The options version this header describes. */
#define SVCQ_CALENDAR_OPTIONS_VERSION 1

/**
 * Calendar options. Initialise with SVCQ_CALENDAR_OPTIONS_INIT or
 * svcq_calendar_options_init().
 *
 * Version history: 1 — the fields below (0.1).
 */
typedef struct svcq_calendar_options {
    uint32_t version;     /**< SVCQ_CALENDAR_OPTIONS_VERSION */
    uint32_t flags;       /**< SVCQ_CALENDAR_* flags; unknown bits are refused */
    uint64_t reserved[4]; /**< room for later versions; must be zero */
} svcq_calendar_options;

/** Static initialiser equal to svcq_calendar_options_init(&o, SVCQ_CALENDAR_OPTIONS_VERSION). */
#define SVCQ_CALENDAR_OPTIONS_INIT { SVCQ_CALENDAR_OPTIONS_VERSION, 0, { 0 } }

/**
 * @brief Fills @p opts with the defaults of options version @p version.
 * @param opts    the table to fill; every byte is written.
 * @param version SVCQ_CALENDAR_OPTIONS_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL if @p opts is NULL; SVCQ_EVERSION for a
 *         version 0 or newer than this library knows.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_options_init(svcq_calendar_options *opts,
                                                       uint32_t version);

/**
 * @brief Creates a calendar in a zone, closed on every weekday until
 *        svcq_calendar_set_weekday() opens it.
 * @param out  receives the calendar (caller-owned, svcq_calendar_free());
 *             NULL on failure.
 * @param ctx  the context; it must outlive the calendar.
 * @param tz   the zone; copied, so the caller may free it afterwards.
 * @param opts options, or NULL for the defaults; read during the call.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out, @p ctx or @p tz, unknown
 *         flags or non-zero reserved fields; SVCQ_EVERSION for an unknown
 *         options version; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_new(svcq_calendar **out, svcq_ctx *ctx,
                                              const svcq_tz *tz,
                                              const svcq_calendar_options *opts);

/**
 * @brief Creates the built-in 7×24 calendar: open all the time, in UTC.
 *
 * It is an ordinary calendar (every weekday 00:00–24:00) and may be changed
 * like any other, e.g. to close on a date.
 *
 * @param out receives the calendar (caller-owned, svcq_calendar_free()).
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_new_24x7(svcq_calendar **out, svcq_ctx *ctx);

/**
 * @brief Copies a calendar's zone, hours, exceptions and options (not its
 *        cache, nor its binding to a store record) into a context, e.g. to
 *        give another thread (with its own context) its own handle, or to
 *        keep a calendar in an object of another context.
 *
 * Everything the copy holds is allocated on @p ctx: the copy stays valid
 * when the source calendar, or the whole context it came from, is freed
 * first. @p ctx may be the source's own context.
 *
 * @param out receives the copy (caller-owned, svcq_calendar_free()); NULL
 *            on failure.
 * @param ctx the context the copy belongs to (allocator, messages, store);
 *            it must outlive the copy.
 * @param cal the calendar to copy; not changed. Read during the call only.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments; SVCQ_ENOMEM (reported on
 *         @p ctx).
 * @since 0.1 (the @p ctx parameter since 0.2)
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_copy(svcq_calendar **out, svcq_ctx *ctx,
                                               const svcq_calendar *cal);

/**
 * @brief Frees a calendar.
 * @param cal the calendar; NULL is a no-op.
 * @since 0.1
 */
SVCQ_API void svcq_calendar_free(svcq_calendar *cal);

/**
 * @brief Replaces the calendar's options.
 * @param cal  the calendar.
 * @param opts the options, or NULL for the defaults; read during the call.
 * @return SVCQ_OK; SVCQ_EINVAL, SVCQ_EVERSION as svcq_calendar_new(); on
 *         error the calendar is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_set_options(svcq_calendar *cal,
                                                      const svcq_calendar_options *opts);

/**
 * @brief Sets the opening intervals of one weekday.
 *
 * @p intervals holds @p count pairs (start, end) of seconds after local
 * midnight: 0 <= start < 86400 and start < end <= start + 86400. An end past
 * 86400 crosses midnight: 22:00–06:00 is {79200, 108000}. The pairs may come
 * in any order; they must not overlap (touching is fine), and the whole week
 * must not overlap either, so an overnight interval may not run into the next
 * day's hours. @p count 0 closes the weekday.
 *
 * @param cal       the calendar.
 * @param weekday   SVCQ_MONDAY (1) to SVCQ_SUNDAY (7).
 * @param intervals 2 × @p count values, read during the call; may be NULL
 *                  when @p count is 0.
 * @param count     number of intervals, at most SVCQ_CALENDAR_MAX_INTERVALS.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p cal, a bad weekday, a reversed,
 *         empty, too long or out-of-day interval, or overlapping intervals
 *         (the context message names them); SVCQ_ELIMIT for too many
 *         intervals; SVCQ_ENOMEM. On error the calendar is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_set_weekday(svcq_calendar *cal, int32_t weekday,
                                                      const int32_t *intervals, size_t count);

/**
 * @brief Gives a date its own opening intervals (special hours, or hours on
 *        a day that is normally closed), replacing any exception on it.
 *
 * @p intervals follow the rules of svcq_calendar_set_weekday() within the
 * list; @p count 0 closes the date, as svcq_calendar_set_closed().
 *
 * @param cal       the calendar.
 * @param year      1900 to 9999.
 * @param month     1 to 12.
 * @param day       1 to the length of the month.
 * @param intervals 2 × @p count values, read during the call.
 * @param count     at most SVCQ_CALENDAR_MAX_INTERVALS.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p cal, an impossible date or bad
 *         intervals; SVCQ_ELIMIT for too many intervals or more than
 *         SVCQ_CALENDAR_MAX_DATES exceptions; SVCQ_ENOMEM. On error the
 *         calendar is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_set_date_hours(svcq_calendar *cal, int32_t year,
                                                         int32_t month, int32_t day,
                                                         const int32_t *intervals, size_t count);

/**
 * @brief Closes a date all day (a holiday), replacing any exception on it.
 * @return as svcq_calendar_set_date_hours().
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_set_closed(svcq_calendar *cal, int32_t year,
                                                     int32_t month, int32_t day);

/**
 * @brief Makes a date work with the hours of a weekday — a working day moved
 *        onto a weekend (调休) works "like a Monday" — replacing any
 *        exception on it. The weekday's hours are looked up when the
 *        calendar is used, so later changes to that weekday apply.
 * @param weekday SVCQ_MONDAY (1) to SVCQ_SUNDAY (7).
 * @return as svcq_calendar_set_date_hours(); SVCQ_EINVAL for a bad weekday.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_set_date_like(svcq_calendar *cal, int32_t year,
                                                        int32_t month, int32_t day,
                                                        int32_t weekday);

/**
 * @brief Removes the exception on a date, so its weekday's hours apply.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p cal or an impossible date;
 *         SVCQ_ENOTFOUND when the date has no exception.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_clear_date(svcq_calendar *cal, int32_t year,
                                                     int32_t month, int32_t day);

/**
 * @brief The calendar's zone.
 * @param cal the calendar; NULL gives NULL.
 * @return a zone owned by the calendar, valid until it is freed.
 * @since 0.1
 */
SVCQ_API const svcq_tz *svcq_calendar_tz(const svcq_calendar *cal);

/**
 * @brief The calendar's options.
 * @param out receives a copy of the options (version 1 layout).
 * @param cal the calendar.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_get_options(svcq_calendar_options *out,
                                                      const svcq_calendar *cal);

/**
 * @brief The opening intervals of a weekday.
 * @param intervals receives 2 × @p count values (start, end pairs, sorted),
 *                  owned by the calendar and valid until it changes or is
 *                  freed; NULL when @p count is 0.
 * @param count     receives the number of intervals.
 * @param cal       the calendar.
 * @param weekday   SVCQ_MONDAY (1) to SVCQ_SUNDAY (7).
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers or a bad weekday.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_get_weekday(const int32_t **intervals, size_t *count,
                                                      const svcq_calendar *cal, int32_t weekday);

/**
 * @brief The number of dated exceptions.
 * @param cal the calendar.
 * @return the count; 0 for a NULL @p cal.
 * @since 0.1
 */
SVCQ_API size_t svcq_calendar_date_count(const svcq_calendar *cal);

/**
 * @brief One dated exception, in date order.
 * @param year      receives the year.
 * @param month     receives the month.
 * @param day       receives the day.
 * @param kind      receives a svcq_date_kind value.
 * @param weekday   receives the weekday of a SVCQ_DATE_LIKE date, else 0.
 * @param intervals receives the intervals of a SVCQ_DATE_HOURS date (owned by
 *                  the calendar, valid until it changes or is freed), else
 *                  NULL.
 * @param count     receives the number of those intervals, else 0.
 * @param cal       the calendar.
 * @param index     0 to svcq_calendar_date_count() - 1.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers; SVCQ_ERANGE for an index
 *         past the end.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_date_at(int32_t *year, int32_t *month, int32_t *day,
                                                  int32_t *kind, int32_t *weekday,
                                                  const int32_t **intervals, size_t *count,
                                                  const svcq_calendar *cal, size_t index);

/**
 * @brief The range of instants calendar operations support.
 * @param min receives -2208988800 (1900-01-01T00:00:00Z); may be NULL.
 * @param max receives 253402300800 (10000-01-01T00:00:00Z), the first
 *            instant past the range; may be NULL.
 * @since 0.1
 */
SVCQ_API void svcq_calendar_range(svcq_time *min, svcq_time *max);

/**
 * @brief Adds business time: the deadline @p seconds business seconds after
 *        @p start.
 *
 * The result is the earliest instant T >= @p start such that the business
 * seconds in [@p start, T) number @p seconds. So:
 * - a start outside opening hours counts from the next opening;
 * - a duration that ends exactly at a closing returns the closing instant,
 *   not the next opening (unless SVCQ_CALENDAR_RT_NEXT_OPENING is set);
 * - zero returns @p start itself (with the RT flag: the next opening);
 * - the cost does not grow with the duration: a year of business time is as
 *   cheap as a minute once the cache holds those years.
 *
 * @param out     receives the deadline; unchanged on failure.
 * @param cal     the calendar (its cache may grow, see the file comment).
 * @param start   the instant the clock starts, within svcq_calendar_range().
 * @param seconds business seconds to add, >= 0.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers or negative @p seconds;
 *         SVCQ_ERANGE when @p start is outside the supported range or the
 *         deadline would be past it (including a calendar that never opens
 *         again); SVCQ_ENOMEM when the cache cannot grow.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_add(svcq_time *out, svcq_calendar *cal,
                                              svcq_time start, int64_t seconds);

/**
 * @brief Adds business days: the deadline @p days business days after
 *        @p start, at the same wall-clock time.
 *
 * Definitions (see also docs/calendar.md, "Business days"):
 * - A **business day** is a local date whose own opening intervals (those
 *   that start on it: its weekday's hours, or its dated exception's) hold at
 *   least one business second. A holiday is not one, an adjusted working
 *   Saturday is, and a date whose only interval lies wholly in a DST gap is
 *   not.
 * - The **anchor** is @p start when the calendar is open at @p start, else
 *   the next opening (svcq_calendar_next_open()). It belongs to the business
 *   day whose interval holds it (for the tail of an overnight interval, the
 *   date the interval started on; where such a tail and a date's own hours
 *   overlap, that date), and its **wall-clock time** is the calendar's
 *   reading at the anchor counted from that day's midnight (so 02:00 in the
 *   tail of Monday's 22:00–06:00 shift is Monday 26:00). In a fall-back
 *   overlap the reading is the one the calendar uses (the clock stands
 *   still, see above).
 * - The result is that wall-clock time on the @p days-th business day after
 *   the anchor's (as svcq_tz_local_to_utc() maps a local time), kept within
 *   that day's business time: if the calendar is not open there by that
 *   day's own intervals, the result is the first opening of that day when
 *   the time is before it, else the end of that day's business time before
 *   the time (its closing, or the start of a lunch break). It is never
 *   earlier than the anchor.
 *
 * So, Monday to Friday 09:00–18:00: Monday 09:00 + 1 = Tuesday 09:00;
 * Monday 16:30 + 2 = Wednesday 16:30; Friday 17:00 + 1 = Monday 17:00;
 * Friday 18:00 (closed: the anchor is Monday 09:00) + 1 = Tuesday 09:00;
 * Saturday 10:00 + 1 = Tuesday 09:00; Monday 07:00 + 1 = Tuesday 09:00. With
 * Tuesday a holiday, Monday 10:00 + 1 = Wednesday 10:00. Where Friday closes
 * at 15:00, Thursday 16:00 + 1 = Friday 15:00.
 *
 * The business time elapsed, svcq_calendar_diff(start, result), is what an
 * SLA counts as "N business days"; svcq_calendar_add(start, that) returns
 * the earliest instant with that much business time, which is the result
 * itself unless the result is an opening after closed time (Tuesday 09:00
 * above), where it is the closing before (Monday 18:00). Zero days gives the
 * anchor. The cost grows with the dated exceptions and DST changes between
 * start and result, not with @p days: whole weeks are counted, not walked.
 * SVCQ_CALENDAR_RT_NEXT_OPENING does not apply.
 *
 * @param out   receives the result; unchanged on failure.
 * @param cal   the calendar (its cache may grow).
 * @param start the instant counting starts from, within svcq_calendar_range().
 * @param days  business days to add, >= 0.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers or negative @p days;
 *         SVCQ_ERANGE when @p start is outside the range, the calendar never
 *         opens after @p start or has fewer business days left, or the
 *         result would be past the range (the message names the calendar,
 *         by record id or zone, and the start); SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_add_days(svcq_time *out, svcq_calendar *cal,
                                                   svcq_time start, int32_t days);

/**
 * @brief Business seconds between two instants.
 *
 * Counts the business seconds of the half-open interval [@p a, @p b), to
 * the second; negative (minus the count of [@p b, @p a)) when @p b < @p a.
 * For an instant E at which business time has just elapsed (the second
 * before E is a business second) and S <= E,
 * svcq_calendar_add(S, svcq_calendar_diff(S, E)) returns E.
 *
 * @param out receives the count; unchanged on failure.
 * @param cal the calendar.
 * @param a   start, within svcq_calendar_range().
 * @param b   end, within svcq_calendar_range().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers; SVCQ_ERANGE for an
 *         instant outside the range; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_diff(int64_t *out, svcq_calendar *cal, svcq_time a,
                                               svcq_time b);

/**
 * @brief Whether the calendar is open at an instant (the second starting at
 *        @p t is a business second). Intervals are half-open: open at their
 *        opening instant, closed at their closing instant.
 * @param out receives 1 when open, 0 when closed.
 * @param cal the calendar.
 * @param t   an instant within svcq_calendar_range().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers; SVCQ_ERANGE; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_is_open(int32_t *out, svcq_calendar *cal, svcq_time t);

/**
 * @brief The next opening: the earliest instant at or after @p t at which
 *        the calendar is open (@p t itself when it is open at @p t).
 * @param out receives the instant.
 * @param cal the calendar.
 * @param t   an instant within svcq_calendar_range().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers; SVCQ_ENOTFOUND when the
 *         calendar never opens again; SVCQ_ERANGE for @p t outside the range
 *         or an opening past it; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_next_open(svcq_time *out, svcq_calendar *cal,
                                                    svcq_time t);

/**
 * @brief The next closing: the earliest instant at or after @p t at which
 *        the calendar is closed (@p t itself when it is closed at @p t), so
 *        svcq_calendar_next_close(svcq_calendar_next_open(t)) is the end of
 *        the next open period. Adjacent intervals (an overnight shift that
 *        runs into the next day's hours, 7×24) form one period.
 * @param out receives the instant.
 * @param cal the calendar.
 * @param t   an instant within svcq_calendar_range().
 * @return SVCQ_OK; SVCQ_EINVAL for NULL pointers; SVCQ_ENOTFOUND when the
 *         calendar never closes again (7×24); SVCQ_ERANGE for @p t outside
 *         the range or a closing past it; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_next_close(svcq_time *out, svcq_calendar *cal,
                                                     svcq_time t);

/**
 * @brief Writes an instant in the calendar's zone: svcq_tz_format() with
 *        svcq_calendar_tz(@p cal).
 * @param buf    as svcq_tz_format().
 * @param size   as svcq_tz_format().
 * @param needed as svcq_tz_format().
 * @param cal    the calendar; not changed.
 * @param t      the instant.
 * @param flags  SVCQ_TIME_FORMAT_* values.
 * @return as svcq_tz_format(); SVCQ_EINVAL for a NULL @p cal.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_format(char *buf, size_t size, size_t *needed,
                                                 const svcq_calendar *cal, svcq_time t,
                                                 uint32_t flags);

/** Flag for svcq_calendar_export_json(): indented output (two spaces). */
#define SVCQ_CALENDAR_JSON_PRETTY 0x1u

/**
 * @brief Writes the calendar as a JSON document (schema "svcq.calendar/1",
 *        described in docs/format.md).
 *
 * The output is deterministic: fields in a fixed order, weekdays Monday
 * first, exceptions in date order, times as "HH:MM" (or "HH:MM:SS"), ends
 * past midnight as "30:00". A zone made from TZif data is written by its
 * name, so svcq_calendar_import_json() can load it again (from the zoneinfo
 * directory, or from a zone the host passes).
 *
 * @param cal    the calendar; not changed.
 * @param writer where the text goes; read during the call.
 * @param flags  0 or SVCQ_CALENDAR_JSON_PRETTY.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or unknown flags;
 *         SVCQ_ESTATE when the zone is TZif data without a name (nothing
 *         would identify it), before anything is written; SVCQ_ENOMEM; or
 *         what the writer's callback returned (SVCQ_EIO for a file,
 *         SVCQ_EABORTED), in which case part of the text may have been
 *         written.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_export_json(const svcq_calendar *cal,
                                                      const svcq_writer *writer, uint32_t flags);

/**
 * @brief Makes a calendar from a JSON document (schema "svcq.calendar/1",
 *        see docs/format.md).
 *
 * Unknown top-level and exception fields are ignored (newer writers may add
 * some); every known field is checked as the setters check it. A zone given
 * by name is taken from @p zone when @p zone has that name (hosts without a
 * zoneinfo directory load their zones from bytes and pass them here), else
 * loaded from @p zoneinfo_dir.
 *
 * @param out          receives the calendar (caller-owned,
 *                     svcq_calendar_free()); NULL on failure.
 * @param ctx          the context.
 * @param json         the document, UTF-8; need not be NUL-terminated.
 * @param size         its length in bytes.
 * @param zoneinfo_dir the directory for svcq_tz_load(), or NULL for the
 *                     default.
 * @param zone         a zone to use when its name matches, or NULL; copied.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL @p out or @p ctx, NULL @p json with
 *         a non-zero size, or values the setters refuse (overlapping
 *         intervals, an impossible date); SVCQ_EPARSE for text that is not
 *         JSON (the context message gives line and column) or a zone POSIX
 *         string that does not parse; SVCQ_ECORRUPT for JSON that is not a
 *         calendar document (a missing or mistyped field, an unknown weekday,
 *         a malformed time or date); SVCQ_EVERSION for a newer schema
 *         version; SVCQ_ENOTFOUND for an unknown zone name; SVCQ_ELIMIT for
 *         too many intervals or exceptions, or a document beyond the parser's
 *         limits; SVCQ_EIO, SVCQ_ECORRUPT from loading the zone file;
 *         SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_import_json(svcq_calendar **out, svcq_ctx *ctx,
                                                      const char *json, size_t size,
                                                      const char *zoneinfo_dir,
                                                      const svcq_tz *zone);

/**
 * @brief Saves the calendar as the record (kind "calendar", @p id) of the
 *        context's store, in one store transaction (or the open batch).
 *
 * Under the id the calendar is bound to (by an earlier save or by
 * svcq_calendar_load()) the record is overwritten if its revision is still
 * the one the handle holds. Under another id (or the first time) the record
 * is created, must not exist yet, and the calendar is bound to it. The
 * handle's id and revision change only on success.
 *
 * @param cal the calendar.
 * @param id  the record id: 1 to SVCQ_STORE_MAX_ID bytes of UTF-8 without
 *            control characters; copied.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a malformed id;
 *         SVCQ_ESTATE when the zone is unnamed TZif data (see
 *         svcq_calendar_export_json()) or the batch was aborted;
 *         SVCQ_ECONFLICT when the record changed since this handle read or
 *         wrote it, or (new id) already exists; SVCQ_ENOMEM; a store error
 *         (SVCQ_ESTORE, SVCQ_EIO, ...; see svcq/store.h). On failure nothing
 *         is stored and the handle is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_save(svcq_calendar *cal, const char *id);

/**
 * @brief Loads the calendar stored under @p id.
 *
 * The zone is resolved as in svcq_calendar_import_json(). The new calendar
 * is bound to the record (svcq_calendar_id(), svcq_calendar_revision()).
 *
 * @param out          receives the calendar (caller-owned,
 *                     svcq_calendar_free()); NULL on failure.
 * @param ctx          the context whose store is read.
 * @param id           the record id; read during the call.
 * @param zoneinfo_dir the directory for zones given by name, or NULL for
 *                     the default.
 * @param zone         a zone to use when its name matches, or NULL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a malformed id;
 *         SVCQ_ENOTFOUND when there is no such record, or its zone name is
 *         unknown here (the message says which); SVCQ_ECORRUPT for a record
 *         that does not decode into a valid calendar; SVCQ_EVERSION for a
 *         record of a newer format; SVCQ_ENOMEM; a store error.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_load(svcq_calendar **out, svcq_ctx *ctx, const char *id,
                                               const char *zoneinfo_dir, const svcq_tz *zone);

/**
 * @brief Deletes the calendar's record from the store (compare-and-swap on
 *        the revision the handle holds) and unbinds the handle, which stays
 *        usable.
 * @param cal the calendar.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE when the calendar is
 *         not bound to a record; SVCQ_ECONFLICT when the record changed
 *         since; SVCQ_ENOTFOUND when it is already gone; a store error. On
 *         failure the handle is unchanged.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_calendar_delete(svcq_calendar *cal);

/**
 * @brief The id of the record the calendar is bound to.
 * @param cal the calendar.
 * @return a string owned by the calendar, valid until it is saved under
 *         another id, deleted or freed; NULL when unbound (never saved nor
 *         loaded, deleted, a copy, or a NULL @p cal).
 * @since 0.1
 */
SVCQ_API const char *svcq_calendar_id(const svcq_calendar *cal);

/**
 * @brief The revision of the calendar's record as last read or written.
 * @param cal the calendar.
 * @return the revision; 0 when unbound or @p cal is NULL.
 * @since 0.1
 */
SVCQ_API uint64_t svcq_calendar_revision(const svcq_calendar *cal);

#ifdef __cplusplus
}
#endif

#endif
