/* The internal JSON codec (RFC 8259): a strict DOM reader and a streaming
 * writer. Storage records, exports and the FFI layer read and write JSON
 * through it. Nothing here is exported.
 *
 * Reader
 * ------
 * svcq__json_parse() reads a whole text in one pass into a document whose
 * nodes, keys and strings live in a block arena allocated through the
 * context (a handful of allocations per document, none per node). Every
 * node pointer is borrowed from the document and stays valid until
 * svcq__json_doc_free().
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
 * an exact SVCQ__JSON_INT ("-0" is the integer 0). Every other number is an
 * SVCQ__JSON_DOUBLE, correctly rounded ("-0.0" keeps its sign; "1e-400"
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
 * svcq__jw writes one JSON value as a stream of calls, either appending to an
 * svcq__buf or through a svcq_writer sink (in chunks of SVCQ__JW_CHUNK bytes).
 * The first error is sticky: later calls do nothing and return it, and
 * svcq__jw_finish() returns it. Output is compact by default or indented with
 * two spaces (svcq__jw_set_pretty). Strings are escaped minimally: '"', '\\'
 * and control characters (\b \f \n \r \t, others as \u00XX), plus U+2028
 * and U+2029 as \u2028 and \u2029 so the output is also valid JavaScript;
 * everything else is written as UTF-8. The writer does not check object
 * keys for duplicates: callers must not write one key twice.
 *
 * Threads: a document may be read from several threads at once; a writer
 * and a parse use their context, one thread at a time.
 */
#ifndef SVCQ__JSON_H
#define SVCQ__JSON_H

#include "core/buf.h"
#include "core/core.h"
#include "svcq/writer.h"

/* ---- reader ---------------------------------------------------------- */

typedef enum svcq__json_type {
    SVCQ__JSON_NULL = 0,
    SVCQ__JSON_FALSE = 1,
    SVCQ__JSON_TRUE = 2,
    SVCQ__JSON_INT = 3,    /* an integer literal that fits int64_t */
    SVCQ__JSON_DOUBLE = 4, /* any other number */
    SVCQ__JSON_STRING = 5,
    SVCQ__JSON_ARRAY = 6,
    SVCQ__JSON_OBJECT = 7
} svcq__json_type;

/* A value inside a document (opaque; borrowed from its document). */
typedef struct svcq__json svcq__json;
/* A parsed document: owns every node, key and string it holds. */
typedef struct svcq__json_doc svcq__json_doc;

/* Hard limits of one parse. Zero in a field means "the default". */
typedef struct svcq__json_limits {
    size_t max_depth;  /* nested arrays/objects; the top-level one is depth 1 */
    size_t max_size;   /* bytes of input */
    size_t max_string; /* bytes of one string or key after unescaping */
    size_t max_number; /* bytes of one number literal */
} svcq__json_limits;

#define SVCQ__JSON_DEFAULT_MAX_DEPTH 64
#define SVCQ__JSON_DEFAULT_MAX_SIZE ((size_t)64 << 20)
#define SVCQ__JSON_DEFAULT_MAX_STRING ((size_t)16 << 20)
#define SVCQ__JSON_DEFAULT_MAX_NUMBER 512

/* Parses len bytes at text (no NUL needed; text may be NULL when len is 0).
 * limits: NULL (or zero fields) for the defaults above.
 * On success *out receives a document the caller frees with
 * svcq__json_doc_free(). Returns SVCQ_OK; SVCQ_EINVAL for a NULL ctx or out
 * (or NULL text with len > 0); SVCQ_EPARSE for a syntax or encoding error;
 * SVCQ_ERANGE for a number too large for a double; SVCQ_ELIMIT when a
 * limit is exceeded; SVCQ_ENOMEM. On failure *out is set to NULL and the
 * context message says what and where (except for SVCQ_EINVAL without a
 * ctx; for SVCQ_ENOMEM it is just "out of memory"). */
int svcq__json_parse(svcq_ctx *ctx, const char *text, size_t len, const svcq__json_limits *limits,
                  svcq__json_doc **out);

/* Frees a document and everything borrowed from it; NULL is a no-op. */
void svcq__json_doc_free(svcq__json_doc *doc);

