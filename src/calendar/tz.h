/* Time zones: the internal representation shared by the TZif reader and the
 * calendar.
 *
 * A zone is one allocation holding local time types, the transition table
 * of the data, and the footer rule expanded over one 400-year cycle (the
 * rule's offsets repeat exactly every 146097 days, so instants after the
 * table are reduced modulo the cycle and never overflow). */
#ifndef SVCQ__TZ_H
#define SVCQ__TZ_H

#include <stdint.h>

#include "core/core.h"
#include "svcq/calendar.h"

typedef struct svcq__tz_type {
    int32_t off;   /* seconds east of UTC */
    uint32_t abbr; /* index of the NUL-terminated abbreviation in chars */
    uint8_t dst;
    uint8_t pad[3];
} svcq__tz_type;

/* Where a zone came from, for exports (the name says the rest). */
enum { SVCQ__TZ_TZIF = 0, SVCQ__TZ_POSIX = 1, SVCQ__TZ_FIXED = 2 };

struct svcq_tz {
    svcq_ctx *ctx;
    size_t size;       /* bytes of this block */
    int32_t kind;      /* SVCQ__TZ_* */
    int32_t fixed_off; /* SVCQ__TZ_FIXED: the offset */
    const char *name;  /* inside the block */
    svcq__tz_type *types;
    uint32_t ntypes;
    uint32_t ntrans;
    int64_t *trans;    /* strictly increasing */
    uint16_t *trans_type;
    int32_t has_rule;  /* after the last transition the cycle table applies */
    uint32_t ncyc;
    int64_t *cyc;      /* rule transitions within [0, SVCQ__CYCLE_SECONDS) */
    uint16_t *cyc_type;
    uint16_t cyc_type0; /* rule type at the start of each cycle */
    uint16_t pad;
    uint32_t nchars;
    char *chars;
};

/* The type in effect at t. */
uint16_t svcq__tz_type_at(const svcq_tz *z, int64_t t);

static inline int32_t svcq__tz_offset_at(const svcq_tz *z, int64_t t)
{
    return z->types[svcq__tz_type_at(z, t)].off;
}

/* Deep copy through ctx. */
int svcq__tz_clone(svcq_ctx *ctx, const svcq_tz *z, svcq_tz **out);

/* Walks the zone's segments of constant offset in time order. Segments
 * with the same offset on both sides of a boundary may occur. Instants
 * handled through a cursor must lie within about +-2^60. */
typedef struct svcq__tz_cursor {
    const svcq_tz *z;
    int64_t start;  /* INT64_MIN when unbounded */
    int64_t end;    /* exclusive; INT64_MAX when unbounded */
    int32_t off;
    int32_t rule;   /* 0: table segments, 1: rule segments */
    uint32_t idx;
    int64_t base;   /* rule: start of the current cycle */
} svcq__tz_cursor;

/* Positions the cursor at the segment containing t. */
void svcq__tz_cursor_init(svcq__tz_cursor *c, const svcq_tz *z, int64_t t);
void svcq__tz_cursor_next(svcq__tz_cursor *c);

/* The earliest instant whose local reading (t + offset) is >= local. The
 * cursor must start at or before that instant (init it at local - 2 days);
 * successive calls must pass non-decreasing local values. */
int64_t svcq__tz_cursor_resolve(svcq__tz_cursor *c, int64_t local);

/* The same for one local value. */
int64_t svcq__tz_resolve(const svcq_tz *z, int64_t local);

/* t as "Fri 2026-01-09T16:30:00+08:00" in z for messages (or "instant N"
 * outside the years 1 to 9999); returns buf. 48 bytes suffice. */
const char *svcq__tz_describe(const svcq_tz *z, int64_t t, char *buf, size_t size);

#endif
