/* The internal JSON codec (RFC 8259): a strict DOM reader and a streaming
 * writer. Storage records, exports and the FFI layer read and write JSON
 * through it. Nothing here is exported.
 *
 * Reader
 * ------
 * sq_json_parse() reads a whole text in one pass into a document whose
 * nodes, keys and strings live in a block arena allocated through the
 * context (a handful of allocations per document, none per node). Every
 * node pointer is borrowed from the document and stays valid until
 * sq_json_doc_free().
 *
 * What it accepts, exactly RFC 8259 and nothing more:
 * - exactly one value, optionally surrounded by whitespace (space, tab, LF,
 *   CR only), then the end of the input. Empty input is an error.
 * - no comments, no trailing commas, no single quotes, no NaN/Infinity, no
 *   leading zeros ("01"), no leading '+', no ".5" or "5.", no control
 *   character (< 0x20) unescaped inside a string.
 * - the input must be valid UTF-8 (no overlong forms, no encoded
 *   surrogates, nothing above U+10FFFF). Escapes must be \" \\ \/ \b \f \n
 *   \r \t or \uXXXX; a \u escape of a surrogate must be a high surrogate
 *   immediately followed by a \u low surrogate; a lone one is refused.
 *   \u0000 is accepted: strings carry their length and may contain NULs.
 * - a byte order mark (EF BB BF) is refused like any other stray byte:
 *   records and exports never carry one (RFC 8259 section 8.1 forbids
 *   writing it).
 * - an object with two members of the same key (compared byte for byte
 *   after unescaping) is refused with SVCQ_EPARSE: for stored records a
 *   duplicate key is ambiguous and a sign of tampering or a bug.
 *
 * Numbers: a literal with no fraction and no exponent that fits int64_t is
 * an exact SQ_JSON_INT ("-0" is the integer 0). Every other number is an
 * SQ_JSON_DOUBLE, correctly rounded ("-0.0" keeps its sign; "1e-400"
 * underflows to 0.0). A number whose magnitude is too large for a double
 * ("1e400") is refused with SVCQ_ERANGE. Parsing never depends on the
 * process locale.
 *
 * Errors: a syntax error returns SVCQ_EPARSE and sets the context message
 * to "line L, column C: what", both 1-based; lines are counted by LF and
 * the column in bytes from the start of the line. Exceeding a limit returns
 * SVCQ_ELIMIT (same message shape), allocation failure SVCQ_ENOMEM.
 *
 * Writer
 * ------
 * sq_jw writes one JSON value as a stream of calls, either appending to an
 * sq_buf or through a svcq_writer sink (in chunks of SQ_JW_CHUNK bytes).
 * The first error is sticky: later calls do nothing and return it, and
 * sq_jw_finish() returns it. Output is compact by default or indented with
 * two spaces (sq_jw_set_pretty). Strings are escaped minimally: '"', '\\'
 * and control characters (\b \f \n \r \t, others as \u00XX), plus U+2028
 * and U+2029 as \u2028 and \u2029 so the output is also valid JavaScript;
 * everything else is written as UTF-8. The writer does not check object
 * keys for duplicates: callers must not write one key twice.
 *
 * Threads: a document may be read from several threads at once; a writer
 * and a parse use their context, one thread at a time.
 */
#ifndef SQ_JSON_H
#define SQ_JSON_H

#include "core/buf.h"
#include "core/core.h"
#include "svcq/writer.h"

/* ---- reader ---------------------------------------------------------- */

typedef enum sq_json_type {
    SQ_JSON_NULL = 0,
    SQ_JSON_FALSE = 1,
    SQ_JSON_TRUE = 2,
    SQ_JSON_INT = 3,    /* an integer literal that fits int64_t */
    SQ_JSON_DOUBLE = 4, /* any other number */
    SQ_JSON_STRING = 5,
    SQ_JSON_ARRAY = 6,
    SQ_JSON_OBJECT = 7
} sq_json_type;

/* A value inside a document (opaque; borrowed from its document). */
typedef struct sq_json sq_json;
/* A parsed document: owns every node, key and string it holds. */
typedef struct sq_json_doc sq_json_doc;

/* Hard limits of one parse. Zero in a field means "the default". */
typedef struct sq_json_limits {
    size_t max_depth;  /* nested arrays/objects; the top-level one is depth 1 */
    size_t max_size;   /* bytes of input */
    size_t max_string; /* bytes of one string or key after unescaping */
    size_t max_number; /* bytes of one number literal */
} sq_json_limits;

#define SQ_JSON_DEFAULT_MAX_DEPTH 64
#define SQ_JSON_DEFAULT_MAX_SIZE ((size_t)64 << 20)
#define SQ_JSON_DEFAULT_MAX_STRING ((size_t)16 << 20)
#define SQ_JSON_DEFAULT_MAX_NUMBER 512