/* The top-level value; never NULL for a parsed document (NULL for NULL). */
const svcq__json *svcq__json_root(const svcq__json_doc *doc);

/* The type of v; SVCQ__JSON_NULL for a NULL pointer. */
svcq__json_type svcq__json_typeof(const svcq__json *v);

/* A short English name for messages: "null", "a boolean", "an integer",
 * "a number", "a string", "an array", "an object". */
const char *svcq__json_type_name(svcq__json_type type);

/* Scalars. Each returns false (leaving *out untouched) when v is NULL or of
 * another type.
 * - as_int: an SVCQ__JSON_INT, or an SVCQ__JSON_DOUBLE holding an integral value
 *   in [-2^63, 2^63) (such as 1e3), which converts exactly.
 * - as_double: an SVCQ__JSON_DOUBLE, or an SVCQ__JSON_INT (converted; integers
 *   above 2^53 in magnitude round to the nearest double).
 * - as_bool: SVCQ__JSON_TRUE or SVCQ__JSON_FALSE. */
bool svcq__json_as_int(const svcq__json *v, int64_t *out);
bool svcq__json_as_double(const svcq__json *v, double *out);
bool svcq__json_as_bool(const svcq__json *v, bool *out);

/* A string's bytes, NUL-terminated (the string itself may contain NULs, so
 * use *len when it matters; len may be NULL). NULL when v is not a string.
 * Borrowed from the document. */
const char *svcq__json_as_string(const svcq__json *v, size_t *len);

/* Arrays: number of elements (0 when v is not an array) and element i
 * (NULL when out of range or v is not an array). */
size_t svcq__json_array_size(const svcq__json *v);
const svcq__json *svcq__json_array_get(const svcq__json *v, size_t i);

/* Objects: number of members (0 when v is not an object) and member i in
 * document order: returns its value and stores its key (NUL-terminated,
 * may contain NULs) and key length; NULL when out of range or v is not an
 * object (key and keylen untouched then; either may be NULL). */
size_t svcq__json_object_size(const svcq__json *v);
const svcq__json *svcq__json_object_member(const svcq__json *v, size_t i, const char **key, size_t *keylen);

/* The value of member key (NUL-terminated, or keylen bytes for getn), or
 * NULL when v is not an object or has no such member. Objects with more
 * than a few members are indexed by a hash table built during the parse,
 * so lookups do not scan. */
const svcq__json *svcq__json_get(const svcq__json *v, const char *key);
const svcq__json *svcq__json_getn(const svcq__json *v, const char *key, size_t keylen);

/* Structural equality: same types (an INT never equals a DOUBLE), integers
 * equal, doubles bit-identical, strings byte-equal, arrays element-wise,
 * objects with the same key set and equal values whatever the order. Two
 * NULL pointers are equal. */
bool svcq__json_equal(const svcq__json *a, const svcq__json *b);

/* Record decoding: read member key of object obj, reporting problems on
 * ctx with a message naming the field ("field \"id\": missing",
 * "field \"id\": expected an integer, found a string").
 * - Absent (or null) and not required: SVCQ_OK, outputs untouched, so set
 *   the default before the call.
 * - Absent (or null) but required, or of the wrong type, or obj not an
 *   object: SVCQ_ECORRUPT (a record that does not decode is damaged data).
 * - get_int takes what svcq__json_as_int takes; get_double what
 *   svcq__json_as_double takes.
 * - get_string: *out is borrowed from the document. When len is NULL the
 *   caller wants a C string, so a string holding a NUL byte is refused with
 *   SVCQ_ECORRUPT.
 * - get_array / get_object: *out is the node, borrowed from the document. */
int svcq__json_get_int(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, int64_t *out);
int svcq__json_get_double(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, double *out);
int svcq__json_get_bool(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, bool *out);
int svcq__json_get_string(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, const char **out,
                       size_t *len);
int svcq__json_get_array(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, const svcq__json **out);
int svcq__json_get_object(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required,
                       const svcq__json **out);

/* ---- writer ---------------------------------------------------------- */

/* Deepest nesting the writer produces; equal to the reader's default limit
 * so that everything written can be read back with default limits. */
