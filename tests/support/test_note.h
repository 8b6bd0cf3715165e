/* "note": a small record type used to test the store module the way later
 * modules will use it: a handle changed by calls that run in transaction
 * scopes with undo entries, persisted as a JSON record with a schema.
 *
 * Format svcq.note/2 (current): {"schema":"svcq.note/2","id":"...",
 * "text":"...","count":N}. Format svcq.note/1 (older, still read): "body"
 * instead of "text", no "count" (read as 0). */
#ifndef TEST_NOTE_H
#define TEST_NOTE_H

#include <stdint.h>

#include "svcq.h"

#define NOTE_KIND "note"
#define NOTE_MAJOR 2

typedef struct note {
    svcq_ctx *ctx;
    char *id;
    char *text;
    int64_t count;
    uint64_t revision; /* 0: not stored (never, removed, or rolled back) */
} note;

/* Creates a note and stores it. On failure *out is NULL and nothing was
 * stored. */
int note_new(note **out, svcq_ctx *ctx, const char *id, const char *text);
/* Changes text and count and stores them; on failure n is unchanged. */
int note_set(note *n, const char *text, int64_t count);
/* Removes the note's record; the handle stays (revision 0). */
int note_delete(note *n);
/* Loads a stored note (format 1 or 2). */
int note_load(note **out, svcq_ctx *ctx, const char *id);
void note_free(note *n);
/* "id=text#count@revision" or "id=unstored"; malloc'd. */
char *note_describe(const note *n);
/* Every stored note, as sorted "id=text#count@revision;" lines, read
 * through ctx's store (outside any transaction: the committed state);
 * malloc'd, or NULL with *rc set. */
char *note_dump_store(svcq_ctx *ctx, int *rc);

#endif