/* Parses len bytes at text (no NUL needed; text may be NULL when len is 0).
 * limits: NULL (or zero fields) for the defaults above.
 * On success *out receives a document the caller frees with
 * sq_json_doc_free(). Returns SVCQ_OK; SVCQ_EINVAL for a NULL ctx or out
 * (or NULL text with len > 0); SVCQ_EPARSE for a syntax or encoding error;
 * SVCQ_ERANGE for a number too large for a double; SVCQ_ELIMIT when a
 * limit is exceeded; SVCQ_ENOMEM. On failure *out is set to NULL and the
 * context message says what and where (except for SVCQ_EINVAL without a
 * ctx; for SVCQ_ENOMEM it is just "out of memory"). */
int sq_json_parse(svcq_ctx *ctx, const char *text, size_t len, const sq_json_limits *limits,
                  sq_json_doc **out);

/* Frees a document and everything borrowed from it; NULL is a no-op. */
void sq_json_doc_free(sq_json_doc *doc);

/* The top-level value; never NULL for a parsed document (NULL for NULL). */
const sq_json *sq_json_root(const sq_json_doc *doc);

/* The type of v; SQ_JSON_NULL for a NULL pointer. */
sq_json_type sq_json_typeof(const sq_json *v);

/* A short English name for messages: "null", "a boolean", "an integer",
 * "a number", "a string", "an array", "an object". */
const char *sq_json_type_name(sq_json_type type);

/* Scalars. Each returns false (leaving *out untouched) when v is NULL or of
 * another type.
 * - as_int: an SQ_JSON_INT, or an SQ_JSON_DOUBLE holding an integral value
 *   in [-2^63, 2^63) (such as 1e3), which converts exactly.
 * - as_double: an SQ_JSON_DOUBLE, or an SQ_JSON_INT (converted; integers
 *   above 2^53 in magnitude round to the nearest double).
 * - as_bool: SQ_JSON_TRUE or SQ_JSON_FALSE. */
bool sq_json_as_int(const sq_json *v, int64_t *out);
bool sq_json_as_double(const sq_json *v, double *out);
bool sq_json_as_bool(const sq_json *v, bool *out);

/* A string's bytes, NUL-terminated (the string itself may contain NULs, so
 * use *len when it matters; len may be NULL). NULL when v is not a string.
 * Borrowed from the document. */
const char *sq_json_as_string(const sq_json *v, size_t *len);

/* Arrays: number of elements (0 when v is not an array) and element i
 * (NULL when out of range or v is not an array). */
size_t sq_json_array_size(const sq_json *v);
const sq_json *sq_json_array_get(const sq_json *v, size_t i);

/* Objects: number of members (0 when v is not an object) and member i in
 * document order: returns its value and stores its key (NUL-terminated,
 * may contain NULs) and key length; NULL when out of range or v is not an
 * object (key and keylen untouched then; either may be NULL). */
size_t sq_json_object_size(const sq_json *v);
const sq_json *sq_json_object_member(const sq_json *v, size_t i, const char **key, size_t *keylen);

/* The value of member key (NUL-terminated, or keylen bytes for getn), or
 * NULL when v is not an object or has no such member. Objects with more
 * than a few members are indexed by a hash table built during the parse,
 * so lookups do not scan. */
const sq_json *sq_json_get(const sq_json *v, const char *key);
const sq_json *sq_json_getn(const sq_json *v, const char *key, size_t keylen);

/* Structural equality: same types (an INT never equals a DOUBLE), integers
 * equal, doubles bit-identical, strings byte-equal, arrays element-wise,
 * objects with the same key set and equal values whatever the order. Two
 * NULL pointers are equal. */
bool sq_json_equal(const sq_json *a, const sq_json *b);

/* Record decoding: read member key of object obj, reporting problems on
 * ctx with a message naming the field ("field \"id\": missing",
 * "field \"id\": expected an integer, found a string").
 * - Absent (or null) and not required: SVCQ_OK, outputs untouched, so set
 *   the default before the call.
 * - Absent (or null) but required, or of the wrong type, or obj not an
 *   object: SVCQ_ECORRUPT (a record that does not decode is damaged data).
 * - get_int takes what sq_json_as_int takes; get_double what
 *   sq_json_as_double takes.
 * - get_string: *out is borrowed from the document. When len is NULL the
 *   caller wants a C string, so a string holding a NUL byte is refused with
 *   SVCQ_ECORRUPT.
 * - get_array / get_object: *out is the node, borrowed from the document. */