#define SVCQ__JW_MAX_DEPTH SVCQ__JSON_DEFAULT_MAX_DEPTH
/* Bytes collected before each call of a svcq_writer sink. */
#define SVCQ__JW_CHUNK 4096

/* Writer state; lives wherever the caller puts it (usually the stack).
 * Fields are private to json.c. */
typedef struct svcq__jw {
    svcq_ctx *ctx;
    svcq__buf *out;          /* buffer mode: appended to */
    size_t out_start;     /* buffer mode: out->len at init, restored on error */
    svcq_writer sink;     /* sink mode */
    bool to_sink;
    bool pretty;
    bool started;         /* a byte was produced */
    bool done;            /* the top-level value is complete */
    bool want_key;        /* inside an object, a key is expected next */
    int err;              /* first error, sticky */
    uint32_t depth;
    uint8_t kind[SVCQ__JW_MAX_DEPTH + 1];     /* '[' or '{' at each level */
    uint8_t nonempty[SVCQ__JW_MAX_DEPTH + 1]; /* the level has an element */
    size_t chunk_len;
    char chunk[SVCQ__JW_CHUNK];
} svcq__jw;

/* Starts a writer appending to out (which keeps its current content). If
 * the writer fails, svcq__jw_finish() truncates out back to the length it had
 * here, so a failed write leaves out unchanged. */
void svcq__jw_init_buf(svcq__jw *w, svcq_ctx *ctx, svcq__buf *out);
/* Starts a writer sending its text to sink (copied) in chunks of up to
 * SVCQ__JW_CHUNK bytes; the last chunk goes out in svcq__jw_finish(). A failing
 * sink stops the writer with the code svcq_writer_write() returns. Bytes
 * already sent cannot be taken back. No memory is allocated in this mode. */
void svcq__jw_init_writer(svcq__jw *w, svcq_ctx *ctx, const svcq_writer *sink);
/* Indented output (two spaces, "key": value, a final newline) instead of
 * compact. Must be called before the first value, else SVCQ_EINVAL. */
int svcq__jw_set_pretty(svcq__jw *w, bool pretty);

/* Each of these returns SVCQ_OK or the writer's (sticky) error:
 * SVCQ_EINVAL for misuse (a value where a key is expected, a key outside an
 * object or twice in a row, an end that does not match, a second top-level
 * value, a NULL string, invalid UTF-8, a non-finite double), SVCQ_ELIMIT
 * beyond SVCQ__JW_MAX_DEPTH, SVCQ_ENOMEM (buffer mode), or the sink's error.
 * The message of the first error is set on the context. */
int svcq__jw_object_begin(svcq__jw *w);
int svcq__jw_object_end(svcq__jw *w);
int svcq__jw_array_begin(svcq__jw *w);
int svcq__jw_array_end(svcq__jw *w);
int svcq__jw_key(svcq__jw *w, const char *key);
int svcq__jw_keyn(svcq__jw *w, const char *key, size_t len);
int svcq__jw_string(svcq__jw *w, const char *s);
int svcq__jw_stringn(svcq__jw *w, const char *s, size_t len);
int svcq__jw_int(svcq__jw *w, int64_t v);
/* The shortest text that reads back to the same bits ("0.1", "1e23",
 * "-0.0"); integral values keep a ".0" or an exponent so that they read
 * back as doubles. Locale-independent. */
int svcq__jw_double(svcq__jw *w, double v);
int svcq__jw_bool(svcq__jw *w, bool v);
int svcq__jw_null(svcq__jw *w);
/* Writes a parsed value (deeply) as if by the calls above. */
int svcq__jw_value(svcq__jw *w, const svcq__json *v);

/* Ends the writer: checks that exactly one complete value was written
 * (else SVCQ_EINVAL), flushes a sink, and returns the first error or
 * SVCQ_OK. On error in buffer mode the buffer is truncated to its length at
 * init. Call it exactly once, also after an error. */
int svcq__jw_finish(svcq__jw *w);

/* Formats v as svcq__jw_double does into out (NUL-terminated; at most 26
 * bytes are written, including the NUL); returns the length, or 0 when v is
 * not finite. */
size_t svcq__json_format_double(double v, char out[32]);

#endif