int sq_json_get_int(svcq_ctx *ctx, const sq_json *obj, const char *key, bool required, int64_t *out);
int sq_json_get_double(svcq_ctx *ctx, const sq_json *obj, const char *key, bool required, double *out);
int sq_json_get_bool(svcq_ctx *ctx, const sq_json *obj, const char *key, bool required, bool *out);
int sq_json_get_string(svcq_ctx *ctx, const sq_json *obj, const char *key, bool required, const char **out,
                       size_t *len);
int sq_json_get_array(svcq_ctx *ctx, const sq_json *obj, const char *key, bool required, const sq_json **out);
int sq_json_get_object(svcq_ctx *ctx, const sq_json *obj, const char *key, bool required,
                       const sq_json **out);

/* ---- writer ---------------------------------------------------------- */

/* Deepest nesting the writer produces; equal to the reader's default limit
 * so that everything written can be read back with default limits. */
#define SQ_JW_MAX_DEPTH SQ_JSON_DEFAULT_MAX_DEPTH
/* Bytes collected before each call of a svcq_writer sink. */
#define SQ_JW_CHUNK 4096

/* Writer state; lives wherever the caller puts it (usually the stack).
 * Fields are private to json.c. */
typedef struct sq_jw {
    svcq_ctx *ctx;
    sq_buf *out;          /* buffer mode: appended to */
    size_t out_start;     /* buffer mode: out->len at init, restored on error */
    svcq_writer sink;     /* sink mode */
    bool to_sink;
    bool pretty;
    bool started;         /* a byte was produced */
    bool done;            /* the top-level value is complete */
    bool want_key;        /* inside an object, a key is expected next */
    int err;              /* first error, sticky */
    uint32_t depth;
    uint8_t kind[SQ_JW_MAX_DEPTH + 1];     /* '[' or '{' at each level */
    uint8_t nonempty[SQ_JW_MAX_DEPTH + 1]; /* the level has an element */
    size_t chunk_len;
    char chunk[SQ_JW_CHUNK];
} sq_jw;

/* Starts a writer appending to out (which keeps its current content). If
 * the writer fails, sq_jw_finish() truncates out back to the length it had
 * here, so a failed write leaves out unchanged. */
void sq_jw_init_buf(sq_jw *w, svcq_ctx *ctx, sq_buf *out);
/* Starts a writer sending its text to sink (copied) in chunks of up to
 * SQ_JW_CHUNK bytes; the last chunk goes out in sq_jw_finish(). A failing
 * sink stops the writer with the code svcq_writer_write() returns. Bytes
 * already sent cannot be taken back. No memory is allocated in this mode. */
void sq_jw_init_writer(sq_jw *w, svcq_ctx *ctx, const svcq_writer *sink);
/* Indented output (two spaces, "key": value, a final newline) instead of
 * compact. Must be called before the first value, else SVCQ_EINVAL. */
int sq_jw_set_pretty(sq_jw *w, bool pretty);

/* Each of these returns SVCQ_OK or the writer's (sticky) error:
 * SVCQ_EINVAL for misuse (a value where a key is expected, a key outside an
 * object or twice in a row, an end that does not match, a second top-level
 * value, a NULL string, invalid UTF-8, a non-finite double), SVCQ_ELIMIT
 * beyond SQ_JW_MAX_DEPTH, SVCQ_ENOMEM (buffer mode), or the sink's error.
 * The message of the first error is set on the context. */
int sq_jw_object_begin(sq_jw *w);
int sq_jw_object_end(sq_jw *w);
int sq_jw_array_begin(sq_jw *w);
int sq_jw_array_end(sq_jw *w);
int sq_jw_key(sq_jw *w, const char *key);
int sq_jw_keyn(sq_jw *w, const char *key, size_t len);
int sq_jw_string(sq_jw *w, const char *s);
int sq_jw_stringn(sq_jw *w, const char *s, size_t len);
int sq_jw_int(sq_jw *w, int64_t v);
/* The shortest text that reads back to the same bits ("0.1", "1e23",
 * "-0.0"); integral values keep a ".0" or an exponent so that they read
 * back as doubles. Locale-independent. */
int sq_jw_double(sq_jw *w, double v);
int sq_jw_bool(sq_jw *w, bool v);
int sq_jw_null(sq_jw *w);
/* Writes a parsed value (deeply) as if by the calls above. */
int sq_jw_value(sq_jw *w, const sq_json *v);

/* Ends the writer: checks that exactly one complete value was written
 * (else SVCQ_EINVAL), flushes a sink, and returns the first error or
 * SVCQ_OK. On error in buffer mode the buffer is truncated to its length at
 * init. Call it exactly once, also after an error. */
int sq_jw_finish(sq_jw *w);

/* Formats v as sq_jw_double does into out (NUL-terminated; at most 26
 * bytes are written, including the NUL); returns the length, or 0 when v is
 * not finite. */
size_t sq_json_format_double(double v, char out[32]);

#endif
